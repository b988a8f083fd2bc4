"""The training job: read → validate → lineage → split → select by cross-validation → evaluate → refit → register.

A job is a frozen, validated configuration with a ``run()`` (mlops-python-package habit). The family is chosen by
k-fold cross-validation on the training rows (``training.selection``: forward-chaining folds by date within each
county where the spec has a split, seeded stratified folds otherwise); every family is also fitted on the training
rows alone (the selection's sample of them above ``cv_max_rows``) and scored on the holdout, which it has not seen,
for the report; then the selected family is refitted on every row of the file, and that is the registered model.
LightGBM's calibration in both comes from the selection's out-of-fold margins and its number of rounds from the
folds' early stopping (``CrossValidation.refit_rounds``; no second early stopping, no slice). Every stage is timed
(``timings_seconds`` in the report, ``time.<stage>_seconds`` in MLflow). With ``refit=False`` (``--no-refit``) the
job does what it did before: selection on the holdout, and the model fitted on the training rows alone is registered.
With ``weight_column`` the file's sample weights are taken by a seeded weighted draw of the rows before anything else
(:func:`credit_engine.retraining.weights.weighted_rows`: each row kept with probability w / max w), so every family
and the cross-validation see the weighted distribution, each row at most once. The job never promotes to the
champion by itself unless the registry has no champion yet; promotion is the separate, gated ``PromoteJob``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from credit_engine.config import Settings
from credit_engine.enterprise.policy import load_enterprise_policy
from credit_engine.errors import InvalidInput, RowError
from credit_engine.features import load_spec
from credit_engine.policy import load_policy
from credit_engine.rating import grade_for_pd
from credit_engine.retraining.weights import weighted_rows
from training import registration, tracking
from training.data import load_frame
from training.evaluation import calibration_by_decile
from training.families import (
    BLEND,
    CANDIDATES,
    FittedFamily,
    default_params,
    evaluate_families,
    fit_families,
    fitted_families,
    make_estimator,
    select,
)
from training.lineage import file_sha256, git_state
from training.monitoring_run import log_reference_profile
from training.selection import (
    DEFAULT_FOLDS,
    DEFAULT_MAX_ROWS,
    LARGE_SAMPLE_ROWS,
    SCORECARD,
    CrossValidation,
    calibrate_from_folds,
    cross_validate,
)
from training.splits import Split, holdout_split
from training.timing import StageClock

# Below this many training rows (and when the folds used all of them) the registered model's selection is run again
# on every row of the file: on German Credit's 800-row files, a fifth more rows for the choice and the stack raised
# the registered card + forest + blend's AUC from 0.7936 to 0.7964 over the 20 folds (the default families: 0.7912,
# 0.7906 — unmoved; bench/RESULTS.md, issue 11). From it on, the second pass would cost as much as the first (a large
# file's folds are drawn from a sample of ``cv_max_rows`` either way).
ALL_ROWS_SELECTION_MAX_TRAIN = LARGE_SAMPLE_ROWS


class TrainJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    data: Path
    spec: Path | None = None
    experiment: str | None = None
    model_name: str | None = None
    report: Path | None = None
    test_fraction: float = Field(default=0.2, gt=0.0, lt=1.0)
    seed: int = 0
    families: tuple[str, ...] | None = None
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    refit: bool = True
    cv_folds: int = Field(default=DEFAULT_FOLDS, ge=2)
    cv_max_rows: int | None = Field(default=DEFAULT_MAX_ROWS, ge=100)
    weight_column: str | None = None  # sample weights, drawn by rejection sampling (credit_engine.retraining.weights)

    def run(self, settings: Settings, on_step: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
        clock = StageClock(on_step)
        spec = load_spec(self.spec)
        model_name = self.model_name or (settings.model_name if self.spec is None else f"{spec.name}-pd")
        with clock.stage("read_validate", "read and validate"):
            frame = self._weighted(self.read_frame(spec))
            y = spec.labels(frame)
        with clock.stage("split"):
            split = holdout_split(frame, spec, test_fraction=self.test_fraction, seed=self.seed)
            test = frame.iloc[split.test]
        job = self.sized(len(split.train), monotone=any(feature.monotone for feature in spec.features))
        cv = job._cross_validate(frame.iloc[split.train], y[split.train], spec, clock) if job.refit else None
        fitted, job = job._holdout_models(frame, y, spec, split, cv, clock)
        with clock.stage("holdout_evaluate", "evaluate on the holdout"):
            evaluate_families(fitted, test, y[split.test])
        final = job._registered_selection(frame, y, spec, split, cv, clock)
        selected = next(f for f in fitted if f.name == final.selected) if final is not None else select(fitted)
        registered = selected
        if final is not None:
            with clock.stage("refit", f"refit {selected.name} on all {len(frame):,} rows"):
                refits = fit_families(
                    frame, y, spec, (selected.name,), job.params, stacker=final.stacker, baseline=False,
                    lightgbm_calibrator=final.lightgbm_calibrator, lightgbm_rounds=final.refit_rounds(len(frame)),
                    parts_of=job.families,
                )  # fmt: skip
                calibrate_from_folds(refits, final)
            registered = refits[0]
        registered = self.finish(registered)
        run = _Run(job, settings, spec, model_name, frame, split, fitted, selected, registered, cv, final)
        report = run.log_and_register(test, y[split.test], clock)
        if job.report is not None:
            job.report.parent.mkdir(parents=True, exist_ok=True)
            job.report.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        return report

    def read_frame(self, spec: Any) -> pd.DataFrame:
        """The training file's rows, validated against the spec's data contract."""
        return load_frame(self.data, spec)

    def finish(self, registered: FittedFamily) -> FittedFamily:
        """The model to register, from the selected family's fitted model (here: itself; the retraining job
        recalibrates it by county)."""
        return registered

    def _weighted(self, frame: pd.DataFrame) -> pd.DataFrame:
        """With ``weight_column``, the rows the weights draw (each kept with probability w / max w, seeded)."""
        if self.weight_column is None:
            return frame
        if self.weight_column not in frame.columns:
            raise InvalidInput(
                [RowError(None, self.weight_column, "missing_column", "weight column is missing / 缺少权重列")]
            )
        rows = weighted_rows(pd.to_numeric(frame[self.weight_column]).to_numpy(), self.seed)
        return frame.iloc[rows].drop(columns=[self.weight_column]).reset_index(drop=True)

    def sized(self, n_train: int, monotone: bool = False) -> TrainJob:
        """This job with its families (``CANDIDATES`` unless named) and, for ``n_train`` training rows of a spec with
        (``monotone``) or without monotone directions, its parameters: the small- or medium-data LightGBM parameters
        beneath the job's own (``families.default_params``)."""
        families = self.families if self.families is not None else CANDIDATES
        params = default_params(n_train, self.params, monotone)
        return self.model_copy(update={"families": families, "params": params})

    def _holdout_models(
        self, frame, y, spec, split: Split, cv: CrossValidation | None, clock: StageClock
    ) -> tuple[list[FittedFamily], TrainJob]:
        """Every family fitted without the holdout: on the rows the selection drew its folds from (every training
        row unless there were more than ``cv_max_rows``), with the selection's stack and LightGBM calibration; and
        the job the refit follows (with the card's bins, on a large sample: ``_with_card_bins``)."""
        fit_rows = split.train if cv is None else split.train[cv.rows]
        stacker = cv.stacker if cv is not None else None
        with clock.stage("holdout_fits", "fit every family on the training rows"):
            job = self._with_card_bins(frame.iloc[fit_rows], y[fit_rows], spec, cv, clock)
            fitted = fit_families(
                frame.iloc[fit_rows], y[fit_rows], spec, job.families, job.params, clock.on_step, stacker,
                lightgbm_calibrator=cv.lightgbm_calibrator if cv is not None else None,
                lightgbm_rounds=cv.refit_rounds(cv.n_rows) if cv is not None else None,
            )  # fmt: skip
            calibrate_from_folds(fitted, cv)
        for family in fitted:
            if not (family.name == BLEND and stacker is not None):  # assembled from its parts, not fitted
                clock.add(f"holdout_fits.{family.name}", family.fit_seconds)
        return fitted, job

    def _with_card_bins(self, rows: pd.DataFrame, y: np.ndarray, spec: Any, cv, clock: StageClock) -> TrainJob:
        """On a selection sample of ``LARGE_SAMPLE_ROWS`` rows or more, this job with the scorecard's bins fitted
        once on ``rows`` (the holdout models' rows): the holdout card and the refitted one keep them and fit only
        their regression and points on their own rows — optbinning's seconds a binning are paid once, and the bins
        of a card capped at ``max_fit_rows`` rows settle long before (``models.scorecard``). Otherwise (or with no
        card among the families, or bins given) this job."""
        own = dict(self.params.get(SCORECARD) or {})
        has_card = SCORECARD in fitted_families(self.families or ())
        if cv is None or cv.n_rows < LARGE_SAMPLE_ROWS or not has_card or own.get("binning") is not None:
            return self
        clock.on_step(f"scorecard bins on {len(rows):,} training rows")
        started = time.perf_counter()
        own["binning"] = make_estimator(SCORECARD, spec, own).fit_binning(rows, y)
        clock.add("holdout_fits.scorecard_bins", time.perf_counter() - started)
        return self.model_copy(update={"params": {**self.params, SCORECARD: own}})

    def _cross_validate(
        self, rows: pd.DataFrame, y: np.ndarray, spec: Any, clock: StageClock, stage: str = "cross_validation"
    ) -> CrossValidation:
        label = "cross-validation" if stage == "cross_validation" else "cross-validation on every row of the file"
        with clock.stage(stage, label):
            cv = cross_validate(
                rows.reset_index(drop=True), y, spec, self.families, self.params,
                n_folds=self.cv_folds, seed=self.seed, max_rows=self.cv_max_rows, on_step=clock.on_step,
            )  # fmt: skip
        for name, seconds in cv.seconds.items():
            clock.add(f"{stage}.{name}", seconds)
        return cv

    def _registered_selection(
        self, frame: pd.DataFrame, y: np.ndarray, spec: Any, split: Split, cv: CrossValidation | None, clock
    ) -> CrossValidation | None:
        """The cross-validation whose choice, stack, calibration maps and LightGBM rounds the registered model takes:
        on a file of fewer than ``ALL_ROWS_SELECTION_MAX_TRAIN`` training rows, all used by the training rows'
        folds, the same selection run again on every row of the file (the holdout's rows too: the registered model
        is the whole procedure applied to every row); otherwise the training rows' own (``cv``), whose sample of at
        least that many rows a fifth more would barely move."""
        if cv is None or len(split.train) >= ALL_ROWS_SELECTION_MAX_TRAIN or cv.n_rows < len(split.train):
            return cv
        return self._cross_validate(frame, y, spec, clock, "cross_validation_all_rows")


