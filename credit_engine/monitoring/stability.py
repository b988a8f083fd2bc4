"""Stability (稳定性): PSI of the PD and CSI of every feature, per monthly application cohort and overall, against
the model's reference profile; each figure judged against the policy's watch and act thresholds.

A cohort with fewer assessments than the policy's ``min_rows`` is shown and not judged (a few rows make any index
jump). The PSI of the PD is taken on the reference's PD bins (the training bins), the CSI of a feature on its bins.
"""

from __future__ import annotations

import pandas as pd

from credit_engine.monitoring.policy import NOT_JUDGED, MonitoringPolicy, at_least
from credit_engine.monitoring.profile import Bins, ReferenceProfile, psi

ALL = "all"
PD_VARIABLE = "pd"


def index_of(bins: Bins, values: pd.Series) -> float:
    """The PSI of ``values`` against ``bins``' reference shares."""
    return psi(bins.shares, bins.shares_of(values))


def _judged(rows: int, value: float, policy: MonitoringPolicy) -> str:
    limits = policy.stability
    return NOT_JUDGED if rows < limits.min_rows else at_least(value, limits.watch, limits.act)


def _cohorts(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    return [(ALL, frame), *((str(c), part) for c, part in frame.groupby("cohort", sort=True))]


def stability_rows(
    frame: pd.DataFrame, features: list[str], profile: ReferenceProfile, policy: MonitoringPolicy
) -> list[dict]:
    """One row per cohort (``all`` first) and variable (the PD, then each feature in the profile): its index, the
    kind (PSI of the PD, CSI of a feature), rows and status."""
    if frame.empty:
        return []
    rows = []
    monitored = [name for name in features if name in profile.features]
    for cohort, part in _cohorts(frame):
        value = index_of(profile.pd_bins, part["pd"])
        rows.append(_stability_row(cohort, PD_VARIABLE, "PSI", len(part), value, policy))
        for name in monitored:
            value = index_of(profile.features[name], part[f"f:{name}"])
            rows.append(_stability_row(cohort, name, "CSI", len(part), value, policy))
    return rows


def _stability_row(cohort: str, variable: str, kind: str, rows: int, value: float, policy: MonitoringPolicy) -> dict:
    return {
        "cohort": cohort,
        "variable": variable,
        "index": kind,
        "rows": rows,
        "value": round(value, 4),
        "status": _judged(rows, value, policy),
    }


def bin_rows(frame: pd.DataFrame, profile: ReferenceProfile) -> list[dict]:
    """The PD's bins: reference share and the share of all monitored assessments, bin by bin."""
    if frame.empty:
        return []
    actual = profile.pd_bins.shares_of(frame["pd"])
    return [
        {"bin": label, "reference_share": round(expected, 4), "actual_share": round(float(found), 4)}
        for label, expected, found in zip(profile.pd_bins.labels(), profile.pd_bins.shares, actual, strict=True)
    ]
