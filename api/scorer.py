"""The registered estimator as the assessment service sees it: PD and reasons for one record, fast.

A LightGBM champion reads a pandas frame; on one row the frame and its encoding cost milliseconds, several times the
model itself. :class:`RowEncoder` builds the booster's numpy row straight from the canonical record with the
estimator's own fitted pieces — its feature order, its category codes, its spec's derivation (the household
derivation's scalar twin, or the derivation itself on a one-row column view) — and :class:`ServedModel` runs the
booster's raw-score and TreeSHAP (``pred_contrib``) predictions on that row, calibrates the margin with the
estimator's own calibration and groups the contributions with its own reason table. :meth:`ServedModel.check`
proves on sample applications that this path gives exactly what the estimator's public ``pd_and_reasons`` gives on
a frame; where it does not, or for other families, the frame path is used. Batches always take the frame path.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from credit_engine.contract import example_application, idnumber
from credit_engine.contract.record import validate_record
from credit_engine.errors import CreditEngineError
from credit_engine.features import DERIVATIONS
from models.lgbm import PD_FLOOR
from models.store import LoadedModel

log = logging.getLogger(__name__)


class ModelRejected(CreditEngineError):
    """A model that cannot serve the household contract (bad artifact, other features, wrong output)."""

    code = "model_rejected"


class _Column:
    __slots__ = ("values",)

    def __init__(self, value: Any) -> None:
        self.values = np.array([np.nan if value is None else value], dtype=np.float64)

    def to_numpy(self) -> np.ndarray:
        return self.values


class _OneRow:
    """A one-row, numbers-only view of a record: what a spec derivation reads (``frame[name].to_numpy()``)."""

    index = pd.RangeIndex(1)

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record

    def __getitem__(self, name: str) -> _Column:
        return _Column(self.record[name])


def _household_row(record: Mapping[str, Any]) -> dict[str, float]:
    """Scalar twin of the ``household`` derivation (:mod:`credit_engine.features`): the same float operations in the
    same order; :meth:`ServedModel.check` proves it on sample records (and the tests on generated households)."""
    size = max(float(record["household_size"]), 1.0)
    income = float(record["annual_net_income"])
    loans = float(record["prior_loans"])
    return {
        "income_per_capita": income / size,
        "debt_to_assets": float(record["total_liabilities"]) / (float(record["total_assets"]) + 1000.0),
        "loan_to_income": float(record["requested_amount"]) / (income + 1000.0),
        "labor_share": float(record["labor_count"]) / size,
        "overdue_rate": float(record["prior_overdue_times"]) / max(loans, 1.0) if loans > 0 else 0.0,
    }


ROW_DERIVATIONS = {"household": _household_row}
"""Derivations with a one-row twin; any other runs the spec's own derivation on a one-row view (slower)."""


class RowEncoder:
    """The estimator's matrix row for one canonical record (None where the estimator has no such path)."""

    def __init__(self, estimator: Any) -> None:
        encoder = estimator.encoder_
        self.features: list[str] = list(encoder.feature_names_)
        self.codes = {
            name: {str(c): float(i) for i, c in enumerate(cats)} for name, cats in encoder.categories_.items()
        }
        spec = encoder.spec
        self.derive = DERIVATIONS[spec.derive] if spec.derive else None
        self.derive_row = ROW_DERIVATIONS.get(spec.derive) if spec.derive else None

    @classmethod
    def for_estimator(cls, estimator: Any) -> RowEncoder | None:
        needed = ("encoder_", "booster_", "best_iteration_", "reasons_", "_pd_from_margin")
        if not all(hasattr(estimator, name) for name in needed) or getattr(estimator.encoder_, "spec", None) is None:
            return None
        return cls(estimator)

    def row(self, record: Mapping[str, Any]) -> np.ndarray:
        derived: dict[str, Any] = {}
        if self.derive_row is not None:
            derived = self.derive_row(record)
        elif self.derive is not None:
            frame = self.derive(_OneRow(record))
            derived = dict(zip(frame.columns, frame.to_numpy(dtype=np.float64)[0].tolist(), strict=True))
        row = np.empty((1, len(self.features)), dtype=np.float64)
        for j, name in enumerate(self.features):
            value = derived[name] if name in derived else record[name]
            if name in self.codes:
                row[0, j] = math.nan if value is None else self.codes[name].get(str(value), math.nan)
            else:
                row[0, j] = math.nan if value is None else float(value)
        return row


def sample_records() -> list[dict[str, Any]]:
    """Canonical applications that exercise every category and the derivations' edge cases (zero loans, income)."""
    base = example_application()
    female = idnumber.make("140121", dt.date(1980, 5, 17), 124)
    changes = [
        {},
        {"prior_loans": 0, "prior_overdue_times": 0, "annual_net_income": 0.0, "transfer_income": 0.0},
        {"head_gender": "F", "head_id_number": female, "credit_record": "adverse", "purpose": "wedding"},
        {
            "registry_status": "none",
            "county_code": "999999",
            "village_code": "999999101001",
            "head_health": "serious",
            "requested_amount": 80000.0,
        },
        {"prior_loans": 3, "prior_overdue_times": 20, "total_liabilities": 90000.0, "total_assets": 0.0},
    ]
    records = []
    for change in changes:
        record, errors = validate_record(base | change)
        if errors:
            raise AssertionError(f"sample application is invalid: {errors}")
        records.append(record)
    return records


