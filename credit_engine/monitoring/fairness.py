"""Fairness (公平性, PIPL art. 24: fair and just automated decisions): by county, head's gender and age band — the
approval rate and its ratio to the highest group's, the mean PD against the realised default rate of the group's
matured loans (with the calibration gap), and the grade mix.

A group's approval ratio below the policy's floor (0.8, the four-fifths rule) is flagged; a group with fewer
assessments than ``min_group`` is shown and not judged, and the highest rate is taken over judged groups only.
Plain pandas: the figures are group-bys (fairlearn's ``MetricFrame`` would add a dependency for the same sums).
"""

from __future__ import annotations

import pandas as pd

from credit_engine.monitoring.performance import calibration_row
from credit_engine.monitoring.policy import NOT_JUDGED, MonitoringPolicy, below

DIMENSIONS = {
    "county_code": ("县", "County"),
    "head_gender": ("户主性别", "Head's gender"),
    "age_band": ("户主年龄段", "Head's age band"),
}


def approval_ratio_status(ratio: float | None, rows: int, policy: MonitoringPolicy) -> str:
    """The status of a group's approval ratio (to the highest group's)."""
    limits = policy.fairness
    if ratio is None or rows < limits.min_group:
        return NOT_JUDGED
    return below(ratio, limits.approval_ratio_watch, limits.approval_ratio_act)


def group_rows(frame: pd.DataFrame, dimension: str, grades: tuple[str, ...], policy: MonitoringPolicy) -> list[dict]:
    """One row per group of ``dimension``: assessments, approvals, rate, ratio to the highest, its status, mean PD,
    the matured loans' realised rate and calibration gap with its status, and the share of each grade."""
    if frame.empty:
        return []
    groups = list(frame.groupby(dimension, sort=True))
    rates = {str(key): float((part["decision"] == "approve").mean()) for key, part in groups}
    judged = [rates[str(key)] for key, part in groups if len(part) >= policy.fairness.min_group]
    highest = max(judged, default=None)
    rows = []
    for key, part in groups:
        rate = rates[str(key)]
        ratio = rate / highest if highest else None
        matured = part[part["defaulted"].notna()]
        calibration = calibration_row({}, matured["pd"], matured["defaulted"], policy)
        rows.append({
            "dimension": dimension, "group": str(key), "assessments": len(part),
            "approvals": int((part["decision"] == "approve").sum()), "approval_rate": round(rate, 4),
            "approval_ratio": None if ratio is None else round(ratio, 4),
            "ratio_status": approval_ratio_status(ratio, len(part), policy),
            "mean_pd": round(float(part["pd"].mean()), 4), "matured_loans": calibration["loans"],
            "realised_rate": calibration["realised_rate"], "predicted_pd": calibration["predicted_pd"],
            "calibration_gap": calibration["gap"], "calibration_status": calibration["status"],
            **{f"grade_{grade}": round(float((part["grade"] == grade).mean()), 4) for grade in grades},
        })  # fmt: skip
    return rows


def fairness_rows(frame: pd.DataFrame, grades: tuple[str, ...], policy: MonitoringPolicy) -> list[dict]:
    """The group rows of every dimension, county first."""
    return [row for dimension in DIMENSIONS for row in group_rows(frame, dimension, grades, policy)]