class _Run:
    """One training run's MLflow record and its report (kept apart from the job's fitting)."""

    def __init__(self, job, settings, spec, model_name, frame, split, fitted, selected, registered, cv, final) -> None:
        self.job, self.settings, self.spec, self.model_name = job, settings, spec, model_name
        self.frame, self.split, self.fitted, self.cv, self.final = frame, split, fitted, cv, final
        self.selected: FittedFamily = selected
        self.registered: FittedFamily = registered

    def tags(self) -> dict[str, str]:
        policy = _policy_for(self.spec, self.settings)
        commit, dirty = git_state(Path(__file__).resolve().parent)
        return {
            "data.path": str(self.job.data),
            "data.sha256": file_sha256(self.job.data),
            "data.rows": str(len(self.frame)),
            "git.commit": commit,
            "git.dirty": str(dirty).lower(),
            "spec.name": self.spec.name,
            "spec.fingerprint": self.spec.fingerprint(),
            "policy.version": policy.version,
            "selected_family": self.selected.name,
            "selection.method": self.cv.method if self.cv is not None else "holdout",
            "split.method": self.split.method,
            "registered.fitted_on": "all_rows" if self.cv is not None else "training_rows",
            "registered.n_rows": str(len(self.frame) if self.cv is not None else len(self.split.train)),
            **({"weights.column": self.job.weight_column} if self.job.weight_column else {}),
        }

    def log_and_register(self, test: pd.DataFrame, y_test: np.ndarray, clock: StageClock) -> dict:
        client = tracking.configure(self.settings)
        experiment = self.job.experiment or self.settings.experiment
        experiment_id = tracking.ensure_experiment(client, experiment, self.settings)
        tags = self.tags()
        policy = _policy_for(self.spec, self.settings)
        with mlflow.start_run(experiment_id=experiment_id, run_name=f"train-{self.selected.name}") as run:
            with clock.stage("log_params", "log to MLflow"):
                self._log_params(tags)
            with clock.stage("log_evaluation", "log plots, SHAP and cards"):
                registration.log_evaluation(
                    self.fitted, self.selected, test, y_test, self.spec,
                    lambda p: grade_for_pd(p, policy), [g.grade for g in policy.master_scale],
                )  # fmt: skip
                registration.log_holdout(test)
            version_tags = {**tags, "run_id": run.info.run_id, "holdout.auc": str(self.selected.metrics["auc"])}
            with clock.stage("register", "log and register the model"):
                version, uri, aliases = registration.register_selected(
                    client, self.registered, test.head(5), self.model_name, version_tags
                )
            with clock.stage("reference_profile", "log the reference profile for monitoring"):
                about = {"model_name": self.model_name, "model_version": version, "data.sha256": tags["data.sha256"]}
                log_reference_profile(self.registered.estimator, self.frame, self.spec, about)
            timings = clock.report()
            mlflow.log_metrics({f"time.{name}_seconds": value for name, value in timings.items()})
        return {**self.report(version, uri, aliases, run.info.run_id, y_test), "timings_seconds": timings}

    def _log_params(self, tags: dict[str, str]) -> None:
        mlflow.set_tags(tags)
        mlflow.log_params({"test_fraction": self.job.test_fraction, "seed": self.job.seed, "refit": self.job.refit})
        mlflow.log_params(self.split.describe())
        for family in self.fitted:
            mlflow.log_params({f"{family.name}.{k}": v for k, v in _loggable(family.estimator.get_params())})
        mlflow.log_dict(self.spec.to_dict(), "spec/feature_spec.json")
        self._log_cross_validation()

    def _log_cross_validation(self) -> None:
        """``cv.*``: the registered model's selection; ``cv_training_rows.*``: the holdout models', when apart."""
        if self.final is None:
            return
        runs = {"cv": self.final, **({"cv_training_rows": self.cv} if self.cv is not self.final else {})}
        for prefix, cv in runs.items():
            mlflow.log_params({f"{prefix}.{k}": v for k, v in cv.describe().items()})
            for name, stats in cv.summary().items():
                mlflow.log_metrics({f"{prefix}.{name}.{k}": v for k, v in stats.items()})
                for step, auc in enumerate(cv.auc[name], start=1):
                    mlflow.log_metric(f"{prefix}.{name}.fold_auc", auc, step=step)

    def report(self, version, uri, aliases, run_id, y_test) -> dict[str, Any]:
        families = {f.name: {**f.metrics, "fit_seconds": round(f.fit_seconds, 3)} for f in self.fitted}
        report: dict[str, Any] = {
            **families,
            "selected": self.selected.name,
            "selection": _selection(self.cv, self.final, len(self.frame)),
            "model_name": self.model_name,
            "model_version": version,
            "model_uri": uri,
            "aliases": aliases,
            "run_id": run_id,
            "split": self.split.describe(),
            "registered_model": _registered(self.cv, self.frame, self.split, self.job),
            **_recalibration(self.registered.estimator),
            "figures_from": _figures_from(self.cv, self.final, self.split),
            "calibration_by_decile": calibration_by_decile(self.selected.holdout_pd, y_test),
        }
        baseline = next((f for f in self.fitted if f.baseline), None)
        if baseline is not None:
            report["auc_lift_vs_manual_sheet"] = self.selected.metrics["auc"] - baseline.metrics["auc"]
        return report