def _calibration(estimator: Any) -> Callable[[np.ndarray], np.ndarray]:
    """Margin → PD as the estimator calibrates it. A Platt (logistic) calibrator is applied with the same numpy
    operations as its ``predict_proba``, without scikit-learn's per-call input checks (a fifth of a request's
    time); :meth:`ServedModel.check` proves the result identical, else the estimator's own method is used."""
    calibrator = getattr(estimator, "calibrator_", None)
    if isinstance(calibrator, LogisticRegression) and calibrator.coef_.shape == (1, 1):
        coef_t, intercept = calibrator.coef_.T, calibrator.intercept_

        def platt(margin: np.ndarray) -> np.ndarray:
            scores = (margin[:, None] @ coef_t + intercept).ravel()
            return np.clip(expit(scores), PD_FLOOR, 1.0 - PD_FLOOR)

        return platt
    return estimator._pd_from_margin


class ServedModel:
    """A loaded champion: ``pd_and_reasons(record)`` per request, ``batch_pd_and_reasons(records)`` for batches."""

    def __init__(self, loaded: LoadedModel, loaded_at: dt.datetime | None = None) -> None:
        self.loaded = loaded
        self.estimator = loaded.estimator
        self.model_version = loaded.label
        self.loaded_at = loaded_at or dt.datetime.now(dt.UTC)
        self.encoder = RowEncoder.for_estimator(self.estimator)
        self._calibrate = _calibration(self.estimator) if self.encoder is not None else None

    @property
    def fast_path(self) -> bool:
        return self.encoder is not None

    def pd_and_reasons(self, record: Mapping[str, Any], top_n: int) -> tuple[float, list[str]]:
        if self.encoder is None:
            pds, reasons = self.batch_pd_and_reasons([record], top_n)
            return float(pds[0]), reasons[0]
        estimator, row = self.estimator, self.encoder.row(record)
        booster, trees = estimator.booster_, estimator.best_iteration_
        margin = booster.predict(row, raw_score=True, num_iteration=trees, num_threads=1)
        contributions = booster.predict(row, pred_contrib=True, num_iteration=trees, num_threads=1)
        return float(self._calibrate(margin)[0]), estimator.reasons_.top(contributions[:, :-1], top_n)[0]

    def batch_pd_and_reasons(self, records: Sequence[Mapping[str, Any]], top_n: int) -> tuple[np.ndarray, list]:
        frame = pd.DataFrame(list(records))
        if hasattr(self.estimator, "pd_and_reasons"):
            pds, reasons = self.estimator.pd_and_reasons(frame, top_n)
        else:
            pds, reasons = self.estimator.predict_pd(frame), self.estimator.reason_codes(frame, top_n)
        return np.asarray(pds, dtype=np.float64), [list(r) for r in reasons]

    def check(self) -> None:
        """Serve only a model that scores the household contract: PDs in 0–1, reasons as codes, and the fast path
        equal to the estimator's own frame path (else the fast path is switched off)."""
        records = sample_records()
        try:
            pds, reasons = self.batch_pd_and_reasons(records, 4)
        except Exception as error:  # any failure of a foreign artifact is a reason to refuse it
            message = f"the model cannot score the household contract: {type(error).__name__}: {error}"
            raise ModelRejected(message) from error
        if pds.shape != (len(records),) or not np.all((pds >= 0) & (pds <= 1)):
            raise ModelRejected(f"the model returned PDs outside 0–1 or of the wrong shape: {pds!r}")
        if len(reasons) != len(records) or not all(isinstance(code, str) for row in reasons for code in row):
            raise ModelRejected("the model's reasons are not lists of reason codes")
        if self.encoder is not None and not self._fast_path_agrees(records, pds, reasons):
            log.warning("%s: one-row shortcuts disagree with the frame path; using the estimator's own steps", self)
            self._calibrate = self.estimator._pd_from_margin  # without the shortcuts, then not at all
            self.encoder.derive_row = None
            if not self._fast_path_agrees(records, pds, reasons):
                log.warning("%s: the one-row path disagrees with the frame path; scoring frames", self)
                self.encoder = None

    @property
    def shortcuts(self) -> bool:
        """The one-row path runs with the derivation's twin and the direct calibration (the fastest path)."""
        if self.encoder is None or self.encoder.derive_row is None:
            return False
        return self._calibrate is not self.estimator._pd_from_margin

    def __str__(self) -> str:
        return f"model {self.model_version}"

    def _fast_path_agrees(self, records: list[dict], pds: np.ndarray, reasons: list[list[str]]) -> bool:
        try:
            fast = [self.pd_and_reasons(record, 4) for record in records]
        except Exception:  # a derivation that needs more than numpy columns: use the frame path
            return False
        return all(p == pd_ and r == list(rs) for (p, r), pd_, rs in zip(fast, pds, reasons, strict=True))
