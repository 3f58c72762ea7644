"""Which rules each file still needs, given its cache row, and the row to store once they have run.

A file's cached raw findings answer any selection of rules already run on its bytes: only the
missing rules run, and the row grows. So alternating `--select A` and `--select B` is warm from the
third run on, and a run whose selection is a subset of an earlier one parses nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from patchgate.diagnostics.cache import Row

NOTHING = "[]"


@dataclass(frozen=True)
class FileJob:
    """One file for a worker: where to read it, its rules, which of them to run, and stored findings of the others."""

    absolute: str
    relative: str
    selected: frozenset[str]
    compute: frozenset[str]
    prior: str = NOTHING


def selection_key(selected: frozenset[str]) -> str:
    """The key of a finished result: which rules it was finished for."""
    return hashlib.sha256(json.dumps(sorted(selected)).encode()).hexdigest()


def only(raw: str, rules: frozenset[str]) -> str:
    """Raw findings JSON kept to some rules (an engine's own findings stay: they belong to the whole run)."""
    kept = [item for item in json.loads(raw) if item["rule_id"] in rules or item["engine"] == "patchgate"]
    return json.dumps(kept)


def plan(absolute: str, relative: str, selected: frozenset[str], row: Row | None) -> FileJob | str:
    """The finished findings JSON when the row has them for this selection, else the job that gives them."""
    if row is not None and row.answers(selected):
        if row.final_key == selection_key(selected):
            return row.final
        return FileJob(absolute, relative, selected, frozenset(), only(row.raw, selected))
    if row is not None and not row.exact:
        return FileJob(absolute, relative, selected, selected - row.rules, only(row.raw, selected & row.rules))
    return FileJob(absolute, relative, selected, selected)


def merged(row: Row | None, job: FileJob, raw: str, final: str) -> Row:
    """The row to store after a job: the old rules' findings plus those just computed, and the finished result."""
    key = selection_key(job.selected)
    if not job.compute and row is not None:
        return Row(row.rules, row.exact, row.raw, key, final)
    fresh = json.loads(raw)
    own = any(item["engine"] == "patchgate" for item in fresh)
    if own or row is None or row.exact or job.compute == job.selected:
        if own:
            return Row(job.selected, True, json.dumps(json.loads(job.prior) + fresh), key, final)
        if row is None or row.exact:
            return Row(job.compute, False, raw, key, final)
    return Row(row.rules | job.compute, False, json.dumps(json.loads(row.raw) + fresh), key, final)
