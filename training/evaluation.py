"""Holdout metrics: discrimination (AUC, KS), accuracy of probabilities (Brier, calibration by decile).

Calibration by decile groups rows by predicted PD into ten equal-count bins and compares the mean predicted PD with
the observed default rate and, when the generator's truth is known, with the mean true PD.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve


def ks_statistic(y: np.ndarray, pd_: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, pd_)
    return float(np.max(tpr - fpr))


def calibration_by_decile(pd_: np.ndarray, y: np.ndarray, true_pd: np.ndarray | None = None) -> list[dict]:
    order = np.argsort(pd_, kind="stable")
    rows = []
    for decile, chunk in enumerate(np.array_split(order, 10), start=1):
        if len(chunk) == 0:
            continue
        row = {
            "decile": decile,
            "n": int(len(chunk)),
            "mean_pd": float(pd_[chunk].mean()),
            "observed_rate": float(y[chunk].mean()),
        }
        if true_pd is not None:
            row["mean_true_pd"] = float(true_pd[chunk].mean())
            row["gap_pp_vs_true"] = 100.0 * (row["mean_pd"] - row["mean_true_pd"])
        rows.append(row)
    return rows


def holdout_metrics(y: np.ndarray, pd_: np.ndarray) -> dict[str, float | int]:
    """``auc``, ``ks``, ``brier``, ``n_test``, ``default_rate`` and ``mean_pd`` on one holdout."""
    y = np.asarray(y).astype(int)
    pd_ = np.asarray(pd_, dtype=float)
    if len(np.unique(y)) < 2:
        raise ValueError("the holdout has a single class; AUC is undefined")
    return {
        "auc": float(roc_auc_score(y, pd_)),
        "ks": ks_statistic(y, pd_),
        "brier": float(brier_score_loss(y, pd_)),
        "n_test": int(len(y)),
        "default_rate": float(y.mean()),
        "mean_pd": float(pd_.mean()),
    }


def max_calibration_gap_pp(deciles: list[dict], key: str = "gap_pp_vs_true") -> float | None:
    gaps = [abs(row[key]) for row in deciles if key in row]
    return max(gaps) if gaps else None


def bayes_auc(y: np.ndarray, true_pd: np.ndarray) -> float:
    """The ceiling: AUC of the generator's true PD on the same rows."""
    return float(roc_auc_score(np.asarray(y).astype(int), np.asarray(true_pd, dtype=float)))


def truth_for(frame: pd.DataFrame, truth: pd.DataFrame, id_column: str = "application_id") -> np.ndarray:
    """True PD aligned to the frame's rows; every row must have one."""
    if id_column not in frame.columns or id_column not in truth.columns or "true_pd" not in truth.columns:
        raise ValueError(f"the truth file needs {id_column!r} and 'true_pd', and the data needs {id_column!r}")
    mapping = truth.drop_duplicates(id_column).set_index(id_column)["true_pd"]
    aligned = frame[id_column].map(mapping)
    if aligned.isna().any():
        missing = int(aligned.isna().sum())
        raise ValueError(f"{missing} row(s) of the data have no true_pd in the truth file")
    return aligned.to_numpy(dtype=float)
