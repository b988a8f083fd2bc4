"""Lineage of a training run: which data (content hash), which code (git commit) and which spec made a model."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, slots=True)
class Lineage:
    data_path: str
    data_sha256: str
    rows: int
    git_commit: str
    git_dirty: bool
    spec_name: str
    spec_fingerprint: str

    def as_tags(self) -> dict[str, str]:
        return {
            "data.path": self.data_path,
            "data.sha256": self.data_sha256,
            "data.rows": str(self.rows),
            "git.commit": self.git_commit,
            "git.dirty": str(self.git_dirty).lower(),
            "spec.name": self.spec_name,
            "spec.fingerprint": self.spec_fingerprint,
        }


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def frame_sha256(frame: pd.DataFrame) -> str:
    """Content hash of a frame (values and column names; independent of the file format)."""
    row_hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update("|".join(map(str, frame.columns)).encode())
    return digest.hexdigest()


def git_state(cwd: Path | None = None) -> tuple[str, bool]:
    """(commit, dirty) of the working tree, or ("unknown", False) outside a git checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return commit, bool(status.strip())