def _policy_for(spec: Any, settings: Settings) -> Any:
    """The policy whose master scale grades the model's PDs and whose version the run records: 强农贷's for the
    enterprise spec, the configured (富民贷) one otherwise."""
    if spec.derive == "enterprise":
        return load_enterprise_policy()
    return load_policy(settings.policy_file)


def _selection(cv: CrossValidation | None, final: CrossValidation | None, n_all: int) -> dict[str, Any]:
    """The registered model's selection (folds, AUCs, calibration maps, LightGBM's rounds); when the holdout models
    had their own, on the training rows, it under ``holdout_models``."""
    if cv is None or final is None:
        return {"method": "holdout", "by": "holdout AUC"}
    if final is cv:
        return {"on": "training_rows", **_folds(cv, {"holdout_model": cv.n_rows, "registered_model": n_all})}
    holdout = {"selected": cv.selected, **_folds(cv, {"holdout_model": cv.n_rows})}
    return {"on": "all_rows", **_folds(final, {"registered_model": n_all}), "holdout_models": holdout}


def _folds(cv: CrossValidation, fits: dict[str, int]) -> dict[str, Any]:
    return {
        **cv.describe(), "by": "mean cross-validated AUC", "families": cv.summary(),
        "lightgbm_calibration": cv.calibration(), "scorecard_calibration": cv.scorecard_calibration(),
        "forest_calibration": cv.forest_calibration(), "lightgbm_rounds": cv.rounds_report(fits),
    }  # fmt: skip


