"""The promotion gate (晋级闸门): the challenger against the champion on the same out-of-time rows.

Both models' PDs on the most recent matured vintages (never trained on by the challenger) are compared on three
figures, each with its tolerance from the :class:`RetrainingPolicy`:

* AUC (区分度) — the challenger's may not fall more than ``auc_max_drop`` below the champion's;
* the worst calibration gap (校准偏差) — the largest |realised default rate − mean PD| over equal-count PD deciles
  of each model's own PDs; the challenger's may not exceed the champion's by more than ``calibration_gap_max_rise``;
* the fairness ratios (公平性, :mod:`credit_engine.monitoring.fairness`) — per dimension (county, head's gender,
  age band), the lowest judged group's approval ratio (approval rate ÷ the highest group's, an application approved
  by the model's PD when it is below the policy's ``approve_max_pd``: the knock-outs and credit-line rules are the
  same for both models on the same rows); the challenger's may not fall more than ``approval_ratio_max_drop`` below.
  The ratios are taken on the **applicants** of the held-out months (every assessment applied for then, declined
  and referred ones included) when they are given: the matured loans alone are the champion's own approvals, on
  which the champion approves every group in full by construction (ratio 1.0), so any challenger that ranks a
  single applicant differently would look less fair — the drought simulation showed it (issue 12 §4). Without
  applicants they fall back to the loans, and the row says which population it judged. A group whose held-out
  loans defaulted demonstrably above the champion's PD (its calibration gap at watch or act under the monitoring
  policy, realised above predicted: the interval leaves the prediction out) is **risk-explained**: lending less there
  corrects the champion's under-estimate, so the group is shown in the row (``risk_explained``) and left out of the
  lowest ratio of both models — the drought's counties, where the challenger rightly approves fewer.

A figure that cannot be judged (one class only, no group large enough) is shown as not judged and does not block;
the holdout itself must hold ``min_rows`` loans and ``min_bads`` bads, or the gate refuses for lack of evidence.
Comparisons are made on changes rounded to 6 decimals, so a change exactly at a tolerance passes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from credit_engine.monitoring.assessments import age_band
from credit_engine.monitoring.fairness import DIMENSIONS, group_rows
from credit_engine.monitoring.performance import auc
from credit_engine.monitoring.policy import NOT_JUDGED, MonitoringPolicy
from credit_engine.retraining.policy import RetrainingPolicy

PASS, FAIL = "pass", "fail"
DECIMALS = 6
LABELS = {
    "evidence": ("样本量（坏样本数）", "Holdout loans (bads)"),
    "auc": ("AUC 区分度", "AUC"),
    "calibration_gap": ("最大校准偏差（按PD十分位）", "Worst calibration gap (PD deciles)"),
    **{
        f"approval_ratio.{d}": (f"最低审批率比（{zh}）", f"Lowest approval ratio ({en})")
        for d, (zh, en) in DIMENSIONS.items()
    },
}
COLUMN_LABELS = {
    "criterion": "准则 Criterion", "champion": "冠军模型 Champion", "challenger": "挑战者模型 Challenger",
    "change": "变化 Change", "tolerance": "容差 Tolerance", "rule": "规则 Rule", "status": "结果 Status",
}  # fmt: skip
STATUS_LABELS = {PASS: "通过 pass", FAIL: "未通过 fail", NOT_JUDGED: "样本不足 not judged"}


@dataclass(frozen=True)
class GateResult:
    passed: bool
    rows: list[dict]

    def as_dict(self) -> dict:
        return {"passed": self.passed, "decision": "pass" if self.passed else "refuse", "rows": self.rows}


def worst_calibration_gap(y: np.ndarray, pds: np.ndarray, deciles: int) -> float | None:
    """max |realised rate − mean PD| over ``deciles`` equal-count bins of the PDs (None without rows)."""
    if len(y) == 0:
        return None
    order = np.argsort(np.asarray(pds, dtype=float), kind="stable")
    bins = np.array_split(order, min(deciles, len(order)))
    return max(abs(float(np.mean(y[b])) - float(np.mean(pds[b]))) for b in bins if len(b))


@dataclass(frozen=True)
class Applicants:
    """The applicants of the held-out months (contract columns) and both models' PDs on them."""

    frame: pd.DataFrame
    champion_pd: np.ndarray
    challenger_pd: np.ndarray


def _group_frame(holdout: pd.DataFrame, pds: np.ndarray, approve_max_pd: float, monitoring: MonitoringPolicy):  # noqa: ANN202
    labels = holdout["defaulted"].to_numpy() if "defaulted" in holdout else np.full(len(holdout), np.nan)
    return pd.DataFrame({
        "pd": pds, "defaulted": labels,
        "decision": np.where(np.asarray(pds) < approve_max_pd, "approve", "other"),
        "county_code": holdout["county_code"].astype(str).to_numpy(),
        "head_gender": holdout["head_gender"].astype(str).to_numpy(),
        "age_band": [age_band(a, monitoring.fairness.age_bands) for a in holdout["head_age"]],
    })  # fmt: skip


