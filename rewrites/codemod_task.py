"""The `codemod` planner's per-file work: run a CodemodCommand on one file's text in a worker.

Each file yields success (the whole new text, turned into trimmed edits here), a skip, or a
failure with a one-line reason; nothing is ever written and nothing raises out of `run`.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from libcst.codemod import (
    CodemodContext,
    TransformFailure,
    TransformSkip,
    TransformSuccess,
    transform_module,
)
from libcst.helpers import ModuleNameAndPackage
from libcst.metadata import FullyQualifiedNameProvider

from patchgate.diagnostics.engines.libcst_engine import too_deep
from patchgate.diagnostics.python_rule import one_line
from patchgate.diagnostics.source import SourceFile
from patchgate.rewrites.edits import FileChange
from patchgate.rewrites.modules import module_name
from patchgate.rewrites.planning import FileResult, resolve_result

GENERATED_MARKER = "@" + "generated"
"""LibCST's default marker of generated files, which its tool leaves alone unless asked."""
BOM = "\ufeff"


class _ModuleNames:
    """Stands in for LibCST's FullRepoManager: Codemod only asks it for the per-file metadata cache,
    and the one cache patchgate can give cheaply is the module name (FullyQualifiedNameProvider)."""

    def __init__(self, name: str, package: str) -> None:
        self.cache = {FullyQualifiedNameProvider: ModuleNameAndPackage(name, package)}

    def get_cache_for_path(self, path: str) -> dict[Any, object]:
        """The metadata cache for the file being transformed."""
        return self.cache


@dataclass(frozen=True)
class CodemodTask:
    """Plain, picklable description of the codemod run; the command class is imported per process."""

    spec: str
    arguments: tuple[tuple[str, Any], ...]
    root: str
    search_path: tuple[str, ...] = ()
    include_generated: bool = False

    @cached_property
    def command(self) -> type:
        """The command class (a spawned worker re-imports it with the same search path)."""
        for folder in reversed(self.search_path):
            if folder not in sys.path:
                sys.path.insert(0, folder)
        module, _, name = self.spec.partition(":")
        return getattr(importlib.import_module(module), name)

    def __getstate__(self) -> dict[str, Any]:
        """The class itself never travels between processes, only its name."""
        return {key: value for key, value in self.__dict__.items() if key != "command"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _context(self, source: SourceFile) -> CodemodContext:
        """What LibCST's own runner gives a codemod: file name, module and package names."""
        found = module_name(source.path, Path(self.root))
        manager = _ModuleNames(found.name, found.package) if found else None
        return CodemodContext(filename=str(Path(self.root) / source.path), full_module_name=found.name if found else None,
                              full_package_name=found.package if found else None, metadata_manager=manager)  # type: ignore[arg-type]

    def run(self, source: SourceFile) -> FileResult | None:
        """Success with the changed text, a skip note, or a failure reason; never an exception."""
        if source.language != "python" or source.path.endswith(".pyi"):
            return None
        if not self.include_generated and GENERATED_MARKER in source.text:
            return FileResult(note="generated file (pass --include-generated to change it)")
        try:
            instance = self.command(self._context(source), **dict(self.arguments))
        except Exception as error:
            return FileResult(failure=f"cannot construct the codemod: {one_line(error)}")
        if too_deep(source.text):
            return FileResult(failure="code nested too deeply for libcst to parse safely")
        bom = BOM if source.text.startswith(BOM) else ""
        result = transform_module(instance, source.text[len(bom) :])
        return _result(source, bom, result)


def _result(source: SourceFile, bom: str, result: object) -> FileResult | None:
    """A LibCST TransformResult as a plain FileResult."""
    warnings = tuple(getattr(result, "warning_messages", ()) or ())
    note = "; ".join(" ".join(w.split()) for w in warnings) or None
    if isinstance(result, TransformSuccess):
        after = bom + result.code
        if after == source.text:
            return FileResult(note=note) if note else None
        resolved = resolve_result(FileChange(source.path, source.text, after_text=after))
        return FileResult(rewrite=resolved.rewrite, skipped=resolved.skipped, note=note)
    if isinstance(result, TransformSkip):
        return FileResult(note=f"skipped by the codemod: {result.skip_description or result.skip_reason.value}")
    if isinstance(result, TransformFailure):
        return FileResult(failure=f"the codemod failed: {one_line(result.error)}")
    return FileResult(failure="interrupted")
