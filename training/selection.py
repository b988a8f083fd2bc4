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

The folds also choose LightGBM's number of rounds for the fits after them (issue 11): each fold's LightGBM stops
early on its own 30 % slice, and the holdout and registered models train ``refit_rounds`` rounds on every row they are
given — no second early stopping, no slice — calibrated by the Platt map on the folds' out-of-fold margins. From
``SMALL_SAMPLE_ROWS`` on (it was ``LARGE_SAMPLE_ROWS``): a model that kept its own slice learnt from 70 % of the rows,
which cost it 0.003 AUC on the Taiwan benchmark's 24,000-row files (bench/RESULTS.md). Not below: on 800-loan 强农贷
books the refit's extra rounds spread the margins beyond what the folds' map had learnt (the LightGBM-selected books'
worst decile gap rose by 1.5–9 pp), though German Credit's 800-row LightGBM gained 0.008 AUC. From
``LARGE_SAMPLE_ROWS`` on the folds also stop after a shorter patience (``fold_params``): they only rank the families;
and the scorecard is binned once, on the rows every fold trains on
(with forward-chaining folds the first chunk; at most its ``max_fit_rows``), each fold refitting only its logistic
regression and points on its own training rows — no fold's held-out rows reach its bins, and optbinning's fixed cost a
binning (seconds for 38 features whatever the rows) is paid once instead of once a fold (the holdout models and the
refit share one more binning: ``train_job.TrainJob._with_card_bins``).

