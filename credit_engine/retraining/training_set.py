"""The retraining set as of a day: matured outcomes (and an original registry) weighted by recency, and the most
recent matured vintages held out of time for the promotion gate.

From the outcome table's rows (:mod:`credit_engine.outcomes.table`), censored loans are left out (never trained
on); a matured loan's vintage is its disbursement month. The :class:`RetrainingPolicy`'s ``holdout.vintages`` most
recent vintages are the gate's rows; with a ``recalibration`` section, the ``recalibration.vintages`` matured vintages
before them are the recalibration rows (the county offsets are learnt on them; the model is not trained on them);
the older matured loans and the registry's rows are the training rows, each with its recency weight
(:func:`credit_engine.retraining.weights.recency_weights`) in :data:`WEIGHT`. Only the data contract's columns,
the label and the weight are kept: no raw ID number (the registry's is dropped), no pseudonym.
:func:`holdout_applicants` gives the gate the applicants of the held-out months (every decision), on which it judges
the approval ratios.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from credit_engine.outcomes.table import CONTRACT_COLUMNS
from credit_engine.retraining.policy import RetrainingPolicy
from credit_engine.retraining.weights import recency_weights

LABEL = "defaulted"
WEIGHT = "sample_weight"
SOURCE = "source"
VINTAGE = "vintage"
FEATURE_COLUMNS = tuple(name for name in CONTRACT_COLUMNS if name != "head_id_pseudonym")
OUTCOMES, REGISTRY = "outcomes", "registry"


@dataclass(frozen=True)
class RetrainingSet:
    train: pd.DataFrame  # contract columns, the label, the weight, the source
    holdout: pd.DataFrame  # contract columns, the label, the vintage
    holdout_vintages: tuple[str, ...]
    recalibration: pd.DataFrame | None = None  # contract columns, the label, the vintage (None: no recalibration)
    recalibration_vintages: tuple[str, ...] = ()

    def describe(self) -> dict:
        sources = self.train[SOURCE].value_counts().to_dict() if len(self.train) else {}
        return {
            "train_rows": len(self.train),
            "train_rows_by_source": {k: int(v) for k, v in sorted(sources.items())},
            "train_bads": int(self.train[LABEL].sum()) if len(self.train) else 0,
            "train_weight_sum": round(float(self.train[WEIGHT].sum()), 3) if len(self.train) else 0.0,
            "holdout_vintages": list(self.holdout_vintages),
            "holdout_rows": len(self.holdout),
            "holdout_bads": int(self.holdout[LABEL].sum()) if len(self.holdout) else 0,
            **self._describe_recalibration(),
        }

    def _describe_recalibration(self) -> dict:
        if self.recalibration is None:
            return {}
        frame = self.recalibration
        return {
            "recalibration_vintages": list(self.recalibration_vintages),
            "recalibration_rows": len(frame),
            "recalibration_bads": int(frame[LABEL].sum()) if len(frame) else 0,
        }

    def digest(self) -> str:
        """sha256 (hex) of both frames' columns and values: the same data gives the same digest."""
        sha = hashlib.sha256()
        extra = [] if self.recalibration is None else [self.recalibration]
        for frame in (self.train, self.holdout, *extra):
            sha.update("|".join(frame.columns).encode("utf-8"))
            sha.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        return sha.hexdigest()


def matured_frame(rows: list[dict]) -> pd.DataFrame:
    """The matured (bad or good) loans' contract columns, label and vintage, in disbursement order."""
    frame = pd.DataFrame(rows, columns=[*FEATURE_COLUMNS, LABEL, "censored", "disbursed_on"])
    frame = frame[~frame["censored"].astype(bool) & frame[LABEL].notna()].copy()
    frame[LABEL] = frame[LABEL].astype(int)
    frame[VINTAGE] = pd.to_datetime(frame["disbursed_on"]).dt.strftime("%Y-%m")
    return frame.drop(columns=["censored", "disbursed_on"]).reset_index(drop=True)


def holdout_applicants(inputs: Sequence[Mapping[str, object]], vintages: Sequence[str]) -> pd.DataFrame:
    """The assessments' inputs (contract columns as the audit log recorded them) applied for in the held-out months
    (``YYYY-MM``, the vintages), every decision included; the masked ID number dropped."""
    months = set(vintages)
    chosen = [dict(row) for row in inputs if str(row.get("application_date") or "")[:7] in months]
    frame = pd.DataFrame(chosen)
    return frame.drop(columns=["head_id_number"], errors="ignore")


def retraining_set(
    rows: list[dict], registry: pd.DataFrame | None, as_of: dt.date, policy: RetrainingPolicy
) -> RetrainingSet:
    """The training rows (older matured loans and the registry, weighted), the recalibration rows (when the policy
    recalibrates) and the out-of-time holdout."""
    matured = matured_frame(rows)
    months = sorted(matured[VINTAGE].unique())
    vintages = tuple(months[-policy.holdout.vintages :])
    in_holdout = matured[VINTAGE].isin(vintages)
    held = in_holdout
    recalibration, recalibration_vintages = None, ()
    if policy.recalibration is not None:
        older = months[: -policy.holdout.vintages]
        recalibration_vintages = tuple(older[max(0, len(older) - policy.recalibration.vintages) :])
        recalibrating = matured[VINTAGE].isin(recalibration_vintages)
        recalibration = matured[recalibrating].reset_index(drop=True)
        held = held | recalibrating
    parts = [matured[~held].drop(columns=[VINTAGE]).assign(**{SOURCE: OUTCOMES})]
    if registry is not None:
        kept = [c for c in (*FEATURE_COLUMNS, LABEL) if c in registry.columns]
        parts.append(registry[kept].assign(**{SOURCE: REGISTRY}))
    train = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    train[WEIGHT] = recency_weights(train["application_date"], as_of, policy.weights.half_life_years)
    holdout = matured[in_holdout].reset_index(drop=True)
    return RetrainingSet(train, holdout, vintages, recalibration, recalibration_vintages)
