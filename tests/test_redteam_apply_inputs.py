"""Red team, impossible targets and sources: FIFOs, devices, sockets, folders and over-long names.

None of them may hang a command or crash it (exit 2): a FIFO, device or socket as a content
file, a patch, a workspace file a write or patch changes, or an apply target is refused in
one line with exit 40, and nothing is written. A name over the file system's NAME_MAX bytes
or a path over PATH_MAX is bad input when deciding (exit 40), and apply refuses a stored
plan with one before writing a byte; a name of exactly NAME_MAX bytes still applies.
Every run has a timeout: a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import PATCHGATE, Run, write_files
from test_apply_support import forge, make_plan, record, temp_files

from patchgate.connect.audit.log import read_events
from patchgate.connect.interrupted import journal_dir

HANG = 60
NAME_MAX = os.pathconf("/", "PC_NAME_MAX")


def run(*args: str, cwd: Path) -> Run:
    """The real CLI, with a timeout that turns a hang into a failure."""
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        done = subprocess.run([PATCHGATE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=HANG)
    except subprocess.TimeoutExpired:
        pytest.fail(f"patchgate {' '.join(args)[:80]} hung")
    return Run(done.returncode, done.stdout, done.stderr)


def refused(result: Run, *needles: str) -> None:
    """Exit 40 with one line naming the reason."""
    assert result.code == 40, (result.code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(needle in lines[0] for needle in needles), lines[0]


def make_socket(path: Path) -> Path:
    """A unix socket file (bound by a relative name: AF_UNIX paths are short)."""
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind(path.name)
        server.close()
    finally:
        os.chdir(cwd)
    return path


def make_fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def make_device(path: Path) -> Path:
    """A character device like /dev/null inside the workspace (needs root and CAP_MKNOD)."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device here: {error}")
    return path


def make_folder(path: Path) -> Path:
    path.mkdir()
    return path


SPECIAL: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (make_fifo, "is a FIFO"), "socket": (make_socket, "is a socket"),
    "device": (make_device, "is a device"), "folder": (make_folder, "is a directory"),
}
SYSTEM_DEVICES = {"/dev/zero": "is a device", "/dev/null": "is a device"}


def task(*args: str, cwd: Path) -> Run:
    return run("connect", "plan", "--task", "T", *args, cwd=cwd)


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_a_special_content_file_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory, kind: str) -> None:
    maker, needle = SPECIAL[kind]
    source = maker(tmp_path_factory.mktemp("src") / "content")
    refused(task("--write", "x.py", "--content-file", str(source), cwd=project), needle)
    assert not (project / "x.py").exists()


@pytest.mark.parametrize("device", sorted(SYSTEM_DEVICES))
@pytest.mark.parametrize("option", ["--content-file", "--patch"])
def test_a_system_device_as_source_is_refused(project: Path, device: str, option: str) -> None:
    args = ["--write", "x.py", "--content-file", device] if option == "--content-file" else ["--patch", device]
    refused(task(*args, cwd=project), device, SYSTEM_DEVICES[device])


@pytest.mark.parametrize("kind", ["fifo", "socket", "folder"])
def test_a_special_patch_file_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory, kind: str) -> None:
    maker, needle = SPECIAL[kind]
    refused(task("--patch", str(maker(tmp_path_factory.mktemp("src") / "p.diff")), cwd=project), needle)


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_writing_over_a_special_workspace_file_is_refused(project: Path, kind: str) -> None:
    maker, needle = SPECIAL[kind]
    maker(project / "target")
    content = project.parent / "content.txt"
    content.write_text("x = 1\n")
    refused(task("--write", "target", "--content-file", str(content), cwd=project), "target", needle)


def test_a_patch_to_a_fifo_in_the_workspace_is_refused(project: Path) -> None:
    make_fifo(project / "pipe")
    patch = project.parent / "p.diff"
    patch.write_text("--- a/pipe\n+++ b/pipe\n@@ -1 +1 @@\n-a\n+b\n")
    refused(task("--patch", str(patch), cwd=project), "pipe", "is a FIFO")


