"""The CLI's start-up shortcuts: pydantic's plugin scan is skipped without touching the environment."""

from __future__ import annotations

import subprocess
import sys


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_models_build_without_importing_importlib_metadata() -> None:
    code = ("import os, sys\nbefore = dict(os.environ)\n"
            "from patchgate.cli.pydantic_plugins import skip_plugin_scan\nassert skip_plugin_scan()\n"
            "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\n"
            "assert M(x='1').x == 1 and dict(os.environ) == before\n"
            "print('importlib.metadata' in sys.modules)\n")
    assert run_python(code) == "False"


def test_anything_else_asked_of_the_stand_in_comes_from_pydantic_itself() -> None:
    code = ("import sys\nfrom patchgate.cli.pydantic_plugins import LOADER, skip_plugin_scan\nskip_plugin_scan()\n"
            "stand_in = sys.modules[LOADER]\nassert list(stand_in.get_plugins()) == []\n"
            "print(stand_in.PYDANTIC_ENTRY_POINT_GROUP, sys.modules[LOADER] is not stand_in, skip_plugin_scan())\n")
    assert run_python(code) == "pydantic True False"
