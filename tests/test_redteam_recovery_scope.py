"""Red team, where recovery looks: only the workspace root's journal folder, never a folder above it.

A forged journal (with a forged decision store) in a folder above the workspace, one or three
levels up, is never read, moved or acted on by any command started in the workspace or a
subfolder of it; nor is one in a subfolder of the workspace. A journal's own temp file for a
stored decision is apply debris and removed; one for no stored decision is quarantined
(test_redteam_recovery.py). Attacks touch marker files in tmp_path only.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_patchgate, write_files
from test_redteam_support import EVIL, FAKE_ID, Scene, decision_for, digest, entry, forge, make_scene, quarantined

from patchgate.connect.interrupted import journal_dir


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    return make_scene(tmp_path)


def test_a_torn_journal_temp_of_a_stored_decision_is_apply_debris_and_removed(scene: Scene) -> None:
    write_files(scene.root, {"a.py": "x = 1\n"})
    decision_id, _ = decision_for(scene.root, {"a.py": "x = 2\n"})
    journal_dir(scene.root).mkdir(parents=True)
    (journal_dir(scene.root) / f".{decision_id}.json.k2j4h5g1.tmp").write_text('{"decision_id": "', encoding="utf-8")
    run = run_patchgate("connect", "recover", cwd=scene.root)
    assert run.code == 0 and not journal_dir(scene.root).exists() and not quarantined(scene.root), run.stderr
    assert (scene.root / "a.py").read_text() == "x = 1\n"


def hostile_parent(tmp_path: Path, levels: int) -> tuple[Path, Path, Path]:
    """A workspace `levels` folders below a folder holding a decision store and a journal consistent with it."""
    above = tmp_path / "above"
    root = above.joinpath(*[f"l{index}" for index in range(levels - 1)], "ws")
    (root / ".git").mkdir(parents=True)
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    marker = root / "a.py"
    marker.write_bytes(EVIL)
    rel = os.path.relpath(marker, above)
    decision_id, plan = decision_for(above, {rel: "precious = True\n"})
    marker.write_bytes(b"precious = True\n")
    forge(above, decision_id, plan.id, [entry(rel, EVIL, plan.files[0].after_sha256)])
    forge(above, FAKE_ID, "p" * 64, [entry(".git/hooks/pre-commit", EVIL, None, mode=0o755)], name="hook.json")
    return above, root, marker


@pytest.mark.parametrize("levels", [1, 3])
@pytest.mark.parametrize("args", [["check"], ["connect", "recover"], ["connect", "audit", "verify"]], ids=" ".join)
@pytest.mark.parametrize("start", [".", "sub"])
def test_a_journal_above_the_workspace_is_never_looked_at(tmp_path: Path, levels: int, args: list[str],
                                                          start: str) -> None:
    above, root, marker = hostile_parent(tmp_path, levels)
    (root / "sub").mkdir()
    before = sorted(os.listdir(journal_dir(above)))
    run = run_patchgate(*args, cwd=root / start)
    assert run.code in (0, 1) and "quarantined" not in run.stderr and "recovered" not in run.stderr, run.stderr
    assert marker.read_bytes() == b"precious = True\n" and not (root / ".git" / "hooks" / "pre-commit").exists()
    assert sorted(os.listdir(journal_dir(above))) == before, "another folder's state is none of this workspace's business"


def test_a_journal_in_a_subfolder_of_the_workspace_is_not_a_workspace_journal(scene: Scene) -> None:
    marker = scene.marker(scene.root / "a.py")
    sub = scene.root / "sub"
    forge(sub, FAKE_ID, "p" * 64, [entry("../a.py", EVIL, digest(marker.read_bytes()))])
    run = run_patchgate("check", "sub", cwd=scene.root)
    assert "quarantined" not in run.stderr and scene.untouched() and (journal_dir(sub) / f"{FAKE_ID}.json").exists()


def test_the_journal_above_is_live_for_the_folder_it_belongs_to(tmp_path: Path) -> None:
    """Proof the forged state above would work if looked at: run from that folder, it is its own workspace's."""
    above, root, marker = hostile_parent(tmp_path, 1)
    run = run_patchgate("connect", "recover", cwd=above)
    assert run.code == 40 and "hook.json" in run.stderr, "the journal that names no decision is quarantined"
    assert marker.read_bytes() == EVIL, "the consistent one is recovered there: so only the scope protects ws"
    assert not (root / ".git" / "hooks" / "pre-commit").exists() and len(quarantined(above)) == 1