@pytest.mark.parametrize("kind", sorted(SPECIAL))
def test_apply_refuses_a_special_file_where_the_plan_writes(project: Path, kind: str) -> None:
    maker, _ = SPECIAL[kind]
    write_files(project, {"a.py": "a = 0\n"})
    decision_id = record(project, make_plan(project, {"a.py": "a = 1\n", "target": "planned = 1\n"}))
    maker(project / "target")
    result = run("apply", decision_id, cwd=project)
    refused(result, "target", "not a regular file")
    assert (project / "a.py").read_text() == "a = 0\n" and not journal_dir(project).exists()
    assert read_events(project)[-1].event == "apply-refused" and read_events(project)[-1].data["reason"] == "not-a-file"


def test_a_decided_plan_whose_target_became_a_fifo_does_not_hang(project: Path) -> None:
    plan = make_plan(project, {"pipe.py": "x = 1\n"})
    plan_file = project.parent / "plan.json"
    plan_file.write_text(plan.model_dump_json())
    make_fifo(project / "pipe.py")
    decided = task("--plan", str(plan_file), "--json", cwd=project)
    assert decided.code in (0, 20, 30, 40), decided.stderr
    if decided.code == 0:
        refused(run("apply", json.loads(decided.stdout)["decision_id"], cwd=project), "pipe.py", "is a FIFO")
    assert stat.S_ISFIFO(os.lstat(project / "pipe.py").st_mode), "the FIFO is left as it was"


LONG_NAMES = {
    "ascii name over NAME_MAX": "n" * (NAME_MAX + 1) + ".py",
    "folder name over NAME_MAX": "d" * 300 + "/x.py",
    "multi-byte name over NAME_MAX": "é" * (NAME_MAX // 2 + 1),
    "path over PATH_MAX": "/".join(["p" * 250] * 20) + "/x.py",
}


@pytest.mark.parametrize("case", sorted(LONG_NAMES))
def test_deciding_on_an_impossible_path_is_bad_input(project: Path, case: str) -> None:
    content = project.parent / "content.txt"
    content.write_text("x = 1\n")
    needle = "the path is" if "PATH_MAX" in case else "a path component is"
    refused(task("--write", LONG_NAMES[case], "--content-file", str(content), cwd=project), needle, "limit")


@pytest.mark.parametrize("how", ["--patch", "--command"])
def test_an_impossible_path_in_a_patch_or_command_is_bad_input(project: Path, how: str) -> None:
    name = "n" * 300 + ".py"
    if how == "--patch":
        patch = project.parent / "p.diff"
        patch.write_text(f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+x = 1\n")
        refused(task("--patch", str(patch), cwd=project), "a path component is")
    else:
        refused(task("--command", f"echo hi > {name}", cwd=project), "a path component is")


@pytest.mark.parametrize("name", ["n" * NAME_MAX, "é" * (NAME_MAX // 2)], ids=["ascii", "multi-byte"])
def test_a_name_of_exactly_the_limit_is_decided_and_applied(project: Path, name: str) -> None:
    content = project.parent / "content.txt"
    content.write_text("x = 1\n")
    decided = task("--write", name, "--content-file", str(content), "--json", cwd=project)
    assert decided.code == 0, decided.stderr
    applied = run("apply", json.loads(decided.stdout)["decision_id"], cwd=project)
    assert applied.code == 0, applied.stderr
    assert (project / name).read_text() == "x = 1\n" and not temp_files(project)


@pytest.mark.parametrize("path", ["n" * 300 + ".py", "d" * 300 + "/x.py", "ok/" + "e" * 256])
def test_apply_refuses_a_stored_plan_with_an_impossible_path_and_every_command_keeps_working(
        project: Path, path: str) -> None:
    write_files(project, {"a.py": "a = 0\n"})
    decision_id = forge(project, make_plan(project, {"a.py": "a = 1\n", path: "x = 1\n"}))
    refused(run("apply", decision_id, cwd=project), "over the file system's limit")
    assert (project / "a.py").read_text() == "a = 0\n" and not journal_dir(project).exists()
    for args in (["connect", "review", "list"], ["connect", "recover"], ["check"]):
        later = run(*args, cwd=project)
        assert later.code in (0, 1) and not later.stderr.strip(), (args, later.stderr)
