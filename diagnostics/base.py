"""Shared pydantic base so every boundary object is frozen, strict and JSON-safe (SPEC 2)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1"


class Model(BaseModel):
    """Frozen, extra-forbidding model; every patchgate object derives from it."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=False)


def canonical_json(data: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(data, default=default, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest(data: dict[str, Any], default: Callable[[Any], Any] | None = None) -> str:
    """sha256 of an object's canonical JSON, its id left out: the id of a content-addressed object."""
    body = {key: value for key, value in data.items() if key != "id"}
    return hashlib.sha256(canonical_json(body, default).encode("utf-8")).hexdigest()
