"""Stability (稳定性): PSI of the PD and CSI of every feature, per monthly application cohort and overall, against
the model's reference profile; each figure judged against the policy's watch and act thresholds.

A cohort with fewer assessments than the policy's ``min_rows`` is shown and not judged (a few rows make any index
jump). The PSI of the PD is taken on the reference's PD bins (the training bins), the CSI of a feature on its bins.

By county (:func:`county_rows`): a shock in a third of the counties barely moves the province's shares, so every
county the profile keeps shares for is compared with its OWN reference shares (over the same bins), its assessments
of the whole period pooled, judged by the same thresholds and ``min_rows`` — and only where the county's samples are
large enough that sampling alone would show at most half the watch threshold (:func:`sampling_psi`; a county of a
hundred assessments shows ~0.15 by chance: shown, not judged). To stay readable (a dozen counties times
two dozen features) a county shows the PSI of its PD, then every feature at watch or act, or — when none is — the
one feature that moved most, so a green county is two lines and a shocked one names what moved.
"""

from __future__ import annotations

import pandas as pd

from credit_engine.monitoring.policy import ACT, NOT_JUDGED, WATCH, MonitoringPolicy, at_least
from credit_engine.monitoring.profile import Bins, ReferenceProfile, psi

ALL = "all"
PD_VARIABLE = "pd"
COUNTY = "county_code"
NO_COUNTY_PROFILE = (
    "参照分布未记录分县占比（该模型版本的参照分布早于分县监控），无分县稳定性 / the reference profile has no "
    "per county shares (logged before county stability): no stability by county"
)
NO_COUNTY_REFERENCE = "参照样本中没有训练行数达到下限的县 / no county had enough reference rows for shares of its own"


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


def county_rows(
    frame: pd.DataFrame, features: list[str], profile: ReferenceProfile, policy: MonitoringPolicy
) -> list[dict]:
    """Per county of the profile's county table with monitored assessments (by code): the PSI of its PD, then its
    features at watch or act by falling CSI, or the feature with the highest CSI when none is; each against the
    county's own reference shares. Empty for a profile without a county table."""
    if frame.empty or not profile.by_county or COUNTY not in frame.columns:
        return []
    monitored = [name for name in features if name in profile.features]
    rows = []
    for code, part in frame.groupby(frame[COUNTY].astype(str), sort=True):
        reference = profile.by_county.get(str(code))
        if reference is None:
            continue
        row = _county_row(str(code), reference.rows, PD_VARIABLE, "PSI", len(part))
        shares, values = reference.pd, part["pd"]
        rows.append(row | _judged_value(shares, profile.pd_bins, values, len(part), reference.rows, policy))
        found = [
            _county_row(str(code), reference.rows, name, "CSI", len(part))
            | _judged_value(
                reference.features[name], profile.features[name], part[f"f:{name}"], len(part), reference.rows, policy
            )
            for name in monitored
            if name in reference.features
        ]
        found.sort(key=lambda r: -r["value"])
        flagged = [r for r in found if r["status"] in (WATCH, ACT)]
        rows.extend(flagged or found[:1])
    return rows


def _county_row(code: str, reference_rows: int, variable: str, kind: str, rows: int) -> dict:
    return {"county": code, "variable": variable, "index": kind, "rows": rows, "reference_rows": reference_rows}


def sampling_psi(shares: tuple[float, ...], reference_rows: int, rows: int) -> float:
    """The PSI two samples of one distribution show on average from sampling alone (the chi-square approximation:
    (occupied bins − 1) × (1 ÷ reference rows + 1 ÷ rows)). A county's samples are small: at 200 reference rows
    and 100 assessments over ten bins that is 0.15, above watch with nothing changed."""
    occupied = sum(1 for share in shares if share > 0)
    return max(occupied - 1, 0) * (1 / max(reference_rows, 1) + 1 / max(rows, 1))


def _judged_value(
    shares: tuple[float, ...], bins: Bins, values: pd.Series, rows: int, reference_rows: int, policy: MonitoringPolicy
) -> dict:
    """The county's index and status: judged only where sampling alone would show at most half the watch
    threshold (:func:`sampling_psi`); else shown, not judged, so a small county does not page by chance."""
    value, noise = psi(shares, bins.shares_of(values)), sampling_psi(shares, reference_rows, rows)
    status = NOT_JUDGED if noise > policy.stability.watch / 2 else _judged(rows, value, policy)
    return {"value": round(value, 4), "sampling_psi": round(noise, 4), "status": status}


def county_note(frame: pd.DataFrame, profile: ReferenceProfile) -> str | None:
    """Why the county table is empty, or which monitored counties it leaves out (no reference shares of their own:
    too few training rows, or new); none when every monitored county is in it."""
    if profile.by_county is None:
        return NO_COUNTY_PROFILE
    if frame.empty or COUNTY not in frame.columns:
        return None
    if not profile.by_county:
        return NO_COUNTY_REFERENCE
    left = sorted(set(frame[COUNTY].astype(str)) - set(profile.by_county))
    if not left:
        return None
    shown = ", ".join(left[:10]) + (" …" if len(left) > 10 else "")
    return (
        f"{len(left)} 个县在参照样本中行数不足或无记录，未列出：{shown} / {len(left)} "
        f"monitored counties without reference shares of their own (too few training rows, or new) are not shown"
    )
