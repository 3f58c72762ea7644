"""Config glob validation: what it accepts without pathspec, pathspec accepts too; bad globs still fail at load."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pathspec
import pytest

from patchgate.diagnostics.globs import check_patterns, is_plain

ALPHABET = "a*/!\\[]? #"


def compiles(pattern: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception:
        return False
    return True


def test_every_plain_pattern_compiles_in_pathspec() -> None:
    patterns = ("".join(chars) for size in range(1, 5) for chars in itertools.product(ALPHABET, repeat=size))
    wrong = [p for p in patterns if is_plain(p) and not compiles(p)]
    assert not wrong, f"is_plain accepts patterns pathspec rejects: {wrong[:10]}"


@pytest.mark.parametrize("pattern", ["a\\", "!", "! ", "x/\\", "[z-a]"])
def test_bad_patterns_are_rejected_naming_the_pattern(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid gitignore-style pattern"):
        check_patterns(["ok/**", pattern])


def test_plain_patterns_need_no_pathspec() -> None:
    code = ("import sys\nfrom patchgate.diagnostics.globs import check_patterns\n"
            "check_patterns(['protected/**', '*.lock', '/top.txt', 'docs/**/gen/'])\n"
            "print('pathspec' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
