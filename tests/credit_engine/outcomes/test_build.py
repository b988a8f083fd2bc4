"""Outcomes built from a real ledger and a real audit log, on SQLite and PostgreSQL: each test is a small world (one
county, one fund, assessed households, loans and their events posted through the desk) plus what the build says.
The window is 12 months and the threshold 90 days past due (the shipped definition) unless a test overrides them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

AS_OF = "2026-06-30"  # loans lent on 2025-03-01 have matured (window end 2026-03-01)


def linked(world, loan: str = "L-1", on: str = "2025-03-01") -> str:
    """A loan lent on ``on`` that names the assessment of its borrower; the assessment id."""
    assessment = world.assess(world.head())
    world.lend(loan, on, assessment=assessment)
    return assessment


def test_a_loan_that_reaches_90_days_past_due_within_the_window_is_bad(world):
    linked(world)
    world.late("L-1", "2025-06-10", 95)
    row = world.rows(AS_OF)["L-1"]
    assert (row["label"], row["defaulted"], row["bad_event"]) == ("bad", 1, "dpd")
    assert row["bad_on"] == dt.date(2025, 6, 5) and row["censored"] is False


def test_a_loan_left_overdue_reaches_the_threshold_without_a_later_report(world):
    linked(world)
    world.late("L-1", "2025-06-01", 10)  # overdue since 2025-05-22: 90 days on 2025-08-20
    row = world.rows(AS_OF)["L-1"]
    assert (row["label"], row["bad_on"]) == ("bad", dt.date(2025, 8, 20))


def test_a_compensation_claim_within_the_window_makes_the_loan_bad(world):
    linked(world)
    world.late("L-1", "2025-06-10", 95)
    world.claim("L-1", "2025-06-11")
    row = world.rows(AS_OF, dpd_threshold=180)["L-1"]  # 180 days never reached: the claim decides
    assert (row["label"], row["bad_event"], row["bad_on"]) == ("bad", "compensation_claim", dt.date(2025, 6, 11))


def test_a_write_off_within_the_window_makes_the_loan_bad(world):
    linked(world)
    world.late("L-1", "2025-06-10", 95)
    world.claim("L-1", "2025-06-11")
    world.write_off("L-1", "2025-07-01")
    row = world.rows(AS_OF, bad_events=("write_off",))["L-1"]
    assert (row["label"], row["bad_event"], row["bad_on"]) == ("bad", "write_off", dt.date(2025, 7, 1))


def test_a_loan_whose_window_passed_without_a_bad_event_is_good(world):
    linked(world)
    world.late("L-1", "2025-06-01", 20)
    world.cure("L-1", "2025-06-20")  # 39 days past due at most
    row = world.rows(AS_OF)["L-1"]
    assert (row["label"], row["defaulted"], row["bad_on"]) == ("good", 0, None)
    assert row["window_end"] == dt.date(2026, 3, 1)


def test_a_loan_whose_window_has_not_passed_is_censored_kept_and_flagged(world):
    linked(world, on="2025-12-01")
    table = world.build(AS_OF)
    (row,) = table.rows
    assert (row["label"], row["censored"], row["defaulted"]) == ("censored", True, None)
    assert (table.summary["censored"], table.summary["good"], table.summary["bad"]) == (1, 0, 0)


def test_a_threshold_reached_after_the_window_is_not_bad(world):
    linked(world)
    world.late("L-1", "2026-02-20", 5)  # 90 days on 2026-05-16, after the window's end on 2026-03-01
    assert world.rows(AS_OF)["L-1"]["label"] == "good"


def test_a_loan_cured_then_bad_is_bad(world):
    linked(world)
    world.late("L-1", "2025-05-01", 30)
    world.cure("L-1", "2025-05-20")
    world.late("L-1", "2025-09-01", 10)  # overdue again since 2025-08-22: 90 days on 2025-11-20
    row = world.rows(AS_OF)["L-1"]
    assert (row["label"], row["bad_on"]) == ("bad", dt.date(2025, 11, 20))


def test_a_reversed_delinquency_does_not_count(world):
    linked(world)
    world.late("L-1", "2025-06-10", 95, key="late-1")
    world.reverse("late-1")
    assert world.rows(AS_OF)["L-1"]["label"] == "good"


def test_an_event_recorded_after_the_as_of_day_does_not_count(world):
    linked(world)
    world.clock.now = dt.datetime(2026, 7, 2, 2, 0, tzinfo=dt.UTC)  # the bank reports it in July
    world.late("L-1", "2025-06-10", 95)
    assert world.rows(AS_OF)["L-1"]["label"] == "good"
    assert world.rows("2026-07-02")["L-1"]["label"] == "bad"


def test_a_reversal_recorded_after_the_as_of_day_does_not_count_either(world):
    linked(world)
    world.late("L-1", "2025-06-10", 95, key="late-1")
    world.clock.now = dt.datetime(2026, 7, 2, 2, 0, tzinfo=dt.UTC)
    world.reverse("late-1")
    assert world.rows(AS_OF)["L-1"]["label"] == "bad"
    assert world.rows("2026-07-02")["L-1"]["label"] == "good"


def test_a_row_carries_the_assessment_inputs_prediction_and_versions_never_the_id_number(world):
    head = world.head()
    assessment = world.assess(head)
    world.lend("L-1", assessment=assessment)
    row = world.rows(AS_OF)["L-1"]
    assert (row["assessment_id"], row["link_method"]) == (assessment, "assessment_id")
    assert (row["pd"], row["decision"], row["model_version"]) == (0.004, "approve", "household-pd/1")
    assert row["policy_version"] and row["grade"] and row["policy_fingerprint"]
    assert row["county_code"] == world.county and row["application_date"] == dt.date(2025, 2, 15)
    assert row["annual_net_income"] == 28_000.0 and row["housing_safe"] is True
    assert "head_id_number" not in row and head not in {str(value) for value in row.values()}
    assert row["head_id_pseudonym"] and row["principal_yuan"] == 20_000.0


def test_a_loan_without_assessment_id_links_by_borrower_and_application_date(world):
    near, far = world.head(), world.head()
    near_assessment = world.assess(near, applied="2025-02-15")
    world.assess(far, applied="2024-10-01")  # 151 days before the loan: beyond the 90-day tolerance
    world.lend("L-near", borrower=near)  # the raw ID number is pseudonymised on arrival, as the assessment's
    world.lend("L-far", borrower=far)
    table = world.build(AS_OF)
    assert [(r["loan_id"], r["assessment_id"], r["link_method"]) for r in table.rows] == [
        ("L-near", near_assessment, "borrower_date")
    ]
    assert table.summary["left_out"]["no_linkable_assessment"] == 1


def test_loans_without_assessment_and_qiangnong_loans_are_left_out_and_counted(world):
    linked(world)
    world.lend("L-nobody", borrower="B-unknown")
    world.lend("L-coop", product="qiangnong", yuan=2_000_000)
    summary = world.build(AS_OF).summary
    assert (summary["loans"], summary["linked"], summary["good"]) == (3, 1, 1)
    assert summary["left_out"] == {
        "no_linkable_assessment": 1,
        "other_product": {"qiangnong": 1},
        "disbursement_reversed": 0,
    }


def test_declined_and_referred_assessments_without_outcome_are_counted(world):
    linked(world)
    world.assess(world.head())  # approved, never lent
    world.assess(world.head(), credit_record="adverse")  # a knock-out: declined
    world.scorer.pd = 0.08  # between the approve and decline bands: referred
    world.assess(world.head())
    summary = world.build(AS_OF).summary
    assert summary["assessments_without_outcome"] == {"approve": 1, "decline": 1, "refer": 1}


def test_an_enterprise_assessment_is_not_a_household_one(world):
    """Both products' assessments share the audit log's action: a 强农贷 assessment in the county is neither a
    household assessment without outcome nor an input of monitoring or of the retraining gate, whether its entry
    names its product or was written before the product was kept (then its inputs name an enterprise)."""
    from credit_engine.assessment.audit_record import StoredAssessment
    from credit_engine.audit.repository import AuditRepository
    from credit_engine.enterprise.assessment import EnterpriseAssessor
    from credit_engine.enterprise.fields import example_enterprise
    from credit_engine.enterprise.policy import load_enterprise_policy
    from credit_engine.ledger.queries.outcomes import recorded_assessments
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.outcomes.build import end_of_day
    from credit_engine.scoring import Champion
    from tests.credit_engine.outcomes.conftest import SECRET, day

    linked(world)
    audit = AuditRepository(world.engine)
    champion = Champion(world.scorer, "enterprise-pd/1")
    enterprises = EnterpriseAssessor(
        load_enterprise_policy(), lambda: champion, world.headrooms, audit, SECRET, clock=world.clock
    )
    body = example_enterprise(county_code=world.county, application_date="2025-02-20")
    enterprise_id = enterprises.assess(world.officer, body).assessment_id
    stored = StoredAssessment.from_entry(audit.get(enterprise_id))
    assert stored.detail.product == "qiangnong"
    old = dataclasses.replace(audit.get(enterprise_id), record_id=f"old-{enterprise_id}")
    audit.record(dataclasses.replace(old, detail={k: v for k, v in old.detail.items() if k != "product"}))

    assert world.build(AS_OF).summary["assessments_without_outcome"] == {}
    with UnitOfWork(world.engine, read_only=True) as uow:
        moment, counties = end_of_day(day(AS_OF)), [world.county]
        households = recorded_assessments(uow, moment, counties, product="fumin")
        found = recorded_assessments(uow, moment, counties, product="qiangnong")
    assert len(households) == 1 and households[0].detail.product == "fumin"
    assert {s.assessment_id for s in found} == {enterprise_id, f"old-{enterprise_id}"}
