"""Config lookup, validation and the one-line errors users see for bad config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchgate.diagnostics.config import DEFAULT_EXCLUDE, Config, config_digest, load_config
from patchgate.diagnostics.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(start: Path, config_file: Path | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(start, config_file)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_walks_up_to_the_pyproject_with_a_patchgate_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.patchgate]\nselect = ["E7"]\njobs = 3\n')
    write(tmp_path / "pkg/sub/pyproject.toml", "[tool.black]\nline-length = 100\n")
    target = write(tmp_path / "pkg/sub/deep/mod.py", "x = 1\n")
    config = load_config(target)
    assert config.root == tmp_path.resolve()
    assert config.config_file == (tmp_path / "pyproject.toml").resolve()
    assert config.select == ["E7"] and config.jobs == 3


def test_patchgate_toml_wins_over_pyproject_in_the_same_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.patchgate]\nfail-level = "warning"\n')
    write(tmp_path / "patchgate.toml", 'fail-level = "hint"\n')
    config = load_config(tmp_path)
    assert config.fail_level == "hint"
    assert config.config_file is not None and config.config_file.name == "patchgate.toml"


def test_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / "patchgate.toml", 'fail-level = "hint"\n')
    write(tmp_path / "inner/pyproject.toml", '[tool.patchgate]\nfail-level = "info"\n')
    assert load_config(tmp_path / "inner").fail_level == "info"
    assert load_config(tmp_path / "inner").root == (tmp_path / "inner").resolve()


def test_no_config_gives_defaults_rooted_at_the_git_toplevel(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    target = write(tmp_path / "a/b/c.py", "")
    config = load_config(target)
    assert config.config_file is None
    assert config.root == tmp_path.resolve()
    assert config.select is None and config.exclude == list(DEFAULT_EXCLUDE)
    assert config.max_file_size == 2 * 1024 * 1024 and config.fail_level == "error"
    assert config.cache.enabled and config.cache.dir == Path(".patchgate/cache")


def test_explicit_config_file(tmp_path: Path) -> None:
    custom = write(tmp_path / "ci/strict.toml", 'fail-level = "warning"\nignore = ["x"]\n')
    config = load_config(tmp_path, custom)
    assert config.fail_level == "warning" and config.root == (tmp_path / "ci").resolve()


def test_all_keys_parse_with_kebab_case(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    write(tmp_path / "sgconfig.yml", "ruleDirs: [rules]\n")
    write(tmp_path / "pyproject.toml", """
[tool.patchgate]
select = ["ALL"]
extend-select = ["E711"]
ignore = ["security"]
rule-dirs = ["rules"]
rule-modules = ["my_rules.checks:NoShout"]
exclude = ["vendor/"]
extend-exclude = ["*.gen.py"]
respect-gitignore = false
fail-level = "warning"
jobs = 2
sgconfig = "sgconfig.yml"
max-file-size = 1000

[tool.patchgate.cache]
enabled = false
dir = "tmp/cache"

[[tool.patchgate.per-path]]
paths = ["tests/"]
ignore = ["assert-false"]

[tool.patchgate.per-file-ignores]
"scripts/*.py" = ["T201"]

