"""The committed JSON Schemas must match the models, so consumers never validate against stale ones."""

from __future__ import annotations

from pathlib import Path

from patchgate.connect.schema_export import render_schemas

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


def test_committed_schemas_match_models() -> None:
    expected = render_schemas()
    stale = [name for name, text in expected.items() if not (SCHEMAS / name).is_file()
             or (SCHEMAS / name).read_text(encoding="utf-8") != text]
    assert not stale, f"stale schemas {stale}: run `python -m patchgate.connect.schema_export schemas`"


def test_every_field_is_described() -> None:
    import json

    for name, text in render_schemas().items():
        schema = json.loads(text)
        for definition in [schema, *schema.get("$defs", {}).values()]:
            for field, spec in definition.get("properties", {}).items():
                assert "description" in spec, f"{name}: {field} has no description"
