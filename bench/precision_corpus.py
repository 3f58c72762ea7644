"""The precision bench's six projects: pinned sdists fetched once, and cached tool runs on them.

Runs are cached under `<bench cache>/precision/` keyed by project and patchgate commit (plus a
hash of uncommitted changes), so `precision.py --judge` can reuse a run instead of redoing it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CACHE  # noqa: E402

BIN = Path(sys.executable).parent
RUNS = CACHE / "precision"
SOURCES = RUNS / "src"


@dataclass(frozen=True)
class Project:
    """One pinned sdist: where it unpacks, where its code lives, what it imports as."""

    name: str
    version: str
    src: str  # directory put on sys.path to import the package, relative to the root
    imports: tuple[str, ...]

    @property
    def root(self) -> Path:
        """A pristine unpack of its own, so other benches' configs (Django's sgconfig.yml) stay out."""
        return SOURCES / f"{'Django' if self.name == 'django' else self.name}-{self.version}"


PROJECTS: tuple[Project, ...] = (
    Project("requests", "2.32.3", "src", ("requests",)),
    Project("flask", "3.1.0", "src", ("flask",)),
    Project("rich", "13.9.4", ".", ("rich",)),
    Project("attrs", "24.3.0", "src", ("attr", "attrs")),
    Project("httpx", "0.28.1", ".", ("httpx",)),
    Project("django", "5.1.4", ".", ("django",)),
)


def fetch(project: Project) -> Path:
    """The unpacked sdist, downloaded once with pip; a patchgate.toml pins the check's root there."""
    root = project.root
    if not (root / "PKG-INFO").is_file():
        SOURCES.mkdir(parents=True, exist_ok=True)
        archives = [p for p in CACHE.glob("*.tar.gz") if p.name.lower() == f"{project.name}-{project.version}.tar.gz"]
        if not archives:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                            f"{project.name}=={project.version}", "-d", str(CACHE), "-q"], check=True)
            archives = [p for p in CACHE.glob("*.tar.gz")
                        if p.name.lower() == f"{project.name}-{project.version}.tar.gz"]
        with tarfile.open(archives[0]) as tar:
            tar.extractall(SOURCES, filter="data")
    config = root / "patchgate.toml"
    if not config.exists():
        config.write_text("# default rules\n", encoding="utf-8")
    return root


def patchgate_key() -> str:
    """The installed patchgate's commit, with a digest of uncommitted changes when its tree is dirty."""
    probe = "import os, patchgate.cli; print(os.path.dirname(patchgate.cli.__file__))"
    package = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    source = subprocess.run(["git", "-C", package, "rev-parse", "--show-toplevel"], capture_output=True,
                            text=True).stdout.strip() or package
    head = subprocess.run(["git", "-C", source, "rev-parse", "--short=12", "HEAD"],
                          capture_output=True, text=True).stdout.strip() or "unknown"
    outside_bench = ["--", ".", ":(exclude)bench", ":(exclude)tests", ":(exclude)docs"]
    diff = subprocess.run(["git", "-C", source, "diff", "HEAD", *outside_bench], capture_output=True).stdout
    untracked = subprocess.run(["git", "-C", source, "ls-files", "--others", "--exclude-standard", *outside_bench],
                               capture_output=True, text=True).stdout
    extra = diff + b"".join(Path(source, p).read_bytes() for p in untracked.split()
                            if p.endswith(".py") and Path(source, p).is_file())
    return head + (f"-dirty{hashlib.sha256(extra).hexdigest()[:8]}" if extra else "")


def ruff_version() -> str:
    """The ruff the comparison ran against, part of its cache key."""
    return subprocess.run([str(BIN / "ruff"), "--version"], capture_output=True, text=True,
                          check=True).stdout.split()[-1]


def target_version(root: Path) -> str:
    """The target patchgate's own config gives the project (requires-python, else Poetry's python), as ruff spells it."""
    from patchgate.diagnostics.config import load_config

    major, minor = load_config(root).python_target
    return f"py{major}{minor}"


def _cached(path: Path, command: list[str], cwd: Path, fresh: bool, env: dict[str, str] | None = None) -> object:
    """A tool's JSON output, read from `path` when a run with the same key was already made."""
    if path.exists() and not fresh:
        return json.loads(path.read_text(encoding="utf-8"))
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} failed in {cwd} ({result.returncode}): {result.stderr[-2000:]}")
    data = json.loads(result.stdout)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    return data


def patchgate_findings(project: Project, key: str, jobs: int, fresh: bool = False) -> list[dict]:
    """The default pack's diagnostics on one project (`check --format json --no-cache`)."""
    command = [str(BIN / "patchgate"), "check", "--format", "json", "--no-cache", "-j", str(jobs)]
    data = _cached(RUNS / key / f"{project.name}-{project.version}.json", command, fetch(project), fresh)
    return data["diagnostics"]  # type: ignore[index]


def ruff_findings(project: Project, stable: list[str], preview: list[str], fresh: bool = False) -> list[dict]:
    """ruff's findings for the alias codes: config-free (`--isolated`), stable and preview codes run apart."""
    root = fetch(project)
    found: list[dict] = []
    codes_key = hashlib.sha256(",".join(sorted(stable) + ["|"] + sorted(preview)).encode()).hexdigest()[:8]
    for kind, codes in (("stable", stable), ("preview", preview)):
        if not codes:
            continue
        command = [str(BIN / "ruff"), "check", "--no-cache", "--isolated", "--exit-zero", "--output-format", "json",
                   "--target-version", target_version(root), "--select", ",".join(codes), "."]
        if kind == "preview":
            command.insert(-1, "--preview")
        path = RUNS / f"ruff-{ruff_version()}" / codes_key / f"{project.name}-{project.version}-{kind}.json"
        found += _cached(path, command, root, fresh)  # type: ignore[arg-type]
    for item in found:
        item["filename"] = os.path.relpath(item["filename"], root)
    return found
