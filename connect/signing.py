"""SSH signatures for approvals and audit checkpoints, the way git signs commits: `ssh-keygen -Y`.

A payload is signed under the namespace `patchgate` with the signer's key (a private key file,
or a public key whose private half is in ssh-agent) and verified against an allowed-signers
file (`principal key` lines, git's `gpg.ssh.allowedSignersFile` format). Verification finds the
signature's principal in that file; a signature it cannot place belongs to nobody.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from patchgate.diagnostics.errors import InputError

NAMESPACE = "patchgate"
KEY_ENV = "PATCHGATE_SIGNING_KEY"
TIMEOUT = 30.0


def _ssh_keygen() -> str:
    """The ssh-keygen program; signing cannot work without it."""
    program = shutil.which("ssh-keygen")
    if program is None:
        raise InputError("signing needs ssh-keygen (OpenSSH 8.2 or newer) on PATH")
    return program


def signing_key(given: str | None) -> Path:
    """The key to sign with: --key, then PATCHGATE_SIGNING_KEY, then git's user.signingkey."""
    value = given or os.environ.get(KEY_ENV) or _git_signing_key()
    if not value:
        raise InputError("approvals here must be signed: give --key PATH (an SSH key), or set "
                         f"{KEY_ENV} or git's user.signingkey")
    path = Path(value.removeprefix("key::")).expanduser()
    if not path.is_file():
        raise InputError(f"signing key {path}: no such file")
    return path


def _git_signing_key() -> str | None:
    """git config user.signingkey, if git is there and it is set."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        result = subprocess.run([git, "config", "--get", "user.signingkey"], capture_output=True, text=True,
                                timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def sign(payload: bytes, key: Path) -> str:
    """An armored SSH signature of the payload; a key that cannot sign is bad input."""
    try:
        result = subprocess.run([_ssh_keygen(), "-Y", "sign", "-q", "-f", str(key), "-n", NAMESPACE],
                                input=payload, capture_output=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"signing with {key} timed out (a passphrase prompt? use ssh-agent)") from None
    text = result.stdout.decode("ascii", "replace")
    if result.returncode != 0 or "BEGIN SSH SIGNATURE" not in text:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"cannot sign with {key}: {reason[-1] if reason else 'ssh-keygen failed'}")
    return text


def _run(args: list[str], payload: bytes | None) -> subprocess.CompletedProcess[bytes] | None:
    """ssh-keygen with the arguments; None when it cannot be run at all."""
    try:
        return subprocess.run([_ssh_keygen(), *args], input=payload, capture_output=True, timeout=TIMEOUT,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None


def signer_of(payload: bytes, signature: str, allowed: Path) -> str | None:
    """The allowed principal whose key made this signature of this payload, or None."""
    if "BEGIN SSH SIGNATURE" not in signature or not allowed.is_file():
        return None
    with tempfile.TemporaryDirectory(prefix="patchgate-sig-") as folder:
        sig = Path(folder) / "payload.sig"
        sig.write_text(signature, encoding="ascii", errors="replace")
        found = _run(["-Y", "find-principals", "-s", str(sig), "-f", str(allowed)], None)
        if found is None or found.returncode != 0:
            return None
        for principal in found.stdout.decode("utf-8", "replace").split():
            checked = _run(["-Y", "verify", "-f", str(allowed), "-I", principal, "-n", NAMESPACE, "-s", str(sig)],
                           payload)
            if checked is not None and checked.returncode == 0:
                return principal
    return None


def require_signer(payload: bytes, signature: str, allowed: Path, principal: str, key: Path) -> None:
    """Refuse (before anything is recorded) a signature the allowed signers do not place under this principal."""
    if signer_of(payload, signature, allowed) != principal:
        raise InputError(f"{key} is not an allowed signer for {principal!r} in {allowed} "
                         f"(a line `{principal} namespaces=\"{NAMESPACE}\" <public key>`); nothing was recorded")
