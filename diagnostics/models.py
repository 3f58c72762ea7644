"""The diagnostic and rule objects of SPEC 2: plain values, safe to pickle, cache and serialise."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from patchgate.diagnostics.base import SCHEMA_VERSION, Model
from patchgate.diagnostics.span import Span, TextEdit

Severity = Literal["error", "warning", "info", "hint"]
EngineName = Literal["ast-grep", "libcst", "tree-sitter", "prebuild", "patchgate"]
"""patchgate is the engine of the tool's own findings: unreadable files, unused suppressions."""
SEVERITY_RANK: dict[str, int] = {"hint": 0, "info": 1, "warning": 2, "error": 3}


class Diagnostic(Model):
    """One finding at one span of one file, with an optional fix made of text edits."""

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    rule_id: str = Field(description="Canonical kebab-case id of the rule that reported this.")
    severity: Severity = Field(description="How serious the finding is.")
    message: str = Field(description="What is wrong, with metavariables already interpolated.")
    path: str = Field(description="Workspace-relative POSIX path of the file.")
    span: Span = Field(description="Where in the file the finding is.")
    engine: EngineName = Field(description="The engine that produced the finding.")
    fix: list[TextEdit] | None = Field(default=None, description="Edits that fix the finding, if a safe fix exists.")
    note: str | None = Field(default=None, description="Longer explanation or hint shown under the message.")
    url: str | None = Field(default=None, description="Link to the rule's documentation.")
    source_alias: str | None = Field(default=None, description="The alias the user selected this rule by, if any.")

    def sort_key(self) -> tuple[str, int, int, str]:
        """Stable report order: path, then position, then rule."""
        return (self.path, self.span.start_offset, self.span.end_offset, self.rule_id)


class RuleExample(Model):
    """A code sample for a rule; INVALID examples may carry the text expected after the fix."""

    code: str = Field(description="Source code of the example.")
    fixed: str | None = Field(default=None, description="For an invalid example: the code after applying the fix.")


class Rule(Model):
    """What a user can know about a rule: id, aliases, docs and its own examples."""

    schema_version: Literal["1"] = Field(default=SCHEMA_VERSION, description="Version of this object's schema.")
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Canonical kebab-case id.")
    aliases: list[str] = Field(default_factory=list, description="Equivalent codes of other tools (ruff, flake8, pylint).")
    severity: Severity = Field(description="Default severity of the rule's findings.")
    message: str = Field(description="Default message; may contain $VAR placeholders.")
    docs: str = Field(default="", description="Rationale and guidance, in Markdown.")
    tags: list[str] = Field(default_factory=list, description="Groups the rule can be selected by (correctness, security, ...).")
    language: str = Field(description="Language the rule applies to (python, javascript, ...).")
    engine: EngineName = Field(description="The engine that runs this rule.")
    fixable: bool = Field(default=False, description="Whether the rule offers a fix.")
    safe_fix: bool = Field(default=True, description="Whether its fix keeps behaviour, so `plan fix` takes it without --unsafe.")
    url: str | None = Field(default=None, description="Link to further documentation.")
    source: str = Field(default="builtin", description="Where the rule came from: builtin, a YAML file, or a module path.")
    valid: list[RuleExample] = Field(default_factory=list, description="Examples the rule must not report.")
    invalid: list[RuleExample] = Field(default_factory=list, description="Examples the rule must report.")

    @property
    def title(self) -> str:
        """The message as a rule title: no match fills its `$VAR`s, so each reads as a placeholder (`<op>`)."""
        return title_text(self.message)


METAVARIABLE = re.compile(r"\$(\$\$)?([A-Z_][A-Z0-9_]*)?")


def title_text(message: str) -> str:
    """`$OP` -> `<op>`, `$$$ARGS` -> `<args>`, bare `$$$` or `$_` -> `...`: a metavariable reads as a word."""

    def word(match: re.Match[str]) -> str:
        name = (match.group(2) or "").strip("_").lower()
        if match.group(0) == "$":
            return "$"
        return f"<{name}>" if name else "..."

    return METAVARIABLE.sub(word, message)
