"""Choosing the model family by cross-validation on the training rows.

Folds: with a date column in the spec's split, forward-chaining folds — each stratum's (county's) rows are ordered by
date and cut into ``n_folds + 1`` chunks; fold ``j`` trains on the chunks before ``j`` and is scored on chunk ``j``,
so every score is out-of-time, as the holdout is. Without one, seeded stratified k-fold. Above ``max_rows`` training
rows the folds are drawn from a seeded random subsample of that size (a family's rank settles long before a million
rows; the registered model is still fitted on every row).

Every candidate family is fitted on each fold's training rows and scored on its held-out rows (AUC, one figure per
fold, reported with its spread). The blend is not fitted fold by fold: its score comes from its parts' out-of-fold
PDs (the scorecard's and LightGBM's, and the linear family's when the job names it), its stack fitted on the other
folds' out-of-fold PDs and scored on this fold's (cross-fitting), and the stack used by the registered blend is
fitted on all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from credit_engine.features import FeatureSpec
from models.blend import fit_stacker, stack_features
from models.lgbm import fit_platt
from training.families import BLEND, LIGHTGBM, blend_parts, choose, make_estimator
from training.splits import date_ranks

DEFAULT_FOLDS = 5
DEFAULT_MAX_ROWS = 200_000


@dataclass
class CrossValidation:
    """Per family, the AUC of each fold; the out-of-fold PDs; the chosen family and the blend's stack; ``rows``: the
    positions (in the frame given) of the rows the folds were cut from — every row unless it was subsampled."""

    method: str
    n_rows: int
    auc: dict[str, list[float]]
    oof_pd: dict[str, np.ndarray] = field(repr=False)
    selected: str = ""
    stacker: LogisticRegression | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    rows: np.ndarray | None = field(default=None, repr=False)
    lightgbm_calibrator: LogisticRegression | None = None
    calibration_rows: int = 0

    def summary(self) -> dict[str, dict[str, float]]:
        """Per family: mean, standard deviation, min and max of the fold AUCs."""
        return {
            name: {
                "mean_auc": float(np.mean(values)),
                "std_auc": float(np.std(values)),
                "min_auc": float(np.min(values)),
                "max_auc": float(np.max(values)),
            }
            for name, values in self.auc.items()
        }

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "n_folds": len(next(iter(self.auc.values()))), "n_rows": self.n_rows}

    def calibration(self) -> dict[str, Any] | None:
        """How LightGBM's PDs are calibrated in the holdout and registered models (None: each model's own slice)."""
        if self.lightgbm_calibrator is None:
            return None
        (slope,), intercept = self.lightgbm_calibrator.coef_[0], self.lightgbm_calibrator.intercept_[0]
        return {"method": "platt_on_out_of_fold_margins", "n_rows": self.calibration_rows,
                "slope": float(slope), "intercept": float(intercept)}  # fmt: skip


def selection_folds(
    frame: pd.DataFrame, y: np.ndarray, spec: FeatureSpec, *, n_folds: int = DEFAULT_FOLDS, seed: int = 0
) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """(train, held-out) positions of each fold, and the method's name."""
    if n_folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {n_folds}")
    if spec.date_column and spec.date_column in frame.columns:
        return _forward_chaining(frame, spec, n_folds), "forward_chaining_by_" + (spec.stratify_column or "all")
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    return [(np.sort(a), np.sort(b)) for a, b in folds], "stratified_kfold"


