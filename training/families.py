"""Fitting and scoring every model family on the same split, and the rule that chooses the winner.

Candidates (LightGBM PD model, WOE scorecard, their blend; on small files LightGBM with small-data parameters)
compete on AUC — cross-validated on the training rows (``training.selection``), or on the holdout with
``--no-refit``; the manual 100-point sheet is the incumbent baseline, evaluated on the same households whenever the
data carries its items, and never selected. The linear one-hot family competes when the job names it, and then the
blend stacks it as a third part. The blend's holdout model is assembled from its parts fitted on the same rows and
the stack the cross-validation fitted on their out-of-fold PDs (fitted on its own, a blend makes its out-of-fold PDs
itself).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from credit_engine.features import FeatureSpec
from models import FAMILIES
from training.evaluation import holdout_metrics

CANDIDATES = ("lightgbm", "scorecard", "blend")
BLEND = "blend"
LIGHTGBM = "lightgbm"
LINEAR = "linear"
FOREST = "forest"
PART_ORDER = ("scorecard", LIGHTGBM, LINEAR, FOREST)  # a blend's parts in the stack's column order
BLEND_PARTS = ("scorecard", "lightgbm")
# Below this many training rows a file is small: LightGBM gets SMALL_DATA_LIGHTGBM beneath the job's own parameters.
# Few, shallow, slowly learned trees on a sampled half of the features: on ~1,000 rows the default 31 leaves and 100
# rows a leaf fit noise (German Credit: 0.7800 against 0.7748 on the 20 folds, in-process; bench/RESULTS.md).
SMALL_DATA_ROWS = 5_000
SMALL_DATA_LIGHTGBM = {"num_leaves": 4, "min_child_samples": 30, "learning_rate": 0.02, "feature_fraction": 0.5}
# From SMALL_DATA_ROWS to below this many training rows a file is medium-sized: where the spec declares no monotone
# direction, LightGBM gets MEDIUM_DATA_LIGHTGBM beneath the job's own. Smaller trees, learned more slowly, on half the
# features each: on the UCI Taiwan data (24,000 training rows) the registered card + LightGBM + forest + blend went
# from 0.7848 to 0.7854 over the 20 folds through the console script (up on 16 of them; bench/RESULTS.md, issue 11).
# Not for a spec with monotone directions (the household and 强农贷 products): there the evidence was mixed — on a
# 30,000-household registry the blend's AUC rose 0.8891 → 0.8899, but in the drought simulation the retrained
# challenger approved the oldest households at 0.65 of the best age band's rate against the champion's 0.72 and the
# promotion gate refused it. Not above MEDIUM_DATA_ROWS: there the defaults' larger trees have the rows, and 2.5 times
# the rounds would slow the million-household job.
MEDIUM_DATA_ROWS = 50_000
MEDIUM_DATA_LIGHTGBM = {"num_leaves": 15, "min_child_samples": 50, "learning_rate": 0.02, "feature_fraction": 0.5}
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


def family_params(
    name: str, params: dict[str, dict[str, Any]] | None, parts: tuple[str, ...] = BLEND_PARTS
) -> dict[str, Any]:
    """A family's parameters; a blend stacks ``parts``, whose estimators get their own families' parameters unless
    the blend names its own."""
    own = dict((params or {}).get(name) or {})
    if name == BLEND:
        own.setdefault("parts", tuple(parts))
        for part in parts:
            own.setdefault(f"{part}_params", (params or {}).get(part))
    return own


def blend_parts(families: tuple[str, ...]) -> tuple[str, ...]:
    """The families a blend among ``families`` stacks: the part families that compete beside it, when two or more
    do (``--family scorecard --family forest --family blend``: the card and the forest); otherwise the scorecard and
    LightGBM, with the linear model and the forest when they compete."""
    named = tuple(name for name in PART_ORDER if name in families)
    if len(named) >= 2:
        return named
    return BLEND_PARTS + tuple(name for name in (LINEAR, FOREST) if name in families)


def fitted_families(families: tuple[str, ...]) -> list[str]:
    """The families fitted for ``families``: each of them but the blend, then the blend's parts not among them (a
    blend is assembled from its fitted parts)."""
    fitted = [name for name in families if name != BLEND]
    if BLEND in families:
        fitted += [name for name in blend_parts(families) if name not in fitted]
    return fitted


def default_params(
    n_rows: int, params: dict[str, dict[str, Any]] | None, monotone: bool = False
) -> dict[str, dict[str, Any]]:
    """The job's parameters, with the small-data LightGBM parameters beneath LightGBM's own on a small file, and the
    medium-data ones on a medium file whose spec declares no monotone direction (``monotone`` False)."""
    merged = {name: dict(values or {}) for name, values in (params or {}).items()}
    if n_rows < SMALL_DATA_ROWS:
        merged[LIGHTGBM] = {**SMALL_DATA_LIGHTGBM, **merged.get(LIGHTGBM, {})}
    elif n_rows < MEDIUM_DATA_ROWS and not monotone:
        merged[LIGHTGBM] = {**MEDIUM_DATA_LIGHTGBM, **merged.get(LIGHTGBM, {})}
    return merged


def baseline_applies(spec: FeatureSpec) -> bool:
    return spec.derive == "household"


def fit_families(
    train: pd.DataFrame,
    y_train: np.ndarray,
    spec: FeatureSpec,
    families: tuple[str, ...] = CANDIDATES,
    params: dict[str, dict[str, Any]] | None = None,
    on_step: Callable[[str], None] = lambda _: None,
    stacker: LogisticRegression | None = None,
    baseline: bool = True,
    lightgbm_calibrator: LogisticRegression | None = None,
    lightgbm_rounds: int | None = None,
    parts_of: tuple[str, ...] | None = None,
) -> list[FittedFamily]:
    """Every family (and the baseline) fitted on ``train``; with a ``stacker``, the blend is assembled from its
    fitted parts (``blend_parts`` of ``parts_of``, by default of ``families``; fitted first, for it) instead of
    being fitted on its own; with a
    ``lightgbm_calibrator`` (the cross-validation's Platt map on out-of-fold margins), LightGBM is recalibrated
    by it; with ``lightgbm_rounds`` as well, LightGBM trains exactly that many rounds on every row of ``train``
    (``fixed_rounds``)."""
    _check_fixed_rounds(lightgbm_rounds, lightgbm_calibrator)
    with_baseline = baseline and baseline_applies(spec) and BASELINE not in families
    names = list(families) + ([BASELINE] if with_baseline else [])
    parts = blend_parts(parts_of if parts_of is not None else families)
    if stacker is not None and BLEND in names:
        names = [n for n in parts if n not in names] + sorted(names, key=lambda n: n == BLEND)
    fitted: dict[str, FittedFamily] = {}
    for name in names:
        on_step(f"fit {name}")
        started = time.perf_counter()
        estimator = make_estimator(name, spec, family_params(name, params, parts))
        if name == LIGHTGBM and lightgbm_rounds is not None:
            estimator = fixed_rounds(estimator, lightgbm_rounds)
        if name == BLEND and stacker is not None:
            estimator.assemble({part: fitted[part].estimator for part in parts}, stacker)
            seconds = sum(fitted[part].fit_seconds for part in parts)
        else:
            estimator.fit(train, y_train)
            if name == LIGHTGBM and lightgbm_calibrator is not None:
                estimator.recalibrate(lightgbm_calibrator)
            seconds = time.perf_counter() - started
        fitted[name] = FittedFamily(name, estimator, seconds, baseline=name == BASELINE)
    return [fitted[name] for name in names if name in families or (with_baseline and name == BASELINE)]


def fixed_rounds(estimator: Any, rounds: int) -> Any:
    """A LightGBM estimator set to train exactly ``rounds`` rounds on every row it is given: no early stopping and no
    held-out slice (the rounds were chosen by the cross-validation's early stopping, the calibration is fitted on
    its out-of-fold margins and set by ``recalibrate``)."""
    return estimator.set_params(n_estimators=int(rounds), early_stopping_rounds=None, validation_fraction=0.0)


def _check_fixed_rounds(rounds: int | None, calibrator: LogisticRegression | None) -> None:
    if rounds is not None and calibrator is None:
        raise ValueError("fixed LightGBM rounds leave no held-out slice to calibrate on: pass lightgbm_calibrator")


def evaluate_families(fitted: list[FittedFamily], test: pd.DataFrame, y_test: np.ndarray) -> None:
    """Every family's PDs and metrics on the holdout; a blend assembled from families scored before it takes its
    parts' PDs through its stack instead of predicting them again (the same numbers: ``BlendPD.stacked_pd``)."""
    scored: dict[int, np.ndarray] = {}
    for family in fitted:
        parts = getattr(family.estimator, "parts_", None)
        if parts and all(id(part) in scored for part in parts.values()):
            family.holdout_pd = family.estimator.stacked_pd([scored[id(part)] for part in parts.values()])
        else:
            family.holdout_pd = np.asarray(family.estimator.predict_pd(test), dtype=float)
        scored[id(family.estimator)] = family.holdout_pd
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
