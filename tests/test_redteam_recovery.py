"""Red team, forged state: recovery acts only on a journal apply wrote for a stored decision of this workspace.

Each case forges a journal (and, where it helps the attack, a consistent decision too) that a
naive recovery would act on by writing, deleting or chmod-ing a marker file: outside the
workspace, in `.git/hooks`, through a symlinked folder, over a file with bytes the journal
lies about. The next command must leave every marker as it was, move the journal to the
quarantine folder (never executed, never deleted) and say so in one line; `connect recover`
exits 40 naming it, and every command keeps working afterwards. Journals in folders above the
workspace root are never even looked at. Attacks touch marker files in tmp_path only.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files
from test_redteam_support import (
    EVIL, FAKE_ID, Scene, decision_for, digest, entry, forge, one_line, make_scene, quarantined,
)

from patchgate.connect.audit.log import append_event
from patchgate.connect.interrupted import journal_dir
from patchgate.connect.store import decisions_dir



@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return make_scene(tmp_path)


def outside_relative(s: Scene) -> str:
    target = s.marker(s.outside / "marker.txt")
    rel = os.path.relpath(target, s.root)
    return forge(s.root, FAKE_ID, "p" * 64, [entry(rel, EVIL, digest(target.read_bytes()))])


def outside_absolute(s: Scene) -> str:
    target = s.marker(s.outside / "marker.txt")
    return forge(s.root, FAKE_ID, "p" * 64, [entry(str(target), EVIL, digest(target.read_bytes()))])


def git_hook_fake_decision(s: Scene) -> str:
    s.marker(s.root / ".git" / "hooks" / "pre-commit", None)
    return forge(s.root, FAKE_ID, "p" * 64, [entry(".git/hooks/pre-commit", EVIL, None, mode=0o755)])


def _git_hook_via_real_decision(s: Scene, path: str) -> str:
    """A decision (with audit event) that creates a hook, 'applied', and a journal that would put EVIL back."""
    hook = s.root / path
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_bytes(EVIL)
    decision_id, plan = decision_for(s.root, {path: "# harmless\n"}, "deny")
    hook.write_text("# harmless\n", encoding="utf-8")
    s.marker(hook, b"# harmless\n")
    hook.chmod(0o644)
    return forge(s.root, decision_id, plan.id, [entry(path, EVIL, plan.files[0].after_sha256, mode=0o755)])


def git_hook_real_decision(s: Scene) -> str:
    return _git_hook_via_real_decision(s, ".git/hooks/pre-commit")


def nested_git_hook_real_decision(s: Scene) -> str:
    return _git_hook_via_real_decision(s, "vendor/lib/.git/hooks/post-checkout")


def patchgate_state_real_decision(s: Scene) -> str:
    return _git_hook_via_real_decision(s, ".patchgate/plans/x.json")


def delete_a_file(s: Scene) -> str:
    victim = s.marker(s.root / "victim.py")
    return forge(s.root, FAKE_ID, "p" * 64, [entry("victim.py", None, digest(victim.read_bytes()))])


def unknown_decision(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    return forge(s.root, FAKE_ID, "p" * 64, [entry("a.py", EVIL, digest(target.read_bytes()))])


def bad_decision_id(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    return forge(s.root, "../../outside", "p" * 64, [entry("a.py", EVIL, digest(target.read_bytes()))],
                 name="x.json")


def other_paths_than_the_plan(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    target = s.marker(s.root / "b.py")
    return forge(s.root, decision_id, plan.id, [entry("b.py", EVIL, digest(target.read_bytes()))])


def an_extra_path(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    s.marker(s.root / "a.py", b"x = 2\n")
    target = s.marker(s.root / "b.py")
    item = plan.files[0]
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", item.after_sha256),
                                                entry("b.py", EVIL, digest(target.read_bytes()))])


def other_digests_than_the_plan(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    target = s.marker(s.root / "a.py", b"mine = 1\n")
    return forge(s.root, decision_id, plan.id, [entry("a.py", EVIL, digest(target.read_bytes()))])


def before_bytes_that_lie(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    s.marker(s.root / "a.py", b"x = 2\n")
    item = plan.files[0]
    return forge(s.root, decision_id, plan.id, [entry("a.py", EVIL, item.after_sha256, before_sha256=item.base_sha256)])


def other_plan_digest(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    s.marker(s.root / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, "0" * 64, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)])


def dotdot_with_real_decision(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    target = s.marker(s.outside / "a.py", b"x = 2\n")
    rel = os.path.relpath(target, s.root)
    return forge(s.root, decision_id, plan.id, [entry(rel, b"x = 1\n", plan.files[0].after_sha256)])


def absolute_with_real_decision(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    target = s.marker(s.outside / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, plan.id, [entry(str(target), b"x = 1\n", plan.files[0].after_sha256)])


def symlinked_folder_with_real_decision(s: Scene) -> str:
    """A genuine-looking journal, but pkg/ was swapped for a symlink to a folder outside since."""
    write_files(s.root, {"pkg/a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"pkg/a.py": "x = 2\n"})
    shutil.rmtree(s.root / "pkg")
    s.marker(s.outside / "a.py", b"x = 2\n")
    os.symlink(s.outside, s.root / "pkg")
    return forge(s.root, decision_id, plan.id, [entry("pkg/a.py", b"x = 1\n", plan.files[0].after_sha256)])


def symlinked_file_with_real_decision(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    target = s.marker(s.outside / "a.py", b"x = 2\n")
    (s.root / "a.py").unlink()
    os.symlink(target, s.root / "a.py")
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)])


def renamed_journal(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    s.marker(s.root / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)],
                 name=f"{FAKE_ID}.json")


def denied_decision(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"}, verdict="deny")
    s.marker(s.root / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)])


def decision_copied_from_another_workspace(s: Scene) -> str:
    other = s.outside / "other-ws"
    (other / ".git").mkdir(parents=True)
    write_files(other, {"a.py": "x = 1\n"})
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(other, {"a.py": "x = 2\n"})
    shutil.copytree(decisions_dir(other) / decision_id, decisions_dir(s.root) / decision_id)
    s.marker(s.root / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)])


def applied_decision_replayed(s: Scene) -> str:
    write_files(s.root, {"a.py": "x = 1\n"})
    decision_id, plan = decision_for(s.root, {"a.py": "x = 2\n"})
    append_event(s.root, "apply", decision_id, {"plan_digest": plan.id, "files": 1})
    s.marker(s.root / "a.py", b"x = 2\n")
    return forge(s.root, decision_id, plan.id, [entry("a.py", b"x = 1\n", plan.files[0].after_sha256)])


def created_dirs_elsewhere(s: Scene) -> str:
    decision_id, plan = decision_for(s.root, {"new/x.py": "x = 2\n"})
    keep = s.root / "keep"
    keep.mkdir()
    s.folders.append(keep)
    s.marker(s.root / "new" / "x.py", None)
    return forge(s.root, decision_id, plan.id, [entry("new/x.py", None, plan.files[0].after_sha256,
                                                      created_dirs=("keep",))])


def not_json(s: Scene) -> str:
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    (journal_dir(s.root) / "x.json").write_bytes(b"\x00\xff not json")
    s.marker(s.root / "a.py")
    return "x.json"


def deeply_nested_json(s: Scene) -> str:
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    (journal_dir(s.root) / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    s.marker(s.root / "a.py")
    return "deep.json"


def fifo_journal(s: Scene) -> str:
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    os.mkfifo(journal_dir(s.root) / f"{FAKE_ID}.json")
    s.marker(s.root / "a.py")
    return f"{FAKE_ID}.json"


def socket_journal(s: Scene) -> str:
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(journal_dir(s.root))  # AF_UNIX paths are short: bind by relative name
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind("s.json")
        server.close()
    finally:
        os.chdir(cwd)
    s.marker(s.root / "a.py")
    return "s.json"


def symlinked_journal(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    real = s.outside / "journal.json"
    real.write_text(json.dumps({"decision_id": FAKE_ID, "plan_digest": "p" * 64, "created_at": "x",
                                "files": [entry("a.py", EVIL, digest(target.read_bytes()))]}), encoding="utf-8")
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    os.symlink(real, journal_dir(s.root) / f"{FAKE_ID}.json")
    return f"{FAKE_ID}.json"


def folder_named_like_a_journal(s: Scene) -> str:
    (journal_dir(s.root) / "x.json").mkdir(parents=True)
    s.marker(s.root / "a.py")
    return "x.json"


def torn_temp_that_is_a_symlink(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    journal_dir(s.root).mkdir(parents=True, exist_ok=True)
    name = f".{FAKE_ID}.json.abcd1234.tmp"
    os.symlink(target, journal_dir(s.root) / name)
    return name


def temp_name_for_no_stored_decision(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    return forge(s.root, FAKE_ID, "p" * 64, [entry("a.py", EVIL, digest(target.read_bytes()))],
                 name=f".{FAKE_ID}.json.abcd1234.tmp")


def newline_in_the_name(s: Scene) -> str:
    target = s.marker(s.root / "a.py")
    return forge(s.root, FAKE_ID, "p" * 64, [entry("a.py", EVIL, digest(target.read_bytes()))],
                 name="evil\nname.json")


FORGERIES: dict[str, Callable[[Scene], str]] = {f.__name__: f for f in [
    outside_relative, outside_absolute, git_hook_fake_decision, git_hook_real_decision,
    nested_git_hook_real_decision, patchgate_state_real_decision, delete_a_file, unknown_decision, bad_decision_id,
    other_paths_than_the_plan, an_extra_path, other_digests_than_the_plan, before_bytes_that_lie, other_plan_digest,
    dotdot_with_real_decision, absolute_with_real_decision, symlinked_folder_with_real_decision,
    symlinked_file_with_real_decision, renamed_journal, denied_decision, decision_copied_from_another_workspace,
    applied_decision_replayed, created_dirs_elsewhere, not_json, deeply_nested_json, fifo_journal, socket_journal,
    symlinked_journal, folder_named_like_a_journal, torn_temp_that_is_a_symlink, temp_name_for_no_stored_decision,
    newline_in_the_name,
]}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_a_forged_journal_is_quarantined_never_executed(scene: Scene, forgery: str) -> None:
    name = FORGERIES[forgery](scene)
    entry_path = journal_dir(scene.root) / name
    shown = name.replace("\n", "\\n")
    run = run_patchgate("connect", "recover", cwd=scene.root)
    assert run.code == 40, (run.stdout, run.stderr)
    line = one_line(run.stderr)
    assert "quarantined 1 apply journal" in line and shown in line, line
    assert scene.untouched(), "a forged journal was acted on"
    assert not entry_path.exists() and not entry_path.is_symlink(), "the journal is moved aside"
    (moved,) = quarantined(scene.root)
    assert moved.name.endswith(name[-20:]), "kept, not deleted, under its own name"
    again = run_patchgate("connect", "recover", cwd=scene.root)
    assert again.code == 0 and again.stdout.strip() == "nothing to recover", "other commands keep working"


@pytest.mark.parametrize("args", [["check"], ["connect", "review", "list"], ["plan", "fix"]], ids=" ".join)
@pytest.mark.parametrize("forgery", ["git_hook_fake_decision", "symlinked_folder_with_real_decision"])
def test_other_commands_quarantine_say_so_in_one_line_and_carry_on(scene: Scene, forgery: str,
                                                                  args: list[str]) -> None:
    name = FORGERIES[forgery](scene)
    run = run_patchgate(*args, cwd=scene.root)
    assert run.code in (0, 1), (run.code, run.stderr)
    warnings = [line for line in run.stderr.splitlines() if "quarantined" in line]
    assert len(warnings) == 1 and name in warnings[0] and "never acting on them" in warnings[0]
    assert scene.untouched() and len(quarantined(scene.root)) == 1 and not (journal_dir(scene.root) / name).exists()


def test_quarantined_journals_are_named_together_in_one_line(scene: Scene) -> None:
    names = [outside_relative(scene), newline_in_the_name(scene), not_json(scene)]
    run = run_patchgate("connect", "recover", cwd=scene.root)
    line = one_line(run.stderr)
    assert run.code == 40 and "quarantined 3 apply journal(s)" in line
    assert all(name.replace("\n", "\\n") in line for name in names) and scene.untouched()
    assert len(quarantined(scene.root)) == 3
