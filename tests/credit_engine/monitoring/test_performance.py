"""Performance figures: AUC and KS on small cases worked by hand, the Wilson interval, the calibration rule, and the
early read of a loan 30+ days past due by month on book 3."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from credit_engine.monitoring.performance import auc, calibration_status, early_rows, ks, wilson
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.outcomes.events import LedgerEvent, LoanHistory

POLICY = load_monitoring_policy()
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_auc_and_ks_of_four_loans_worked_by_hand():
    labels, scores = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert auc(labels, scores) == pytest.approx(0.75)  # 3 of the 4 bad-good pairs ranked right
    assert ks(labels, scores) == pytest.approx(0.5)
    assert auc([0, 1], [0.2, 0.2]) == 0.5
    assert auc([1, 1], [0.1, 0.2]) is None


def test_wilson_interval_of_3_bads_in_40():
    z, p, n = 1.959963984540054, 3 / 40, 40
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = wilson(3, 40, 0.95)
    assert (low, high) == pytest.approx((centre - half, centre + half))
    assert low == pytest.approx(0.0258, abs=1e-4) and high == pytest.approx(0.1986, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)


def test_three_bads_in_forty_against_a_four_percent_pd_is_no_crisis():
    assert calibration_status(0.04, 3, 40, POLICY)[0] == "green"
    assert calibration_status(0.04, 30, 400, POLICY)[0] == "watch"  # 7.5% realised, interval above 4%, gap 3.5 pts
    assert calibration_status(0.04, 60, 400, POLICY)[0] == "act"  # 15%: gap 11 points
    assert calibration_status(0.04, 0, 0, POLICY)[0] == "not_judged"


def _loan(loan_id: str, disbursed: str, *events: tuple[str, str, int | None]) -> LoanHistory:
    on = dt.date.fromisoformat(disbursed)
    found = [LedgerEvent(1, "disbursement", on, AT, 2_000_000)]
    found += [
        LedgerEvent(i, kind, dt.date.fromisoformat(day), AT, days_past_due=dpd)
        for i, (kind, day, dpd) in enumerate(events, start=2)
    ]
    return LoanHistory("F1", loan_id, "140121", "fumin", "B", on, on + dt.timedelta(days=730), 2_000_000, tuple(found))


def test_early_reads_count_30_dpd_by_month_on_book():
    late = _loan("L1", "2026-01-10", ("delinquency", "2026-03-20", 40))  # 30 days past due on 2026-03-10
    later = _loan("L2", "2026-01-10", ("delinquency", "2026-05-20", 31))  # 30 days past due on 2026-05-19
    young = _loan("L3", "2026-05-01")  # not 3 months on book by the as-of date
    censored = pd.DataFrame(
        [{"fund_id": "F1", "loan_id": h.loan_id, "disbursed_on": h.disbursed_on, "pd": 0.05,
          "vintage": f"{h.disbursed_on:%Y-%m}"} for h in (late, later, young)]
    )  # fmt: skip
    histories = {("F1", h.loan_id): h for h in (late, later, young)}
    rows = early_rows(censored, histories, dt.date(2026, 7, 15), dt.datetime(2026, 7, 16, tzinfo=dt.UTC), POLICY)
    by = {(r["vintage"], r["mob"]): r for r in rows}
    assert (by[("2026-01", 3)]["reached"], by[("2026-01", 3)]["late"]) == (2, 1)
    assert (by[("2026-01", 6)]["reached"], by[("2026-01", 6)]["late"]) == (2, 2)
    assert (by[("2026-05", 3)]["reached"], by[("2026-05", 3)]["late"]) == (0, 0)
    assert by[("2026-05", 3)]["late_rate"] is None


def test_grades_follow_the_master_scale_not_the_alphabet():
    from credit_engine.monitoring.performance import calibration_by

    matured = pd.DataFrame({"grade": ["A", "AAA", "C", "AA"], "pd": [0.03, 0.005, 0.2, 0.02], "defaulted": [0] * 4})
    rows = calibration_by(matured, "grade", POLICY, ("AAA", "AA", "A", "B", "C"))
    assert [r["grade"] for r in rows] == ["AAA", "AA", "A", "C"]
