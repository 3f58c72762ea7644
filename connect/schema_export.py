"""Writes the JSON Schemas of every public object (all layers) into schemas/, so other tools can validate them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from patchgate.connect.models import (
    Approval, ApplyReceipt, ContextPack, DecisionEnvelope, PatchVerdict, PlanPacket, ReviewPacket,
)
from patchgate.diagnostics.evidence import Evidence
from patchgate.diagnostics.models import Diagnostic, Rule
from patchgate.diagnostics.span import Span, TextEdit
from patchgate.rewrites.models import FileRewrite, RewritePlan

MODELS: dict[str, type[BaseModel]] = {
    "span": Span,
    "text-edit": TextEdit,
    "diagnostic": Diagnostic,
    "rule": Rule,
    "evidence": Evidence,
    "file-rewrite": FileRewrite,
    "rewrite-plan": RewritePlan,
    "context-pack": ContextPack,
    "plan-packet": PlanPacket,
    "patch-verdict": PatchVerdict,
    "review-packet": ReviewPacket,
    "approval": Approval,
    "apply-receipt": ApplyReceipt,
    "decision-envelope": DecisionEnvelope,
}


def render_schemas() -> dict[str, str]:
    """File name -> schema text for every public model and the config file, deterministic byte for byte."""
    from patchgate.connect.config_docs import config_schema

    schemas = {f"{name}.schema.json": model.model_json_schema() for name, model in MODELS.items()}
    schemas["config.schema.json"] = config_schema()
    return {name: json.dumps(schema, indent=2, sort_keys=True) + "\n" for name, schema in schemas.items()}


def main(argv: list[str] | None = None) -> int:
    """Write schemas into the folder given (default: ./schemas)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0] if args else "schemas")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas().items():
        (target / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
