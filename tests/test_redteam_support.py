"""Shared helpers (no tests here) for the red-team recovery tests: forge journals, watch marker files."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from test_apply_support import make_plan, record

from patchgate.connect.interrupted import journal_dir, quarantine_dir

EVIL = b"#!/bin/sh\necho pwned > /dev/null\n"
FAKE_ID = "20990101T000000Z-deadbeef"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def entry(path: str, before: bytes | None, after_sha256: str | None, mode: int | None = 0o644,
          created_dirs: tuple[str, ...] = (), before_sha256: str | None = "auto") -> dict:
    """One journal file entry as JSON data; by default it is self-consistent (before bytes hash right)."""
    return {"path": path, "before_sha256": (None if before is None else digest(before)) if before_sha256 == "auto"
            else before_sha256, "after_sha256": after_sha256,
            "before_b64": None if before is None else base64.b64encode(before).decode(),
            "mode": None if before is None else mode, "created_dirs": list(created_dirs)}


def forge(root: Path, decision_id: str, plan_digest: str, files: list[dict], name: str | None = None) -> str:
    """Drop a hand-written journal into the workspace's journal folder; returns its file name."""
    folder = journal_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    name = name or f"{decision_id}.json"
    data = {"decision_id": decision_id, "plan_digest": plan_digest, "created_at": "2099-01-01T00:00:00Z", "files": files}
    (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return name


class Scene:
    """A forged journal in a workspace, and the marker files it is after (path -> bytes that must stay)."""

    def __init__(self, root: Path, outside: Path) -> None:
        self.root, self.outside = root, outside
        self.markers: dict[Path, bytes | None] = {}
        self.folders: list[Path] = []

    def marker(self, path: Path, data: bytes | None = b"precious = True\n") -> Path:
        """A file the attack must not change (None: a file that must not come to exist)."""
        if data is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.markers[path] = data
        return path

    def untouched(self) -> bool:
        files = all((p.read_bytes() if p.exists() or p.is_symlink() else None) == data for p, data in self.markers.items())
        return files and all(p.is_dir() for p in self.folders)


def decision_for(root: Path, changes: dict[str, str | None], verdict: str = "permit") -> tuple[str, object]:
    """A real stored decision (with its audit event) for a plan of `changes`; its id and plan."""
    plan = make_plan(root, changes)
    return record(root, plan, verdict), plan


def one_line(text: str) -> str:
    """The only line of a one-line report."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def make_scene(tmp_path: Path) -> Scene:
    """A workspace (git marker, empty config) and a folder outside it for markers."""
    root, outside = tmp_path / "ws", tmp_path / "outside"
    (root / ".git").mkdir(parents=True)
    (root / "patchgate.toml").write_text("", encoding="utf-8")
    outside.mkdir()
    return Scene(root, outside)


def quarantined(root: Path) -> list[Path]:
    """What the quarantine folder holds."""
    folder = quarantine_dir(root)
    return sorted(folder.iterdir()) if folder.is_dir() else []
