"""Fitting and scoring every model family on the same split, and choosing the winner.

Candidates (LightGBM PD model, WOE scorecard) compete on holdout AUC; the manual 100-point sheet is the incumbent
baseline, evaluated on the same households whenever the data carries its items, and never selected.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from credit_engine.features import FeatureSpec
from models import FAMILIES
from training.evaluation import holdout_metrics

CANDIDATES = ("lightgbm", "scorecard")
BASELINE = "manual_sheet"
# At (near-)equal accuracy the bank gets the printable card it can audit: another family must beat the scorecard's
# AUC by more than this to be selected (differences below it are within the noise of a holdout).
SCORECARD_PREFERENCE_AUC = 0.002


@dataclass
class FittedFamily:
    name: str
    estimator: Any
    fit_seconds: float
    metrics: dict[str, float | int] = field(default_factory=dict)
    holdout_pd: np.ndarray | None = None
    baseline: bool = False


def make_estimator(name: str, spec: FeatureSpec, params: dict[str, Any] | None = None) -> Any:
    if name not in FAMILIES:
        raise ValueError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}")
    estimator = clone(FAMILIES[name](spec=spec))
    return estimator.set_params(**(params or {}))


def baseline_applies(spec: FeatureSpec) -> bool:
    return spec.derive == "household"


def fit_families(
    train: pd.DataFrame,
    y_train: np.ndarray,
    spec: FeatureSpec,
    families: tuple[str, ...] = CANDIDATES,
    params: dict[str, dict[str, Any]] | None = None,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[FittedFamily]:
    names = list(families) + ([BASELINE] if baseline_applies(spec) and BASELINE not in families else [])
    fitted = []
    for name in names:
        on_step(f"fit {name}")
        started = time.perf_counter()
        estimator = make_estimator(name, spec, (params or {}).get(name)).fit(train, y_train)
        fitted.append(FittedFamily(name, estimator, time.perf_counter() - started, baseline=name == BASELINE))
    return fitted


def evaluate_families(fitted: list[FittedFamily], test: pd.DataFrame, y_test: np.ndarray) -> None:
    for family in fitted:
        family.holdout_pd = np.asarray(family.estimator.predict_pd(test), dtype=float)
        family.metrics = holdout_metrics(y_test, family.holdout_pd)


def select(fitted: list[FittedFamily]) -> FittedFamily:
    """The candidate with the highest holdout AUC, the scorecard winning near-ties (``SCORECARD_PREFERENCE_AUC``)."""
    candidates = [f for f in fitted if not f.baseline]
    if not candidates:
        raise ValueError("no candidate family was fitted")
    name = choose({f.name: f.metrics["auc"] for f in candidates})
    return next(f for f in candidates if f.name == name)


def choose(auc_by_family: dict[str, float]) -> str:
    """The family to select given each family's AUC on the same rows."""
    best = max(auc_by_family, key=lambda name: auc_by_family[name])
    card = auc_by_family.get("scorecard")
    if card is not None and auc_by_family[best] - card <= SCORECARD_PREFERENCE_AUC:
        return "scorecard"
    return best


def fit_and_select(
    train: pd.DataFrame,
    y_train: np.ndarray,
    spec: FeatureSpec,
    families: tuple[str, ...] = CANDIDATES,
    params: dict[str, dict[str, Any]] | None = None,
    inner_folds: int = 5,
    seed: int = 0,
) -> FittedFamily:
    """Choose the family by inner stratified k-fold AUC on the training rows, then refit the winner on all of them.

    For cross-validation, where the outer test fold must never influence the choice; k folds rather than one inner
    holdout, because on a thousand rows a single holdout picks the weaker family by chance.
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=inner_folds, shuffle=True, random_state=seed).split(train, y_train)
    scores: dict[str, list[float]] = {name: [] for name in families}
    for inner_train, inner_test in folds:
        for name in families:
            model = make_estimator(name, spec, (params or {}).get(name))
            model.fit(train.iloc[inner_train], y_train[inner_train])
            scores[name].append(roc_auc_score(y_train[inner_test], model.predict_pd(train.iloc[inner_test])))
    winner = choose({name: float(np.mean(values)) for name, values in scores.items()})
    estimator = make_estimator(winner, spec, (params or {}).get(winner)).fit(train, y_train)
    return FittedFamily(winner, estimator, 0.0, {"inner_cv_auc": float(np.mean(scores[winner]))})
