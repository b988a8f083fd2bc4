"""带贫 linkage: a 强农贷 loan records the registered poor households it drives; a 富民贷 loan records none."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.errors import InvalidInput
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import body_hash
from credit_engine.ledger.errors import IdempotencyConflict


def test_a_qiangnong_loan_keeps_its_households_driven_through_later_events_and_a_reversal(ledger):
    fund = ledger.fund(yuan=1_000_000)
    ledger.disburse(fund, "Q1", "2025-02-01", 500_000, product="qiangnong", households=37)
    repaid = ledger.repay(fund, "Q1", "2025-03-01", 50_000)
    ledger.reverse(fund, repaid.idempotency_key)  # the reversal replays the loan from its disbursement
    loan = ledger.loan(fund, "Q1")
    assert (loan.households_driven, loan.outstanding_fen) == (37, 50_000_000)


def test_a_household_loan_records_no_households_driven(ledger):
    fund = ledger.fund()
    ledger.disburse(fund, "H1", "2025-02-01", 20_000)
    assert ledger.loan(fund, "H1").households_driven is None


@pytest.mark.parametrize(
    ("product", "households", "rule"),
    [
        ("qiangnong", None, "households_driven_required"),
        ("强农贷", 0, "households_driven_required"),
        ("qiangnong", -3, "households_driven_required"),
        ("fumin", 5, "not_for_household_product"),
    ],
)
def test_households_driven_unfit_for_the_product_is_refused_naming_the_field(ledger, product, households, rule):
    fund = ledger.fund(yuan=1_000_000)
    with pytest.raises(InvalidInput) as refused:
        ledger.disburse(fund, "X1", "2025-02-01", 20_000, product=product, households=households)
    error = refused.value.errors[0]
    assert (error.field, error.rule) == ("households_driven", rule)
    assert "带贫户数" in error.message and "households_driven" in error.message
    assert ledger.book(fund).covered_fen == {"fumin": 0, "qiangnong": 0}


def test_the_same_key_with_other_households_driven_is_a_conflict(ledger):
    fund = ledger.fund(yuan=1_000_000)
    ledger.disburse(fund, "Q2", "2025-02-01", 300_000, product="qiangnong", households=20, key="d-Q2")
    with pytest.raises(IdempotencyConflict):
        ledger.disburse(fund, "Q2", "2025-02-01", 300_000, product="qiangnong", households=21, key="d-Q2")


def test_a_household_disbursement_hashes_as_before_the_field_existed():
    fields = {"fund_id": "F-1", "idempotency_key": "k", "loan_id": "L1", "product": "fumin", "borrower_ref": "hh-1"}
    dates = {"value_date": dt.date(2025, 2, 1), "maturity_date": dt.date(2026, 2, 1)}
    command = c.Disburse(**fields, **dates, amount_fen=100)
    linked = c.Disburse(**fields, **dates, amount_fen=100, households_driven=3)
    assert "households_driven" not in c.canonical_body(command) and body_hash(command) != body_hash(linked)
