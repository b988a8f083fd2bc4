"""Which assessment may back a disbursement: read through the assessment's typed record, old entries included."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import Fund
from credit_engine.ledger_audit import link_problem

AT = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
FUND = Fund("F-140121-RCC", "140121", "RCC", dt.date(2025, 1, 1), AT)
OFFICER = Principal("k-officer", "o", Role.OFFICER, Scope("RCC", frozenset({"140121"})))


def assessment(decision="approve", line_yuan=30000, county="140121", bank="RCC", action="assessment"):
    """The changes to the shared ``entry`` fixture's assessment entry (its detail as stored before the typed record)."""
    detail = {"inputs": {}, "result": {"decision": decision, "credit_line_yuan": line_yuan}, "bank_code": bank}
    return {"action": action, "outcome": decision, "county_code": county, "detail": detail}


def disbursement(amount_fen: int = 3_000_000) -> c.Disburse:
    return c.Disburse(
        fund_id=FUND.fund_id,
        idempotency_key="L-1",
        loan_id="L-1",
        product="fumin",
        borrower_ref="p",
        value_date=dt.date(2026, 1, 5),
        amount_fen=amount_fen,
        maturity_date=dt.date(2027, 1, 5),
    )


def test_an_approval_in_the_funds_county_and_bank_within_its_line_backs_the_loan(entry):
    assert link_problem(entry(**assessment()), OFFICER, FUND, disbursement()) is None
    assert link_problem(entry(**assessment(bank=None)), OFFICER, FUND, disbursement()) is None  # a key for every bank


@pytest.mark.parametrize(
    ("changes", "amount_fen", "rule"),
    [
        (None, 100, "unknown_assessment"),
        (assessment(action="ledger.disbursement"), 100, "unknown_assessment"),
        (assessment(county="140122"), 100, "unknown_assessment"),
        (assessment(bank="ABC"), 100, "unknown_assessment"),
        (assessment(decision="refer"), 100, "assessment_not_approved"),
        (assessment(line_yuan=30000), 3_000_001, "amount_above_line"),
    ],
)
def test_an_assessment_that_cannot_back_the_loan_says_why(entry, changes, amount_fen, rule):
    named = None if changes is None else entry(**changes)
    problem = link_problem(named, OFFICER, FUND, disbursement(amount_fen))
    assert problem is not None and problem[0] == rule and " / " in problem[1]


def test_a_qiangnong_disbursement_must_drive_the_households_its_assessment_was_given(entry):
    changes = assessment(line_yuan=5_000_000)
    changes["detail"]["inputs"] = {"households_driven": 40}
    loan = dataclasses.replace(disbursement(100_000_000), product="qiangnong", households_driven=40)
    assert link_problem(entry(**changes), OFFICER, FUND, loan) is None
    other = dataclasses.replace(loan, households_driven=39)
    rule, message = link_problem(entry(**changes), OFFICER, FUND, other)
    assert (rule, "带贫户数" in message, "40" in message) == ("households_driven_mismatch", True, True)
