"""The audit log: hash chain, head anchor, and `connect audit verify` naming the tampered line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_patchgate

from patchgate.connect.audit.log import GENESIS, append_event, audit_path, head_path, line_sha, read_head, repair
from patchgate.connect.audit.verify import verify_log

EVENTS = 6


@pytest.fixture
def logged(project: Path) -> Path:
    """A workspace whose audit log holds six events."""
    for number in range(EVENTS):
        append_event(project, "decision", f"d{number}", {"verdict": "permit", "n": number})
    return project


def lines(root: Path) -> list[bytes]:
    return audit_path(root).read_bytes().splitlines(keepends=True)


def rewrite(root: Path, new_lines: list[bytes]) -> None:
    audit_path(root).write_bytes(b"".join(new_lines))


def test_lines_chain_and_head_anchors_the_last(logged: Path) -> None:
    raw = lines(logged)
    events = [json.loads(line) for line in raw]
    assert [e["seq"] for e in events] == list(range(1, EVENTS + 1))
    assert events[0]["prev"] == GENESIS
    assert all(events[i]["prev"] == line_sha(raw[i - 1]) for i in range(1, EVENTS))
    assert raw[0] == (json.dumps(events[0], sort_keys=True, separators=(",", ":")) + "\n").encode()
    head = read_head(logged)
    assert head is not None and head.seq == EVENTS and head.sha256 == line_sha(raw[-1])
    assert verify_log(logged).ok and verify_log(logged).events == EVENTS


def flip_byte(raw: bytes) -> bytes:
    """Change one byte inside the event's data, keeping the JSON valid."""
    index = raw.index(b'"verdict":"permit"') + len(b'"verdict":"p')
    return raw[:index] + b"a" + raw[index + 1:]


TAMPER = {
    "change-first": (lambda r: [flip_byte(r[0]), *r[1:]], 1, "changed"),
    "change-middle": (lambda r: [*r[:3], flip_byte(r[3]), *r[4:]], 4, "changed"),
    "change-last": (lambda r: [*r[:-1], flip_byte(r[-1])], EVENTS, "changed"),
    "break-json": (lambda r: [*r[:2], r[2][:-5] + b"!" + r[2][-4:], *r[3:]], 3, "changed"),
    "delete-first": (lambda r: r[1:], 1, "removed"),
    "delete-middle": (lambda r: [*r[:3], *r[4:]], 4, "removed"),
    "delete-last": (lambda r: r[:-1], EVENTS, "truncated"),
    "swap": (lambda r: [r[0], r[2], r[1], *r[3:]], 2, "reordered"),
    "insert-copy": (lambda r: [*r[:4], r[1], *r[4:]], 5, "inserted"),
    "truncate-last-bytes": (lambda r: [*r[:-1], r[-1][:20]], EVENTS, "incomplete"),
}


@pytest.mark.parametrize("case", sorted(TAMPER))
def test_verify_names_the_tampered_line(logged: Path, case: str) -> None:
    change, line, kind = TAMPER[case]
    rewrite(logged, change(lines(logged)))
    problem = verify_log(logged).problem
    assert problem is not None, f"{case} went unnoticed"
    assert (problem.line, problem.kind) == (line, kind), problem.message
    assert f"line {line}" in problem.message


def test_an_inserted_event_with_a_forged_chain_is_named(logged: Path) -> None:
    raw = lines(logged)
    forged = {"seq": 3, "time": "2026-01-01T00:00:00Z", "event": "approval", "decision_id": "d9", "data": {},
              "prev": line_sha(raw[1])}
    rewrite(logged, [*raw[:2], (json.dumps(forged, sort_keys=True, separators=(",", ":")) + "\n").encode(), *raw[2:]])
    problem = verify_log(logged).problem
    assert problem is not None and (problem.line, problem.kind) == (3, "inserted"), problem


def test_cli_verify_exit_codes_and_json(logged: Path) -> None:
    good = run_patchgate("connect", "audit", "verify", cwd=logged)
    assert (good.code, good.stdout.strip()) == (0, f"ok, {EVENTS} events"), good.stderr
    rewrite(logged, [*lines(logged)[:3], *lines(logged)[4:]])
    bad = run_patchgate("connect", "audit", "verify", "--json", cwd=logged)
    assert bad.code == 1, bad.stderr
    report = json.loads(bad.stdout)
    assert report["ok"] is False and report["problem"]["line"] == 4 and report["problem"]["kind"] == "removed"
    text = run_patchgate("connect", "audit", "verify", cwd=logged)
    assert text.code == 1 and "line 4" in text.stdout


def test_a_crash_between_line_and_head_is_settled_not_reported(logged: Path) -> None:
    head_before = head_path(logged).read_bytes()
    append_event(logged, "apply", "d5", {"files": 1})
    head_path(logged).write_bytes(head_before)  # as if killed after the line, before the head
    assert verify_log(logged).ok, "an unanchored but chained last line is crash residue"
    audit_path(logged).open("ab").write(b'{"seq":8,"ti')  # and a torn write after it
    assert verify_log(logged).problem.kind == "incomplete"
    settled = repair(logged)
    assert settled.seq == EVENTS + 1
    assert verify_log(logged).ok
    append_event(logged, "recover", None, {})
    assert verify_log(logged).ok and verify_log(logged).events == EVENTS + 2


def test_missing_head_is_reported(logged: Path) -> None:
    head_path(logged).unlink()
    problem = verify_log(logged).problem
    assert problem is not None and problem.kind == "unanchored"


def test_empty_log_verifies(project: Path) -> None:
    run = run_patchgate("connect", "audit", "verify", cwd=project)
    assert (run.code, run.stdout.strip()) == (0, "ok, 0 events"), run.stderr
