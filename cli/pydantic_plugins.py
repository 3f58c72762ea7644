"""The CLI skips pydantic's plugin scan, whose import of importlib.metadata cost every command ~15 ms.

pydantic looks for plugins (entry points of the group "pydantic") the first time it builds a
validator, through `pydantic.plugin._loader`; importing that module alone pulls in
importlib.metadata, email and zipfile, whatever PYDANTIC_DISABLE_PLUGINS says (pydantic reads
the variable inside get_plugins(), on every model it builds, after the import). The CLI owns
its process and uses no plugin, so before any model is built it registers a stand-in for that
module whose get_plugins() finds none. Nothing goes through the environment, so the commands
the CLI runs (git, smoke checks) see pydantic as their user configured it. Any other name asked
of the stand-in loads pydantic's own module and answers from it: a pydantic that needs more
than get_plugins still works, only without the saving.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterable

LOADER = "pydantic.plugin._loader"


def _no_plugins() -> Iterable[object]:
    """What pydantic's get_plugins() returns when no plugin is installed."""
    return ()


def _real_attribute(name: str) -> object:
    """A name the stand-in lacks: put pydantic's own loader in its place and answer from it."""
    if name.startswith("__"):
        raise AttributeError(name)
    sys.modules.pop(LOADER, None)
    return getattr(importlib.import_module(LOADER), name)


def skip_plugin_scan() -> bool:
    """Register the stand-in unless pydantic's loader is already imported; True when registered."""
    if LOADER in sys.modules:
        return False
    stand_in = types.ModuleType(LOADER, __doc__)
    stand_in.get_plugins = _no_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = _real_attribute  # type: ignore[attr-defined]
    sys.modules[LOADER] = stand_in
    return True
