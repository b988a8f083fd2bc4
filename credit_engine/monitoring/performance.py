"""Performance on matured outcomes (模型表现): AUC, KS, predicted vs realised default rate by grade and by vintage
with a Wilson interval, and early reads (30+ DPD by months on book 3 and 6) of the vintages not yet matured.

A realised rate is judged only when its interval leaves out the predicted PD: 3 bads in 40 loans against a 4% PD is
green (the interval holds 4%); then the gap |realised − predicted| is held against the policy's watch and act gaps.
The early reads use the outcome's own bad rule (:func:`credit_engine.outcomes.labels.first_bad`) with the early DPD
and an earlier last day; they are shown for information, never judged (a 30-day read is not the 12-month PD).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist

import numpy as np
import pandas as pd

from credit_engine.monitoring.policy import GREEN, NOT_JUDGED, MonitoringPolicy, at_least, below
from credit_engine.outcomes.events import LoanHistory, standing_events
from credit_engine.outcomes.labels import add_months, first_bad

INFO = "info"


def wilson(bads: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a rate of ``bads`` in ``n`` (``(0, 1)`` when ``n`` is 0)."""
    if n <= 0:
        return 0.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    rate = bads / n
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def auc(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    """The area under the ROC curve (Mann–Whitney, ties counted half); None without both classes."""
    y = np.asarray(labels, dtype=int)
    bads, goods = int(y.sum()), int(len(y) - y.sum())
    if bads == 0 or goods == 0:
        return None
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank().to_numpy()
    return float((ranks[y == 1].sum() - bads * (bads + 1) / 2) / (bads * goods))


def ks(labels: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    """The Kolmogorov–Smirnov statistic: the largest gap between the bads' and the goods' score distributions."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    if y.sum() == 0 or y.sum() == len(y):
        return None
    thresholds = np.unique(s)
    bad_cdf = np.searchsorted(np.sort(s[y == 1]), thresholds, side="right") / (y == 1).sum()
    good_cdf = np.searchsorted(np.sort(s[y == 0]), thresholds, side="right") / (y == 0).sum()
    return float(np.max(np.abs(bad_cdf - good_cdf)))


def calibration_status(predicted: float, bads: int, n: int, policy: MonitoringPolicy) -> tuple[str, float, float]:
    """(status, interval low, interval high) of a realised rate against the predicted PD."""
    low, high = wilson(bads, n, policy.performance.confidence)
    if n == 0:
        return NOT_JUDGED, low, high
    if low <= predicted <= high:
        return GREEN, low, high
    return at_least(abs(bads / n - predicted), policy.calibration.gap_watch, policy.calibration.gap_act), low, high


def calibration_row(group: Mapping, predicted: Iterable[float], defaulted: Iterable[int], policy) -> dict:  # noqa: ANN001
    """``group``'s columns with loans, bads, mean predicted PD, realised rate, interval, gap and status."""
    pds, flags = list(predicted), [int(v) for v in defaulted]
    n, bads = len(flags), sum(flags)
    mean_pd = float(np.mean(pds)) if pds else None
    status, low, high = calibration_status(mean_pd or 0.0, bads, n, policy)
    realised = bads / n if n else None
    gap = None if realised is None or mean_pd is None else round(realised - mean_pd, 4)
    return {**group, "loans": n, "bads": bads, "predicted_pd": _r(mean_pd), "realised_rate": _r(realised),
            "interval_low": _r(low), "interval_high": _r(high), "gap": gap, "status": status}  # fmt: skip


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def discrimination_rows(matured: pd.DataFrame, policy: MonitoringPolicy) -> list[dict]:
    """AUC (judged against the policy's floors when there are enough bads and goods) and KS of the matured loans."""
    if matured.empty:
        return []
    y, scores = matured["defaulted"].astype(int).to_numpy(), matured["pd"].astype(float).to_numpy()
    bads, goods = int(y.sum()), int(len(y) - y.sum())
    enough = min(bads, goods) >= policy.performance.min_bads
    area, spread = auc(y, scores), ks(y, scores)
    limits = policy.performance
    auc_status = below(area, limits.auc_watch, limits.auc_act) if enough else NOT_JUDGED
    common = {"loans": len(y), "bads": bads}
    return [
        {"metric": "AUC", "value": _r(area), **common, "status": auc_status},
        {"metric": "KS", "value": _r(spread), **common, "status": INFO},
    ]


def calibration_by(
    matured: pd.DataFrame, column: str, policy: MonitoringPolicy, order: Sequence[str] = ()
) -> list[dict]:
    """Predicted vs realised default rate per value of ``column`` (a grade, a vintage month), in ``order`` (the
    master scale's for grades), other values after it sorted."""
    rank = {value: index for index, value in enumerate(order)}
    groups = sorted(matured.groupby(column), key=lambda item: (rank.get(str(item[0]), len(rank)), str(item[0])))
    return [calibration_row({column: str(key)}, part["pd"], part["defaulted"], policy) for key, part in groups]


def early_rows(
    censored: pd.DataFrame, histories: Mapping[tuple[str, str], LoanHistory], as_of: dt.date, known_at: dt.datetime,
    policy: MonitoringPolicy,
) -> list[dict]:  # fmt: skip
    """Per unmatured vintage and early month on book: loans that reached it, those 30+ DPD by then, rate, PD."""
    rows = []
    limits = policy.performance
    for vintage, part in censored.groupby("vintage", sort=True):
        for mob in limits.early_mob:
            reached = [r for r in part.itertuples() if add_months(r.disbursed_on, mob) <= as_of]
            late = sum(_late_by(histories[(r.fund_id, r.loan_id)], mob, limits.early_dpd, as_of, known_at)
                       for r in reached)  # fmt: skip
            low, high = wilson(late, len(reached), limits.confidence)
            mean_pd = float(np.mean([r.pd for r in reached])) if reached else None
            rows.append({"vintage": str(vintage), "mob": mob, "loans": len(part), "reached": len(reached),
                         "late": late, "late_rate": _r(late / len(reached)) if reached else None,
                         "interval_low": _r(low), "interval_high": _r(high), "predicted_pd": _r(mean_pd),
                         "status": INFO})  # fmt: skip
    return rows


def _late_by(history: LoanHistory, mob: int, dpd: int, as_of: dt.date, known_at: dt.datetime) -> bool:
    last = add_months(history.disbursed_on, mob)
    events = standing_events(history.events, min(as_of, last), known_at)
    return first_bad(events, history.principal_fen, dpd, ("dpd", "compensation_claim", "write_off"), last) is not None