[tool.patchgate.connect]
protected_paths = ["setup.py"]
""")
    config = load_config(tmp_path)
    assert config.rule_dirs == [tmp_path.resolve() / "rules"]
    assert config.sgconfig == tmp_path.resolve() / "sgconfig.yml"
    assert config.per_path[0].paths == ["tests/"] and config.per_path[0].ignore == ["assert-false"]
    assert config.per_file_ignores == {"scripts/*.py": ["T201"]}
    assert not config.cache.enabled and config.cache.dir == Path("tmp/cache")
    assert config.connect == {"protected_paths": ["setup.py"]}
    assert not config.respect_gitignore and config.max_file_size == 1000
    shown = config.to_display_dict()
    assert shown["extend-select"] == ["E711"] and shown["cache"] == {"enabled": False, "dir": "tmp/cache"}


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.patchgate]\nselect = [\n")
    message = error_of(tmp_path)
    assert message.startswith(str((tmp_path / "pyproject.toml").resolve()) + ": invalid TOML: ")
    assert message.endswith("(line 3)")


def test_unknown_key_with_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.patchgate]\nselct = ["x"]\n')
    assert error_of(tmp_path).endswith(": unknown key 'tool.patchgate.selct' (did you mean 'select'?)")
    write(tmp_path / "pyproject.toml", "[tool.patchgate]\nextend_select = []\n")
    assert "did you mean 'extend-select'?" in error_of(tmp_path)
    write(tmp_path / "pyproject.toml", "[tool.patchgate]\nroot = '/'\n")
    assert error_of(tmp_path).endswith("unknown key 'tool.patchgate.root'")


def test_unknown_nested_keys(tmp_path: Path) -> None:
    write(tmp_path / "patchgate.toml", "[cache]\nenabeld = true\n")
    assert error_of(tmp_path).endswith("unknown key 'cache.enabeld' (did you mean 'enabled'?)")
    write(tmp_path / "patchgate.toml", '[[per-path]]\npaths = ["a"]\nselcet = []\n')
    assert error_of(tmp_path).endswith("unknown key 'per-path[0].selcet' (did you mean 'select'?)")


@pytest.mark.parametrize(("text", "expected"), [
    ("jobs = 0", "tool.patchgate.jobs: Input should be greater than or equal to 1"),
    ('jobs = "4"', "tool.patchgate.jobs: Input should be a valid integer"),
    ('fail-level = "fatal"', "tool.patchgate.fail-level: Input should be 'error', 'warning', 'info' or 'hint'"),
    ('select = "E711"', "tool.patchgate.select: Input should be a valid list"),
    ('rule-dirs = ["missing"]', "tool.patchgate.rule-dirs: directory does not exist: missing"),
    ('rule-modules = ["pkg.mod"]', "tool.patchgate.rule-modules: 'pkg.mod' is not of the form"),
    ('sgconfig = "nope.yml"', "tool.patchgate.sgconfig: file does not exist: nope.yml"),
    ('exclude = ["!"]', "tool.patchgate.exclude: invalid gitignore-style pattern '!'"),
    ("connect = 3", "tool.patchgate.connect: Input should be a valid dictionary"),
    ("respect-gitignore = 1", "tool.patchgate.respect-gitignore: Input should be a valid boolean"),
])
def test_bad_values_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.patchgate]\n{text}\n")
    message = error_of(tmp_path)
    assert message.startswith(str((tmp_path / "pyproject.toml").resolve()) + ": ")
    assert expected in message


def test_bad_per_path_value(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[[tool.patchgate.per-path]]\nignore = []\n")
    assert "tool.patchgate.per-path[0].paths: Field required" in error_of(tmp_path)


def test_tool_patchgate_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool]\npatchgate = 3\n")
    assert error_of(tmp_path).endswith("tool.patchgate: must be a table")


def test_digest_tracks_only_settings_that_change_findings(tmp_path: Path) -> None:
    base = Config(root=tmp_path)
    assert config_digest(base) == config_digest(Config(root=tmp_path, jobs=4, fail_level="hint"))
    assert config_digest(base) != config_digest(Config(root=tmp_path, ignore=["x"]))
    assert len(config_digest(base)) == 64


@pytest.mark.parametrize(
    ("pyproject", "patchgate", "expected"),
    [
        ('[project]\nrequires-python = ">=3.9"\n', "", (3, 9)),
        ('[project]\nrequires-python = "~=3.12.1"\n', "", (3, 12)),
        ('[project]\nrequires-python = ">=3.9"\n', 'target-version = "py311"\n', (3, 11)),
        ("", "", (3, 10)),
        ('[project]\nrequires-python = ">=2.7"\n', "", (3, 10)),
        ('[tool.poetry.dependencies]\npython = ">=3.8.0"\n', "", (3, 8)),  # rich declares it only there
        ('[project]\nrequires-python = ">=3.11"\n[tool.poetry.dependencies]\npython = "^3.8"\n', "", (3, 11)),
    ],
)
def test_python_target_comes_from_the_config_then_requires_python(tmp_path: Path, pyproject: str, patchgate: str,
                                                                    expected: tuple[int, int]) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject)
    (tmp_path / "patchgate.toml").write_text(patchgate)
    assert load_config(tmp_path).python_target == expected


def test_an_unknown_target_version_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "patchgate.toml").write_text('target-version = "py27"\n')
    with pytest.raises(ConfigError, match="target-version"):
        load_config(tmp_path)
