"""Which rules run on which file: select/ignore by id, alias, alias prefix, tag or ALL.

Selection is resolved in layers, like ruff: the defaults, then the config file, then the
command line, then each per-path override that matches the file (the built-in entry for
tests first, then per-file-ignores, then `per-path` entries in order). A layer with `select` starts from nothing; without one
it edits the previous result. Inside one layer the most specific selector wins for each
rule (id or alias > alias prefix, longer first > tag > ALL) and `ignore` wins a tie.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pathspec

from patchgate.diagnostics.config import BUILTIN_PER_PATH, Config
from patchgate.diagnostics.errors import ConfigError, InputError
from patchgate.diagnostics.models import Rule

EXACT = 1000
DEFAULT_OFF_TAGS = frozenset({"off", "default-off"})
"""Rule.severity cannot say `off`, so engines mark ast-grep's `severity: off` rules with a tag."""


@dataclass(frozen=True)
class Match:
    """What one selector string picked: rule id -> the alias it matched by (or None)."""

    selector: str
    kind: str
    specificity: int
    origin: str
    rules: dict[str, str | None]


@dataclass(frozen=True)
class Layer:
    """One select / extend-select / ignore triple; select None keeps the previous result."""

    select: tuple[Match, ...] | None
    extend: tuple[Match, ...] = ()
    ignore: tuple[Match, ...] = ()
    name: str = ""


@dataclass
class State:
    """The rules that are on (with the alias each was selected by) and why each is on or off."""

    on: dict[str, str | None]
    why: dict[str, str] = field(default_factory=dict)


def is_default_off(rule: Rule) -> bool:
    """Rules whose YAML severity is `off` stay out of the default selection (ALL, tags and ids still pick them)."""
    return getattr(rule, "severity", None) == "off" or bool(DEFAULT_OFF_TAGS.intersection(rule.tags))


def _best(matches: Iterable[Match]) -> dict[str, Match]:
    """For each rule the most specific match; an alias match beats an id match of equal rank."""
    best: dict[str, Match] = {}
    for match in matches:
        for rule_id, alias in match.rules.items():
            current = best.get(rule_id)
            if current is None or (match.specificity, alias is not None) > (current.specificity, current.rules[rule_id] is not None):
                best[rule_id] = match
    return best


def _describe(match: Match, rule_id: str, verb: str) -> str:
    """'selected by 'E7' (alias prefix, via E711) in --select' for explain()."""
    alias = match.rules.get(rule_id)
    via = f", via {alias}" if alias and alias != match.selector else ""
    return f"{verb} by '{match.selector}' ({match.kind}{via}) in {match.origin}"


def apply_layer(state: State, layer: Layer) -> State:
    """The result of one layer on top of state."""
    on = {} if layer.select is not None else dict(state.on)
    why = dict(state.why)
    if layer.select is not None:
        for rule_id in state.on:
            why[rule_id] = f"off: not selected by {layer.name}"
    enable = _best([*(layer.select or ()), *layer.extend])
    disable = _best(layer.ignore)
    for rule_id in enable.keys() | disable.keys():
        plus, minus = enable.get(rule_id), disable.get(rule_id)
        if minus is not None and (plus is None or minus.specificity >= plus.specificity):
            on.pop(rule_id, None)
            why[rule_id] = "off: " + _describe(minus, rule_id, "ignored")
        elif plus is not None:
            on[rule_id] = plus.rules[rule_id] or state.on.get(rule_id)
            why[rule_id] = "on: " + _describe(plus, rule_id, "selected")
    return State(on, why)


