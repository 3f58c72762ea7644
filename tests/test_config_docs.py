"""The README's config reference and schemas/config.schema.json come from the config model, and are current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from conftest import run_patchgate, write_files

from patchgate.connect.config_docs import START, updated_readme
from patchgate.diagnostics.config import Config, tomllib

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SCHEMA = json.loads((ROOT / "schemas" / "config.schema.json").read_text(encoding="utf-8"))


def test_readme_config_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert updated_readme(text) == text, "stale: run `python -m patchgate.connect.config_docs README.md`"
    section = text[text.index(START):]
    for name in Config.model_fields:
        key = name.replace("_", "-")
        if key not in ("root", "config-file", "cache", "per-path", "connect"):
            assert f"| `{key}` |" in section, f"{key} is not documented"
    assert "| `max-file-size` | integer | `2097152` |" in section
    assert "| `connect.thresholds.large-change.max-files` | integer | `20` |" in section


def test_readme_examples_validate_against_the_config_schema(project: Path) -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA)
    blocks = re.findall(r"```toml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    tables = [tomllib.loads(block) for block in blocks]
    tables = [data.get("tool", {}).get("patchgate", data) for data in tables]
    assert tables and all(list(validator.iter_errors(table)) == [] for table in tables)
    assert list(validator.iter_errors({"max-file-size": "big"})) and list(validator.iter_errors({"colour": True}))
    assert list(validator.iter_errors({"connect": {"thresholds": {"unknown-command": "maybe"}}}))
    write_files(project, {"patchgate.toml": "max-file-sise = 10\n"})
    run = run_patchgate("check", ".", cwd=project)
    assert run.code == 40 and "max-file-size" in run.stderr, "the CLI and the schema reject the same typo"