def _forward_chaining(frame: pd.DataFrame, spec: FeatureSpec, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    _, rank, size = date_ranks(frame, spec)
    chunk = np.floor(rank * (n_folds + 1) / size).astype(np.int64)
    positions = np.arange(len(frame))
    return [(positions[chunk < j], positions[chunk == j]) for j in range(1, n_folds + 1)]


def cross_validate(
    frame: pd.DataFrame,
    y: np.ndarray,
    spec: FeatureSpec,
    families: tuple[str, ...],
    params: dict[str, dict[str, Any]] | None = None,
    *,
    n_folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    on_step: Callable[[str], None] = lambda _: None,
) -> CrossValidation:
    """Score every candidate family fold by fold on ``frame`` (the training rows) and choose one."""
    rows = _subsample(len(frame), max_rows, seed)
    frame, y = frame.iloc[rows].reset_index(drop=True), np.asarray(y)[rows]
    folds, method = selection_folds(frame, y, spec, n_folds=n_folds, seed=seed)
    fitted = [name for name in families if name != BLEND]
    if BLEND in families:
        fitted += [name for name in blend_parts(families) if name not in fitted]
    result, margin = _out_of_fold(frame, y, spec, fitted, params, folds, on_step)
    result.method, result.rows = method, rows
    oof = result.oof_pd
    scored = np.concatenate([valid for _, valid in folds])
    if LIGHTGBM in fitted:
        result.lightgbm_calibrator = _oof_platt(oof[LIGHTGBM], margin, y, scored)
        result.calibration_rows = len(scored)
    if BLEND in families:
        parts = blend_parts(families)
        result.auc[BLEND] = _blend_fold_aucs([oof[name] for name in parts], y, folds)
        result.stacker = fit_stacker(*(oof[name][scored] for name in parts), y[scored])
    candidates = {name: float(np.mean(result.auc[name])) for name in families}
    result.selected = choose(candidates)
    return result


def _out_of_fold(
    frame: pd.DataFrame,
    y: np.ndarray,
    spec: FeatureSpec,
    fitted: list[str],
    params: dict[str, dict[str, Any]] | None,
    folds: list,
    on_step: Callable[[str], None],
) -> tuple[CrossValidation, np.ndarray]:
    """Every family fitted fold by fold: out-of-fold PDs, AUC per fold, seconds, and LightGBM's out-of-fold margins."""
    oof = {name: np.full(len(y), np.nan) for name in fitted}
    auc: dict[str, list[float]] = {name: [] for name in fitted}
    seconds = dict.fromkeys(fitted, 0.0)
    margin = np.full(len(y), np.nan)
    for number, (train, valid) in enumerate(folds, start=1):
        on_step(f"cross-validation fold {number}/{len(folds)}")
        for name in fitted:
            started = time.perf_counter()
            model = make_estimator(name, spec, (params or {}).get(name)).fit(frame.iloc[train], y[train])
            oof[name][valid] = model.predict_pd(frame.iloc[valid])
            if name == LIGHTGBM:
                margin[valid] = model.raw_margin(frame.iloc[valid])
            seconds[name] += time.perf_counter() - started
            auc[name].append(float(roc_auc_score(y[valid], oof[name][valid])))
    return CrossValidation("", len(y), auc, oof, seconds=seconds), margin


def _oof_platt(oof_pd: np.ndarray, margin: np.ndarray, y: np.ndarray, scored: np.ndarray) -> LogisticRegression | None:
    """LightGBM's calibration for the holdout and registered models: Platt scaling fitted on every out-of-fold
    (out-of-time, with dated folds) raw margin, instead of each model's own held-out slice. ``oof_pd`` becomes the
    PDs this map gives (each fold's AUC is unchanged: the map is increasing), which the blend's stack then reads."""
    calibrator = fit_platt(margin[scored], y[scored])
    if calibrator is not None:
        oof_pd[scored] = expit(calibrator.decision_function(margin[scored][:, None]))
    return calibrator


def _blend_fold_aucs(oof: list[np.ndarray], y: np.ndarray, folds: list) -> list[float]:
    """Per fold: the stack fitted on the other folds' out-of-fold PDs of the parts, scored on this fold's."""
    aucs = []
    for j, (_, valid) in enumerate(folds):
        others = np.concatenate([v for i, (_, v) in enumerate(folds) if i != j])
        stacker = fit_stacker(*(part[others] for part in oof), y[others])
        features = stack_features(*(part[valid] for part in oof))
        aucs.append(float(roc_auc_score(y[valid], stacker.decision_function(features))))
    return aucs


def _subsample(n_rows: int, max_rows: int | None, seed: int) -> np.ndarray:
    if max_rows is None or n_rows <= max_rows:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=max_rows, replace=False))
