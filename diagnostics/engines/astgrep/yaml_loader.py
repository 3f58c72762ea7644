"""YAML read the way ast-grep reads it (serde_yaml, YAML 1.2 scalars), not PyYAML's YAML 1.1.

PyYAML's SafeLoader turns `=` into its `value` tag (an error), `yes`/`on`/`off` into booleans,
`2001-12-14` into a date, `0777` into octal 511, and merges `<<` keys. ast-grep reads all of
those as strings except numbers, so a rule means the same here as under `ast-grep scan`.
Numbers follow ast-grep 0.51 as probed with its CLI: `0777` and `08` are floats, `+12`, `0x1F`,
`0o17`, `0b11` and `1_000` are integers; both are then errors where a string is expected.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+|(?:0|[1-9][0-9]*)(?:_[0-9]+)*)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NUMBER_START = list("-+0123456789.")


class Yaml12Loader(_BaseLoader):
    """SafeLoader with ast-grep's scalar resolution and no YAML 1.1 extras (value, merge, timestamp)."""


Yaml12Loader.yaml_implicit_resolvers = {}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, _NUMBER_START)
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, _NUMBER_START)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    """Decimal (with `_` groups), 0x, 0o and 0b integers, signed."""
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2], 10)
    return sign * int(digits[2:] if base != 10 else digits, base)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    """Floats, including `.inf` and `.nan` spellings."""
    text = str(loader.construct_scalar(node))
    lowered = text.lower()
    if lowered.lstrip("+-") == ".inf":
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    """Only the YAML 1.2 spellings of true and false reach here."""
    return str(loader.construct_scalar(node)).lower() == "true"


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_all(text: str) -> list[Any]:
    """Every non-empty document of a YAML stream; raises yaml.YAMLError."""
    return [doc for doc in yaml.load_all(text, Loader=Yaml12Loader) if doc is not None]


def load_one(text: str) -> Any:
    """The single document of a YAML text (None when empty); raises yaml.YAMLError."""
    return yaml.load(text, Loader=Yaml12Loader)


def error_line(error: yaml.YAMLError) -> str:
    """A YAML error in one line: 'invalid YAML (line L, column C): problem'."""
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    problem = getattr(error, "problem", None) or (str(error).splitlines() or ["unreadable"])[0]
    return f"invalid YAML{where}: {problem}"


STRING_KEYS = frozenset({"pattern", "kind", "regex", "field", "context", "selector", "strictness", "matches", "stopBy"})
"""Rule keys whose value ast-grep reads as a string (pattern and stopBy may also be mappings)."""
_KINDS = {bool: "a boolean", int: "an integer", float: "a number", type(None): "null"}


def non_string_scalar(data: Any, where: str) -> str | None:
    """'`rule.regex`: 0777 is a number...' for the first string-only key holding a number, boolean or null."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        path = f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}"
        if key in STRING_KEYS and type(value) in _KINDS:
            return f"`{path}`: {value!r} is {_KINDS[type(value)]} in YAML 1.2, as ast-grep reads it; quote it to mean text"
        found = non_string_scalar(value, path) if isinstance(value, (dict, list)) else None
        if found:
            return found
    return None
