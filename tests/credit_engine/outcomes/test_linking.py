"""The loan-assessment link as a pure function: the named assessment first, then the borrower's assessment within
the tolerance — an approval before a referral, the latest application — and an assessment backs one loan only."""

from __future__ import annotations

import datetime as dt

from credit_engine.assessment.audit_record import AssessmentDetail, StoredAssessment
from credit_engine.outcomes.events import LedgerEvent, LoanHistory
from credit_engine.outcomes.linking import BY_BORROWER, BY_ID, link_loans

AT = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def assessment(assessment_id: str, pseudonym: str, applied: str, decision: str = "approve", county="140121"):
    inputs = {"head_id_pseudonym": pseudonym, "application_date": applied, "county_code": county}
    detail = AssessmentDetail(inputs=inputs, result={"decision": decision})
    return StoredAssessment(assessment_id, AT, "k", county, "h", "m/1", "p", detail)


def loan(loan_id: str, borrower: str, on: str, county="140121") -> LoanHistory:
    disbursed = dt.date.fromisoformat(on)
    event = LedgerEvent(1, "disbursement", disbursed, AT, 100)
    return LoanHistory("F-1", loan_id, county, "fumin", borrower, disbursed, disbursed, 100, (event,))


def linked(loans, assessments, named=None, tolerance=90) -> dict[str, tuple[str, str]]:
    links = link_loans(loans, named or {}, assessments, tolerance)
    return {key[1]: (stored.assessment_id, method) for key, (stored, method) in links.items()}


def test_the_named_assessment_wins_over_the_borrower_match():
    found = linked(
        [loan("L1", "p1", "2025-03-01")],
        [assessment("a1", "p1", "2025-02-01"), assessment("a2", "x", "2024-01-01")],
        {("F-1", "L1"): "a2"},
    )
    assert found == {"L1": ("a2", BY_ID)}


def test_an_approval_comes_before_a_later_referral_of_the_same_borrower():
    candidates = [assessment("a1", "p1", "2025-01-10"), assessment("a2", "p1", "2025-02-20", "refer")]
    assert linked([loan("L1", "p1", "2025-03-01")], candidates) == {"L1": ("a1", BY_BORROWER)}


def test_an_application_after_the_loan_beyond_the_tolerance_or_in_another_county_does_not_link():
    candidates = [
        assessment("late", "p1", "2025-03-02"),
        assessment("old", "p1", "2024-11-30"),  # 91 days before
        assessment("away", "p1", "2025-02-01", county="140122"),
    ]
    assert linked([loan("L1", "p1", "2025-03-01")], candidates) == {}
    assert linked([loan("L1", "p1", "2025-03-01")], candidates, tolerance=91) == {"L1": ("old", BY_BORROWER)}


def test_an_assessment_backs_one_loan_only_the_earliest():
    loans = [loan("L2", "p1", "2025-03-05"), loan("L1", "p1", "2025-03-01")]
    assert linked(loans, [assessment("a1", "p1", "2025-02-01")]) == {"L1": ("a1", BY_BORROWER)}
