"""The registered estimator as the scoring API serves it: loaded, checked against the household contract, named.

The estimator is the scorer (:class:`credit_engine.scoring.Scorer`): ``score_record`` rates one application per
request without a DataFrame — the model's own one-record path — and ``pd_and_reasons`` rates a batch. This module
only loads and checks: before a model is served, :meth:`ServedModel.check` scores sample applications that
exercise every category and the derivations' edge cases and requires PDs in 0–1, reasons as codes, and the
one-record path equal to the table path; a model whose one-record path disagrees is served through its table path
(slower, never different).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from credit_engine.contract import example_application, idnumber
from credit_engine.contract.record import validate_record
from credit_engine.enterprise.fields import example_enterprise
from credit_engine.enterprise.validation import validate_enterprise
from credit_engine.errors import CreditEngineError
from credit_engine.scoring import Champion, Scorer
from models.store import LoadedModel

log = logging.getLogger(__name__)


class ModelRejected(CreditEngineError):
    """A model that cannot serve the household contract (bad artifact, other features, wrong output)."""

    code = "model_rejected"


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


def enterprise_samples() -> list[dict[str, Any]]:
    """Canonical enterprise applications: the example, a loss-maker without cover, a young family farm in forestry."""
    changes = [
        {},
        {"net_profit": -400_000.0, "ebit": -300_000.0, "operating_cash_flow": -100_000.0,
         "retained_earnings": -50_000.0,
         "collateral_type": "none", "collateral_value": 0.0, "guarantor": "none", "insured": False,
         "credit_record": "adverse", "prior_overdue_times": 4},
        {"entity_type": "family_farm", "industry": "forestry", "years_operating": 0, "linkage_mode": "land_lease",
         "collateral_type": "forest_rights", "term_months": 60, "revenue": 200_000.0},
    ]  # fmt: skip
    records = []
    for change in changes:
        record, errors = validate_enterprise(example_enterprise(**change))
        if errors:
            raise AssertionError(f"sample enterprise application is invalid: {errors}")
        records.append(record)
    return records


class TablePath:
    """A scorer whose one-record answers come from its table path (a one-row frame): slower, never different."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        return self.scorer.predict_pd(frame)

    def pd_and_reasons(self, frame: pd.DataFrame, top_n: int = 4) -> tuple[np.ndarray, list[list[str]]]:
        return self.scorer.pd_and_reasons(frame, top_n)

    def score_record(self, record: Mapping[str, Any], top_n: int = 4) -> tuple[float, list[str]]:
        pds, reasons = self.scorer.pd_and_reasons(pd.DataFrame([record]), top_n)
        return float(pds[0]), list(reasons[0])


class ServedModel:
    """A loaded champion; :attr:`champion` is what the assessment service scores with (after :meth:`check`)."""

    def __init__(
        self,
        loaded: LoadedModel,
        loaded_at: dt.datetime | None = None,
        samples: Callable[[], list[dict[str, Any]]] = sample_records,
    ) -> None:
        self.loaded = loaded
        self.samples = samples  # the contract's sample applications (enterprise_samples for the 强农贷 model)
        self.estimator = loaded.estimator
        self.model_version = loaded.label
        self.loaded_at = loaded_at or dt.datetime.now(dt.UTC)
        self.champion = Champion(self.estimator, self.model_version)

    @property
    def fast_path(self) -> bool:
        """One application is scored by the model's own one-record path (not through a one-row frame)."""
        return self.champion.scorer is self.estimator

    def check(self) -> None:
        """Serve only a model that scores the household contract: PDs in 0–1, reasons as codes, and the one-record
        path equal to the table path (else one record is scored through the table path)."""
        if not isinstance(self.estimator, Scorer):
            name = type(self.estimator).__name__
            raise ModelRejected(f"the model cannot score the household contract: {name} is not a scorer")
        records = self.samples()
        try:
            pds, reasons = self.estimator.pd_and_reasons(pd.DataFrame(records), 4)
        except Exception as error:  # any failure of a foreign artifact is a reason to refuse it
            message = f"the model cannot score the household contract: {type(error).__name__}: {error}"
            raise ModelRejected(message) from error
        pds = np.asarray(pds, dtype=np.float64)
        if pds.shape != (len(records),) or not np.all((pds >= 0) & (pds <= 1)):
            raise ModelRejected(f"the model returned PDs outside 0–1 or of the wrong shape: {pds!r}")
        if len(reasons) != len(records) or not all(isinstance(code, str) for row in reasons for code in row):
            raise ModelRejected("the model's reasons are not lists of reason codes")
        if not self._record_path_agrees(records, pds, reasons):
            log.warning("%s: the one-record path disagrees with the table path; scoring one-row tables", self)
            self.champion = Champion(TablePath(self.estimator), self.model_version)

    def __str__(self) -> str:
        return f"model {self.model_version}"

    def _record_path_agrees(self, records: list[dict], pds: np.ndarray, reasons: list[list[str]]) -> bool:
        try:
            one = [self.estimator.score_record(record, 4) for record in records]
        except Exception:  # a one-record path that fails on the contract's applications: use the table path
            return False
        return all(p == pd_ and list(r) == list(rs) for (p, r), pd_, rs in zip(one, pds, reasons, strict=True))
