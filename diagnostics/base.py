"""Shared pydantic base so every boundary object is frozen, strict and JSON-safe (SPEC 2)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

SCHEMA_VERSION = "1"


class Model(BaseModel):
    """Frozen, extra-forbidding model; every patchgate object derives from it."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=False)
