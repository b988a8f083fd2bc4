"""The assessments of the audit log as one table for monitoring: who was assessed, when, with what inputs, PD,
grade and decision, and why (knock-outs, the fund's F reasons).

:func:`assessment_frame` turns :class:`~credit_engine.assessment.audit_record.StoredAssessment` values (ID numbers
already masked and pseudonymised by the audit log; the masked number is dropped here) into one row each: the
monthly application cohort (``cohort``, from the application date), the county, the head's gender and age band, the
PD, grade and decision, the knock-out codes, the fund's reason codes (F01–F04: an approval the fund's headroom
turned into a referral) and the feature columns of the model's spec, derived ones computed as in training.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.features import FeatureSpec, derived_frame

META = ("assessment_id", "cohort", "application_date", "county_code", "head_gender", "age_band")
FUND_CODES = ("F01", "F02", "F03", "F04")


def age_band(age: object, bands: Sequence[int]) -> str:
    """The band of ``age`` under the policy's bounds: ``<30``, ``30–39``, …, ``60+`` (``unknown`` when missing)."""
    try:
        years = int(age)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "unknown"
    if years < bands[0]:
        return f"<{bands[0]}"
    for low, high in zip(bands, bands[1:], strict=False):
        if low <= years < high:
            return f"{low}–{high - 1}"
    return f"{bands[-1]}+"


def _application_date(stored: StoredAssessment) -> dt.date:
    value = stored.inputs.get("application_date")
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return stored.recorded_at.date()


def _row(stored: StoredAssessment, bands: Sequence[int]) -> dict:
    applied = _application_date(stored)
    reasons = [str(r.get("code", "")) for r in stored.result.get("reasons", ()) if isinstance(r, dict)]
    return {
        "assessment_id": stored.assessment_id,
        "cohort": f"{applied:%Y-%m}",
        "application_date": applied,
        "county_code": stored.county_code or str(stored.inputs.get("county_code", "")),
        "head_gender": str(stored.inputs.get("head_gender") or "unknown"),
        "age_band": age_band(stored.inputs.get("head_age"), bands),
        "pd": stored.result.get("pd"),
        "grade": stored.result.get("grade"),
        "decision": stored.detail.decision or "unknown",
        "knockouts": tuple(stored.detail.knockouts),
        "fund_reasons": tuple(code for code in reasons if code in FUND_CODES),
        "model_version": stored.model_version,
    }


def assessment_frame(
    assessments: Sequence[StoredAssessment], spec: FeatureSpec, age_bands: Sequence[int]
) -> tuple[pd.DataFrame, list[str]]:
    """One row per assessment (meta, PD, decision, reasons, then the spec's features present) and those features."""
    meta = pd.DataFrame([_row(s, age_bands) for s in assessments])
    if meta.empty:
        return meta, []
    inputs = pd.DataFrame([dict(s.inputs) for s in assessments]).drop(columns=["head_id_number"], errors="ignore")
    try:
        inputs = pd.concat([inputs, derived_frame(spec, inputs)], axis=1)
    except KeyError:
        pass  # inputs without the derivation's columns: only the features on record are monitored
    features = [name for name in spec.feature_names if name in inputs.columns]
    frame = pd.concat([meta, inputs[features].add_prefix("f:")], axis=1)
    frame["pd"] = pd.to_numeric(frame["pd"], errors="coerce")
    return frame, features