def lowest_approval_ratios(
    holdout: pd.DataFrame,
    pds: np.ndarray,
    approve_max_pd: float,
    monitoring: MonitoringPolicy,
    exempt: dict[str, set[str]] | None = None,
) -> dict[str, float | None]:
    """Per fairness dimension, the lowest approval ratio among the groups large enough to be judged (the groups
    ``exempt`` names for the dimension left out)."""
    frame = _group_frame(holdout, pds, approve_max_pd, monitoring)
    lowest = {}
    for dimension in DIMENSIONS:
        skip = (exempt or {}).get(dimension, set())
        judged = [r["approval_ratio"] for r in group_rows(frame, dimension, (), monitoring)
                  if r["ratio_status"] != NOT_JUDGED and r["approval_ratio"] is not None
                  and r["group"] not in skip]  # fmt: skip
        lowest[dimension] = min(judged) if judged else None
    return lowest


def risk_explained_groups(
    holdout: pd.DataFrame, champion_pd: np.ndarray, approve_max_pd: float, monitoring: MonitoringPolicy
) -> dict[str, set[str]]:
    """Per dimension, the groups whose held-out loans defaulted demonstrably above the champion's PD (calibration
    status watch or act, realised above predicted). The gate leaves them out of the lowest approval ratio only in
    the policy's ``risk_explained_dimensions`` (shipped: the county)."""
    frame = _group_frame(holdout, champion_pd, approve_max_pd, monitoring)
    return {
        dimension: {
            r["group"] for r in group_rows(frame, dimension, (), monitoring)
            if r["calibration_status"] in ("watch", "act") and (r["calibration_gap"] or 0.0) > 0
        }
        for dimension in DIMENSIONS
    }  # fmt: skip


def criterion(
    key: str, champion: float | None, challenger: float | None, tolerance: float, higher_better: bool
) -> dict:
    """One row of the gate: both figures, the change, the rule and pass / fail / not judged."""
    zh, en = LABELS[key]
    sign = "≥ champion −" if higher_better else "≤ champion +"
    row = {"criterion": key, "label_zh": zh, "label_en": en, "champion": _r(champion), "challenger": _r(challenger),
           "change": None, "tolerance": tolerance, "rule": f"challenger {sign} {tolerance}"}  # fmt: skip
    if champion is None or challenger is None:
        return row | {"status": NOT_JUDGED, "status_label": STATUS_LABELS[NOT_JUDGED]}
    change = round(challenger - champion, DECIMALS)
    ok = change >= -tolerance if higher_better else change <= tolerance
    status = PASS if ok else FAIL
    return row | {"change": change, "status": status, "status_label": STATUS_LABELS[status]}


def evidence_row(rows: int, bads: int, policy: RetrainingPolicy) -> dict:
    zh, en = LABELS["evidence"]
    need = policy.holdout
    status = PASS if rows >= need.min_rows and bads >= need.min_bads else FAIL
    return {"criterion": "evidence", "label_zh": zh, "label_en": en, "champion": None, "challenger": None,
            "loans": rows, "bads": bads, "change": None, "tolerance": None,
            "rule": f"loans ≥ {need.min_rows} and bads ≥ {need.min_bads}",
            "status": status, "status_label": STATUS_LABELS[status]}  # fmt: skip


def gate(
    holdout: pd.DataFrame,
    champion_pd: np.ndarray,
    challenger_pd: np.ndarray,
    policy: RetrainingPolicy,
    approve_max_pd: float,
    monitoring: MonitoringPolicy,
    applicants: Applicants | None = None,
) -> GateResult:
    """The gate's table on the holdout rows (the approval ratios on ``applicants`` when given) and whether the
    challenger passes every judged criterion."""
    y = holdout["defaulted"].astype(int).to_numpy()
    old, new = np.asarray(champion_pd, dtype=float), np.asarray(challenger_pd, dtype=float)
    limits = policy.gate
    rows = [
        evidence_row(len(y), int(y.sum()), policy),
        criterion("auc", auc(y, old), auc(y, new), limits.auc_max_drop, True),
    ]
    gaps = [worst_calibration_gap(y, pds, limits.deciles) for pds in (old, new)]
    rows.append(criterion("calibration_gap", *gaps, limits.calibration_gap_max_rise, False))
    population, old_pd, new_pd, judged_on = holdout, old, new, "loans"
    if applicants is not None and len(applicants.frame):
        population, old_pd, new_pd = applicants.frame, applicants.champion_pd, applicants.challenger_pd
        judged_on = "applicants"
    if len(population):
        explained = risk_explained_groups(holdout, old, approve_max_pd, monitoring) if len(y) else {}
        exempt = {d: explained.get(d, set()) for d in limits.risk_explained_dimensions}
        before = lowest_approval_ratios(population, np.asarray(old_pd, dtype=float), approve_max_pd, monitoring, exempt)
        after = lowest_approval_ratios(population, np.asarray(new_pd, dtype=float), approve_max_pd, monitoring, exempt)
        rows += [criterion(f"approval_ratio.{d}", before[d], after[d], limits.approval_ratio_max_drop, True)
                 | {"population": judged_on, "rows": len(population), "risk_explained": sorted(exempt.get(d, ()))}
                 for d in DIMENSIONS]  # fmt: skip
    return GateResult(all(r["status"] != FAIL for r in rows), rows)


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), DECIMALS)