Calibration on a small sample (issue 13: a 强农贷 book of a few hundred loans). Below ``SMALL_SAMPLE_ROWS`` rows the
WOE scorecard's PDs get a Platt map too (``scorecard_calibrator``, set on the fitted cards by
:func:`calibrate_from_folds`): its bins and coefficients were chosen on the rows it is judged by, so its PDs are
spread too far. There the calibration maps (LightGBM's and the card's) are learnt on the out-of-fold PDs of
stratified k-fold on the same rows — the selection's own folds when they are stratified; with dated folds,
the spec's ``calibration_folds`` more fits of every family (the 强农贷 spec asks for ``CALIBRATION_FOLDS``; a dated
spec without it keeps the selection's folds and no card map: on a 1,000-row registry the ten extra card fits took
the job from 15 s to 39 s), because forward-chaining folds start from a sixth of the rows
and over-state how far a model refitted on every row over-fits (ten folds train on nine tenths of the rows: on
800-loan 强农贷 books the card's map from ten folds left its PDs closer to the truth than one from five folds, see
bench/RESULTS.md). The folds that rank the families are unchanged, and so are those the blend's stack is learnt on
(the selection's, their PDs mapped): a stack learnt on the stratified folds' PDs ranked an 800-loan book worse. From
``SMALL_SAMPLE_ROWS`` rows on, everything is as before: the card is left as fitted, LightGBM's map comes from the
selection's folds.
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
from models.calibration import describe, fit_pd_platt, pd_logit
from models.forest import ForestPD
from models.lgbm import fit_platt
from models.scorecard import WOEScorecard
from training.families import (
    BLEND,
    FOREST,
    LIGHTGBM,
    FittedFamily,
    blend_parts,
    choose,
    fitted_families,
    make_estimator,
)
from training.splits import date_ranks

DEFAULT_FOLDS = 5
DEFAULT_MAX_ROWS = 200_000
# How LightGBM's early-stopping optimum grows with the rows it learns from (see ``CrossValidation.refit_rounds``).
ROUNDS_GROWTH = 1 / 3
# From this many rows in the selection's sample the job is cut for speed (issue 11): the folds stop LightGBM after
# ``CV_PATIENCE`` rounds without progress and share the scorecard's bins. Below it (small portfolios) every family
# keeps its own defaults. Parameters given for a family win over these.
LARGE_SAMPLE_ROWS = 50_000
CV_PATIENCE = 40
# The fewest rows common to every fold's training rows on which the folds' scorecards share one binning.
SHARED_BINNING_MIN_ROWS = 5_000
SCORECARD = "scorecard"
STRATIFIED = "stratified_kfold"
# Below this many rows in the selection's sample (a book of a few hundred loans) the card is calibrated and every
# calibration is learnt on stratified folds (see the module's docstring). Not higher: on a 5,000-household registry
# (4,000 training rows, an out-of-time holdout) the stratified stack left the blend's riskiest decile 3.5 pp above the
# truth instead of 1.0 pp, and a 3,200-loan 强农贷 book's card was already within 1.3 pp (bench/RESULTS.md, issue 13).
SMALL_SAMPLE_ROWS = 2_000
CALIBRATION_FOLDS = 10  # what the shipped enterprise spec asks for (``calibration_folds``)


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
    scorecard_calibrator: LogisticRegression | None = None
    forest_calibrator: LogisticRegression | None = None
    calibration_method: str = ""
    lightgbm_rounds: list[tuple[int, int]] = field(default_factory=list)
    scorecard_binning_rows: int | None = None

    def refit_rounds(self, n_rows: int) -> int | None:
        """LightGBM's boosting rounds for a fit on ``n_rows`` rows without early stopping (``fixed_rounds``): the
        median of the folds' early-stopping optima, times (``n_rows`` / the median of the rows their boosters were
        trained on) ** ``ROUNDS_GROWTH``. None — the model keeps its own slice — on a sample below
        ``SMALL_SAMPLE_ROWS`` (see the module's docstring), without LightGBM folds that stopped early (a fold too small
        to hold a slice out trains every round it is allowed) or without a calibration to go with them."""
        if not self.lightgbm_rounds or self.lightgbm_calibrator is None or self.n_rows < SMALL_SAMPLE_ROWS:
            return None
        best, rows = (float(np.median(values)) for values in zip(*self.lightgbm_rounds, strict=True))
        return max(1, round(best * (n_rows / rows) ** ROUNDS_GROWTH))

    def rounds_report(self, fits: dict[str, int]) -> dict[str, Any] | None:
        """The folds' early-stopping optima and the fixed rounds of each fit named in ``fits`` (name: its rows)."""
        if self.refit_rounds(1) is None:
            return None
        folds = [{"best_iteration": best, "boosted_rows": rows} for best, rows in self.lightgbm_rounds]
        fixed = {name: {"n_rows": n_rows, "rounds": self.refit_rounds(n_rows)} for name, n_rows in fits.items()}
        return {"rule": f"median fold optimum x (rows / median fold rows) ** {ROUNDS_GROWTH:.3g}", "folds": folds,
                **fixed}  # fmt: skip

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
        """The folds' method, number and rows; with a scorecard, whether its bins were shared across the folds (and
        on how many rows, every one of them in every fold's training rows) or fitted fold by fold."""
        described = {"method": self.method, "n_folds": len(next(iter(self.auc.values()))), "n_rows": self.n_rows}
        if SCORECARD in self.auc:
            shared = self.scorecard_binning_rows is not None
            described["scorecard_bins"] = "shared_across_folds" if shared else "per_fold"
            if shared:
                described["scorecard_binning_rows"] = self.scorecard_binning_rows
        return described

    def calibration(self) -> dict[str, Any] | None:
        """How LightGBM's PDs are calibrated in the holdout and registered models (None: each model's own slice)."""
        found = describe(self.lightgbm_calibrator, "platt_on_out_of_fold_margins", self.calibration_rows)
        return None if found is None else {**found, "folds": self.calibration_method}

    def scorecard_calibration(self) -> dict[str, Any] | None:
        """How the scorecard's PDs are calibrated in the holdout and registered models (None: as fitted)."""
        found = describe(self.scorecard_calibrator, "platt_on_out_of_fold_pd", self.calibration_rows)
        return None if found is None else {**found, "folds": self.calibration_method}

    def forest_calibration(self) -> dict[str, Any] | None:
        """How the forest's PDs are calibrated in the holdout and registered models (None: no forest)."""
        found = describe(self.forest_calibrator, "platt_on_out_of_fold_pd", self.calibration_rows)
        return None if found is None else {**found, "folds": self.calibration_method}


def selection_folds(
    frame: pd.DataFrame, y: np.ndarray, spec: FeatureSpec, *, n_folds: int = DEFAULT_FOLDS, seed: int = 0
) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """(train, held-out) positions of each fold, and the method's name."""
    if n_folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {n_folds}")
    if spec.date_column and spec.date_column in frame.columns:
        return _forward_chaining(frame, spec, n_folds), "forward_chaining_by_" + (spec.stratify_column or "all")
    return _stratified(y, n_folds, seed), STRATIFIED


def _stratified(y: np.ndarray, n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)
    return [(np.sort(a), np.sort(b)) for a, b in folds]


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
    fitted = fitted_families(families)
    result, margin = _out_of_fold(frame, y, spec, fitted, fold_params(params, len(y)), folds, on_step)
    result.method, result.rows = method, rows
    own = OutOfFold(result.oof_pd, margin, np.concatenate([valid for _, valid in folds]), method)
    calibration = _calibration_out_of_fold(
        frame, y, spec, fitted, fold_params(params, len(y)), own, n_folds, seed, on_step, result.seconds
    )
    _learn_calibration(result, calibration, own, y)
    if BLEND in families:
        parts = blend_parts(families)
        result.auc[BLEND] = _blend_fold_aucs([result.oof_pd[name] for name in parts], y, folds)
        rows = own.rows
        result.stacker = fit_stacker(*(own.pd[name][rows] for name in parts), y[rows])
    candidates = {name: float(np.mean(result.auc[name])) for name in families}
    result.selected = choose(candidates)
    return result


def fold_params(params: dict[str, dict[str, Any]] | None, n_rows: int) -> dict[str, dict[str, Any]]:
    """The families' parameters inside the folds: on a large sample, LightGBM's shorter early-stopping patience
    unless the parameters name their own (the folds only rank the families)."""
    given = {name: dict(values or {}) for name, values in (params or {}).items()}
    if n_rows >= LARGE_SAMPLE_ROWS:
        given.setdefault(LIGHTGBM, {}).setdefault("early_stopping_rounds", CV_PATIENCE)
    return given


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
    rounds: list[tuple[int, int]] = []
    params = {name: dict(values or {}) for name, values in (params or {}).items()}
    binning_rows = None
    if SCORECARD in fitted and len(y) >= LARGE_SAMPLE_ROWS:
        started = time.perf_counter()
        binning = _shared_binning(frame, y, spec, params.get(SCORECARD) or {}, folds, on_step)
        seconds[SCORECARD] += time.perf_counter() - started
        if binning is not None:
            params[SCORECARD] = {**params.get(SCORECARD, {}), "binning": binning}
            binning_rows = binning.n_rows
    for number, (train, valid) in enumerate(folds, start=1):
        on_step(f"cross-validation fold {number}/{len(folds)}")
        for name in fitted:
            started = time.perf_counter()
            model = make_estimator(name, spec, params.get(name)).fit(frame.iloc[train], y[train])
            if name == LIGHTGBM:  # its PDs from its margins: the held-out rows predicted once
                margin[valid] = model.raw_margin(frame.iloc[valid])
                oof[name][valid] = model.pd_from_margin(margin[valid])
                if model.n_boosted_rows_ < len(train):  # it stopped early on its slice (not every row: no slice)
                    rounds.append((model.best_iteration_, model.n_boosted_rows_))
            else:
                oof[name][valid] = model.predict_pd(frame.iloc[valid])
            seconds[name] += time.perf_counter() - started
            auc[name].append(float(roc_auc_score(y[valid], oof[name][valid])))
    result = CrossValidation("", len(y), auc, oof, seconds=seconds, lightgbm_rounds=rounds)
    result.scorecard_binning_rows = binning_rows
    return result, margin


def _shared_binning(
    frame: pd.DataFrame,
    y: np.ndarray,
    spec: FeatureSpec,
    params: dict[str, Any],
    folds: list,
    on_step: Callable[[str], None],
) -> Any:
    """The scorecard's bins fitted once on the rows in every fold's training rows (None when fewer than
    ``SHARED_BINNING_MIN_ROWS`` are, as with stratified k-fold, or when the parameters bring their own)."""
    if params.get("binning") is not None:
        return None
    common = folds[0][0]
    for train, _ in folds[1:]:
        common = np.intersect1d(common, train, assume_unique=True)
    if len(common) < SHARED_BINNING_MIN_ROWS:
        return None
    on_step(f"cross-validation: scorecard bins on the {len(common):,} rows every fold trains on")
    return make_estimator(SCORECARD, spec, params).fit_binning(frame.iloc[common], y[common])


@dataclass
class OutOfFold:
    """Out-of-fold PDs per fitted family and LightGBM's out-of-fold margins, on ``rows`` (the positions the folds
    scored), from folds named ``method``."""

    pd: dict[str, np.ndarray]
    margin: np.ndarray
    rows: np.ndarray
    method: str

    def calibrate(self, maps: dict[str, LogisticRegression | None]) -> None:
        """Each family's PDs on ``rows`` become the PDs its map gives (LightGBM's from its margins, the others' from
        the logit of their PDs); each fold's AUC is unchanged, the maps being increasing."""
        for name, calibrator in maps.items():
            if calibrator is not None:
                values = self.margin if name == LIGHTGBM else pd_logit(self.pd[name])
                self.pd[name][self.rows] = expit(calibrator.decision_function(values[self.rows][:, None]))


def _calibration_out_of_fold(
    frame, y, spec, fitted, params, own: OutOfFold, n_folds: int, seed: int, on_step, seconds: dict[str, float]
) -> OutOfFold:
    """The out-of-fold PDs the calibration maps and the stack are learnt on: the selection's own, unless its folds
    are dated, the sample small and the spec asks for ``calibration_folds`` — then every family fitted on that many
    (or ``n_folds``, if more) seeded stratified folds of the same rows."""
    if own.method == STRATIFIED or len(y) >= SMALL_SAMPLE_ROWS or not spec.calibration_folds:
        return own
    folds = _stratified(y, max(n_folds, spec.calibration_folds), seed)
    found, margin = _out_of_fold(frame, y, spec, fitted, params, folds, lambda step: on_step(f"calibration {step}"))
    seconds.update({f"calibration.{name}": spent for name, spent in found.seconds.items()})
    return OutOfFold(found.oof_pd, margin, np.arange(len(y)), STRATIFIED)


def _learn_calibration(result: CrossValidation, calibration: OutOfFold, own: OutOfFold, y: np.ndarray) -> None:
    """LightGBM's Platt map on out-of-fold margins, the forest's on the logit of its out-of-fold PDs (its own
    probability is too spread: on the household fixture its riskiest fifth read 37 % where 28 % defaulted) and, on
    a small sample, the scorecard's on out-of-fold PDs; both sets of out-of-fold PDs (the selection's and the
    calibration's) are then mapped by them."""
    rows, maps = calibration.rows, {}
    if LIGHTGBM in calibration.pd:
        maps[LIGHTGBM] = result.lightgbm_calibrator = fit_platt(calibration.margin[rows], y[rows])
    if FOREST in calibration.pd:
        maps[FOREST] = result.forest_calibrator = fit_pd_platt(calibration.pd[FOREST][rows], y[rows])
    if SCORECARD in calibration.pd and len(y) < SMALL_SAMPLE_ROWS and calibration.method == STRATIFIED:
        maps[SCORECARD] = result.scorecard_calibrator = fit_pd_platt(calibration.pd[SCORECARD][rows], y[rows])
    result.calibration_method, result.calibration_rows = calibration.method, len(rows)
    for out_of_fold in (own,) if calibration is own else (own, calibration):
        out_of_fold.calibrate(maps)


def calibrate_from_folds(fitted: list[FittedFamily], cv: CrossValidation | None) -> None:
    """Set the cross-validation's scorecard map (if it learnt one) on every fitted scorecard and its forest map on
    every fitted forest, a blend's parts too (the blend's stack was fitted on the out-of-fold PDs those maps gave)."""
    if cv is None:
        return
    for family in fitted:
        estimator = family.estimator
        parts = list(getattr(estimator, "parts_", {}).values()) or [estimator]
        for part in parts:
            if isinstance(part, WOEScorecard) and cv.scorecard_calibrator is not None:
                part.recalibrate(cv.scorecard_calibrator, cv.calibration_rows)
            if isinstance(part, ForestPD) and cv.forest_calibrator is not None:
                part.recalibrate(cv.forest_calibrator)


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