def _registered(cv: CrossValidation | None, frame: pd.DataFrame, split: Split, job: TrainJob) -> dict[str, Any]:
    if cv is None:
        return {"fitted_on": "training_rows", "n_rows": len(split.train)}
    registered: dict[str, Any] = {"fitted_on": "all_rows", "n_rows": len(frame)}
    bins = (job.params.get(SCORECARD) or {}).get("binning")
    if bins is not None:  # _with_card_bins: the card's bins are the holdout card's
        registered["scorecard_bins"] = {"fitted_on": "holdout_model_rows", "n_rows": bins.n_rows}
    return registered


def _recalibration(estimator: Any) -> dict[str, Any]:
    """The county recalibration of the registered model, when it has one (``recalibration`` in the report)."""
    evidence = getattr(estimator, "evidence_", None)
    if evidence is None:
        return {}
    terms = {"by": estimator.column, "prior_sd": estimator.prior_sd, "direction": estimator.direction,
             "reason_min_offset": estimator.reason_min_offset}  # fmt: skip
    return {"recalibration": {**terms, "counties": evidence}}


def _figures_from(cv: CrossValidation | None, final: CrossValidation | None, split: Split) -> dict[str, str]:
    n_train, n_test = len(split.train), len(split.test)
    n_fit = n_train if cv is None else cv.n_rows
    rows = f"the {n_train:,} training rows" if n_fit == n_train else f"{n_fit:,} of the {n_train:,} training rows"
    drawn = "" if cv is None else " (the rows the selection's folds were drawn from)"
    holdout = (
        f"per family and calibration_by_decile: the family fitted on {rows} only{drawn}, scored on the {n_test:,} "
        "holdout rows it has not seen"
    )
    if cv is None:
        return {"holdout": holdout, "registered_model": "the selected family's holdout model itself"}
    folds = f"{cv.describe()['n_folds']} folds ({cv.method})"
    selection = f"{folds} on {cv.n_rows:,} of the training rows"
    if final is not cv:
        selection = (
            f"the registered model's: {folds} on all {final.n_rows:,} rows; the holdout models' (their stack, "
            f"calibration and rounds; selection.holdout_models): {folds} on the {cv.n_rows:,} training rows"
        )
    return {
        "selection": selection,
        "holdout": holdout,
        "registered_model": (
            f"the selected family refitted on all {n_train + n_test:,} rows; it has seen the holdout, so no holdout "
            "figure is computed with it"
        ),
    }


def _loggable(params: dict[str, Any]) -> list[tuple[str, Any]]:
    simple = (str, int, float, bool, type(None))
    return [(k, v) for k, v in params.items() if k != "spec" and isinstance(v, simple)]
