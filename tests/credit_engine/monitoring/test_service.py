"""One monitoring run over assessments as the audit log keeps them: a feature shifted since training is at act and
the run exits 3; the decision mix counts knock-outs and the fund's referrals; empty sections say why."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from credit_engine.assessment.audit_record import AssessmentDetail, StoredAssessment
from credit_engine.contract import example_application
from credit_engine.features import household_spec
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.monitoring.profile import build_profile
from credit_engine.monitoring.service import MonitoringInputs, monitor

SPEC, POLICY = household_spec(), load_monitoring_policy()
GRADES = ("AAA", "AA", "A", "B", "C")
AT = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _application(i: int, income: float) -> dict:
    body = example_application(annual_net_income=income, application_date=dt.date(2026, 1 + i % 2, 10))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in body.items()}


def _stored(i: int, income: float) -> StoredAssessment:
    decision, reasons, knockouts = "approve", [], ()
    if i % 10 == 0:
        decision, reasons = "refer", [{"code": "F01"}]
    elif i % 10 == 1:
        decision, knockouts = "decline", ("K03",)
    result = {"pd": 0.02, "grade": "AA", "decision": decision, "reasons": reasons}
    detail = AssessmentDetail(_application(i, income), result, knockouts)
    return StoredAssessment(f"a{i}", AT, "k", "140121", "x", "household-pd/1", "fumin-2026.1", detail)


def _profile(incomes):
    frame = SPEC.prepare(pd.DataFrame([_application(i, v) for i, v in enumerate(incomes)]))
    return build_profile(frame, [0.02] * len(incomes), SPEC.categorical)


def test_a_feature_shifted_since_training_is_at_act_and_the_run_exits_3():
    assessments = [_stored(i, 60_000.0 + i) for i in range(40)]
    inputs = MonitoringInputs(assessments, [], {}, AT)
    result = monitor(inputs, _profile([20_000.0 + 100 * i for i in range(200)]), SPEC, POLICY, GRADES,
                     dt.date(2026, 2, 28))  # fmt: skip
    rows = {(r["cohort"], r["variable"]): r for r in result.sections["stability"]}
    assert rows[("all", "annual_net_income")]["status"] == "act"
    assert rows[("all", "pd")]["status"] == "green" and rows[("all", "head_gender")]["value"] == 0.0
    assert rows[("2026-01", "annual_net_income")]["status"] == "not_judged"  # 20 assessments in that cohort
    assert (result.status, result.exit_code) == ("act", 3)
    overall = result.sections["decisions"][0]
    assert (overall["cohort"], overall["assessments"], overall["fund_referrals"]) == ("all", 40, 4)
    assert overall["refer_share"] == 0.1 and overall["knocked_out_share"] == 0.1
    reasons = {r["code"]: r["count"] for r in result.sections["reasons"]}
    assert reasons == {"K03": 4, "F01": 4}
    assert "no matured loan" in result.notes["by_grade"] and result.sections["by_grade"] == []


def test_the_same_population_as_training_is_green_and_exits_0():
    assessments = [_stored(i, 20_000.0 + 100 * i) for i in range(40)]
    result = monitor(MonitoringInputs(assessments, [], {}, AT), _profile([20_000.0 + 100 * i for i in range(40)]),
                     SPEC, POLICY, GRADES, dt.date(2026, 2, 28))  # fmt: skip
    assert result.status == "green" and result.exit_code == 0
    assert {r["status"] for r in result.sections["stability"] if r["cohort"] == "all"} == {"green"}


def test_assessments_applied_for_before_since_are_left_out():
    assessments = [_stored(i, 60_000.0) for i in range(40)]
    result = monitor(MonitoringInputs(assessments, [], {}, AT), _profile([60_000.0] * 40), SPEC, POLICY, GRADES,
                     dt.date(2026, 2, 28), since=dt.date(2026, 2, 1))  # fmt: skip
    assert result.counts["assessments"] == 20
