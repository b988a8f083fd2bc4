"""The holdout design: out-of-time by application date, stratified by county (or by label for other data).

With a date column the latest ``test_fraction`` of each stratum's applications (by date) form the holdout, so every
county is represented and every county is tested on its own future. Without one, a stratified random split by label.
The split is deterministic for a seed and returned as positional indices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from credit_engine.features import FeatureSpec


@dataclass(frozen=True, slots=True)
class Split:
    train: np.ndarray
    test: np.ndarray
    method: str
    cutoff: str | None = None

    def describe(self) -> dict[str, object]:
        return {
            "method": self.method,
            "n_train": len(self.train),
            "n_test": len(self.test),
            "cutoff": self.cutoff,
        }


def holdout_split(frame: pd.DataFrame, spec: FeatureSpec, *, test_fraction: float = 0.2, seed: int = 0) -> Split:
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if spec.date_column and spec.date_column in frame.columns:
        return _out_of_time(frame, spec, test_fraction)
    labels = spec.labels(frame)
    positions = np.arange(len(frame))
    train, test = train_test_split(positions, test_size=test_fraction, random_state=seed, stratify=labels)
    return Split(np.sort(train), np.sort(test), "stratified_random")


def _out_of_time(frame: pd.DataFrame, spec: FeatureSpec, test_fraction: float) -> Split:
    dates, rank, size = date_ranks(frame, spec)
    is_test = rank >= np.floor(size * (1.0 - test_fraction))
    positions = np.arange(len(frame))
    test, train = positions[is_test], positions[~is_test]
    cutoff = str(pd.Timestamp(dates[test].min()).date()) if len(test) else None
    method = "out_of_time_by_" + (spec.stratify_column or "all")
    return Split(train, test, method, cutoff)


def date_ranks(frame: pd.DataFrame, spec: FeatureSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row, in the frame's order: its date, its rank by date within its stratum (ties by position) and the
    stratum's size — what the out-of-time holdout and the forward-chaining selection folds are cut from."""
    dates = pd.to_datetime(frame[spec.date_column]).to_numpy()
    if spec.stratify_column and spec.stratify_column in frame.columns:
        strata = frame[spec.stratify_column].astype(str).to_numpy()
    else:
        strata = np.zeros(len(frame), dtype=np.int8)
    work = pd.DataFrame({"stratum": strata, "date": dates, "pos": np.arange(len(frame))})
    work = work.sort_values(["stratum", "date", "pos"], kind="stable")
    rank, size = np.empty(len(frame), dtype=np.int64), np.empty(len(frame), dtype=np.int64)
    positions = work["pos"].to_numpy()
    rank[positions] = work.groupby("stratum", sort=False).cumcount().to_numpy()
    size[positions] = work.groupby("stratum", sort=False)["pos"].transform("size").to_numpy()
    return dates, rank, size