class RuleSelector:
    """Resolves the selection once, then answers per file from a cache keyed by override matches."""

    def __init__(self, rules: Sequence[Rule], config: Config, cli_select: Sequence[str] | None = None,
                 cli_ignore: Sequence[str] = (), cli_extend_select: Sequence[str] = ()) -> None:
        self.rules = {rule.id: rule for rule in rules}
        self.config = config
        self._index()
        state = State({r.id: None for r in rules if not is_default_off(r)},
                      {r.id: "off: off by default (severity off)" if is_default_off(r) else "on: on by default" for r in rules})
        state = apply_layer(state, self._config_layer())
        if cli_select is not None or cli_ignore or cli_extend_select:
            state = apply_layer(state, self._cli_layer(cli_select, cli_ignore, cli_extend_select))
        self.base = state
        self.overrides = self._override_layers()
        self._by_key: dict[tuple[int, ...], tuple[State, frozenset[str]]] = {(): (state, frozenset(state.on))}
        self._keys: dict[str, tuple[int, ...]] = {}

    def _index(self) -> None:
        """Lookup tables from alias and tag to rule ids."""
        self.by_alias: dict[str, dict[str, str]] = {}
        self.by_tag: dict[str, list[str]] = {}
        for rule in self.rules.values():
            for alias in rule.aliases:
                self.by_alias.setdefault(alias, {})[rule.id] = alias
            for tag in rule.tags:
                self.by_tag.setdefault(tag, []).append(rule.id)

    def resolve(self, selector: str, origin: str) -> Match | None:
        """One selector string as a Match, or None when it names nothing."""
        if selector == "ALL":
            return Match(selector, "all rules", 0, origin, {rule_id: None for rule_id in self.rules})
        if selector in self.rules:
            return Match(selector, "id", EXACT, origin, {selector: None})
        if selector in self.by_alias:
            return Match(selector, "alias", EXACT, origin, dict(self.by_alias[selector]))
        if selector in self.by_tag:
            return Match(selector, "tag", 1, origin, {rule_id: None for rule_id in self.by_tag[selector]})
        found = {rule.id: next(a for a in rule.aliases if a.startswith(selector))
                 for rule in self.rules.values() if any(a.startswith(selector) for a in rule.aliases)}
        return Match(selector, "alias prefix", 2 + len(selector), origin, found) if found else None

    def _resolve_all(self, selectors: Iterable[str], origin: str, error: type[InputError]) -> tuple[Match, ...]:
        """Every selector resolved; an unknown one is an error naming it, with a did-you-mean."""
        matches = []
        for selector in selectors:
            match = self.resolve(selector, origin)
            if match is None:
                raise error(f"{origin}: unknown rule selector '{selector}'{self._suggest(selector)}")
            matches.append(match)
        return tuple(matches)

    def _suggest(self, selector: str) -> str:
        """' (did you mean 'x'?)' among ids, aliases and tags."""
        known = [*self.rules, *self.by_alias, *self.by_tag, "ALL"]
        close = difflib.get_close_matches(selector, known, n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""

    def _layer(self, select: Sequence[str] | None, extend: Sequence[str], ignore: Sequence[str],
               origins: tuple[str, str, str], error: type[InputError], name: str) -> Layer:
        """A Layer from selector strings, each list labelled by where it came from."""
        return Layer(
            select=None if select is None else self._resolve_all(select, origins[0], error),
            extend=self._resolve_all(extend, origins[1], error),
            ignore=self._resolve_all(ignore, origins[2], error),
            name=name,
        )

    def _config_layer(self) -> Layer:
        """The config file's top-level select / extend-select / ignore."""
        c = self.config
        origins = (c.key_label("select"), c.key_label("extend-select"), c.key_label("ignore"))
        return self._layer(c.select, c.extend_select, c.ignore, origins, ConfigError, origins[0])

    def _cli_layer(self, select: Sequence[str] | None, ignore: Sequence[str], extend: Sequence[str]) -> Layer:
        """The command line: --select replaces the whole config selection, the others edit it."""
        return self._layer(select, extend, ignore, ("--select", "--extend-select", "--ignore"), InputError, "--select")

    def _override_layers(self) -> list[tuple[pathspec.GitIgnoreSpec, Layer, list[str]]]:
        """The built-in per-path entries, per-file-ignores, then per-path entries, each with its compiled globs."""
        c = self.config
        layers = []
        for entry in BUILTIN_PER_PATH if c.default_per_path else ():
            origin = f"the built-in per-path entry for tests ({c.key_label('default-per-path')} = true)"
            known = [selector for selector in entry.ignore if self.resolve(selector, origin) is not None]
            layer = self._layer(None, (), known, (origin, origin, origin), ConfigError, origin)
            layers.append((pathspec.GitIgnoreSpec.from_lines(entry.paths), layer, list(entry.paths)))
        for glob, ids in c.per_file_ignores.items():
            origin = c.key_label(f"per-file-ignores.{json.dumps(glob)}")
            layer = self._layer(None, (), ids, (origin, origin, origin), ConfigError, origin)
            layers.append((pathspec.GitIgnoreSpec.from_lines([glob]), layer, [glob]))
        for index, entry in enumerate(c.per_path):
            base = c.key_label(f"per-path[{index}]")
            origins = (f"{base}.select", f"{base}.extend-select", f"{base}.ignore")
            layer = self._layer(entry.select, entry.extend_select, entry.ignore, origins, ConfigError, origins[0])
            layers.append((pathspec.GitIgnoreSpec.from_lines(entry.paths), layer, list(entry.paths)))
        return layers

    def _key(self, path: str) -> tuple[int, ...]:
        """Indexes of the overrides whose globs match a workspace-relative POSIX path."""
        key = self._keys.get(path)
        if key is None:
            if not path or path == ".":
                key = ()
            else:
                key = tuple(i for i, (spec, _, _) in enumerate(self.overrides) if spec.match_file(path))
            self._keys[path] = key
        return key

    def _resolved(self, path: str) -> tuple[State, frozenset[str]]:
        """The resolved state for a path; computed once per distinct set of matching overrides."""
        key = self._key(path)
        found = self._by_key.get(key)
        if found is None:
            state = self.base
            for index in key:
                state = apply_layer(state, self.overrides[index][1])
            found = self._by_key[key] = (state, frozenset(state.on))
        return found

    def selected_for(self, path: str) -> frozenset[str]:
        """Canonical ids of the rules that run on this workspace-relative path ('' for none)."""
        return self._resolved(path)[1]

    def alias_for(self, rule_id: str, path: str) -> str | None:
        """The alias the user selected rule_id by for this path, kept as source_alias metadata."""
        return self._resolved(path)[0].on.get(rule_id)

    def digest(self) -> str:
        """sha256 of the resolved selection, including every per-path override's effect."""
        overrides = [[globs, _layer_data(layer)] for _, layer, globs in self.overrides]
        data = {"base": sorted(self.base.on.items(), key=lambda item: item[0]), "overrides": overrides}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    def explain(self, rule_id: str) -> str:
        """Why a rule is on or off, then how each per-path override changes that."""
        if rule_id not in self.rules:
            return f"unknown rule {rule_id}"
        text = self.base.why.get(rule_id, "on: on by default")
        notes = []
        for spec, layer, globs in self.overrides:
            after = apply_layer(self.base, layer)
            if (rule_id in after.on) != (rule_id in self.base.on) or after.why.get(rule_id) != self.base.why.get(rule_id):
                notes.append(f"for {', '.join(globs)}: {after.why.get(rule_id, '')}")
        return "; ".join([text, *notes])


def _layer_data(layer: Layer) -> list[object]:
    """A layer as plain data for digests."""
    def part(matches: Iterable[Match]) -> list[object]:
        """Specificity and picked rules of each match."""
        return [[m.specificity, sorted(m.rules.items(), key=lambda item: item[0])] for m in matches]

    return [None if layer.select is None else part(layer.select), part(layer.extend), part(layer.ignore)]
