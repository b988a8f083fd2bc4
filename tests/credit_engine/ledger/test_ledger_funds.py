"""Funds: opening, contributions, clawbacks, interest, policies — and a fund that never goes negative."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.errors import InvalidInput
from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.domain import default_terms, policy_in_force
from credit_engine.ledger.errors import (
    FundAlreadyExists,
    FundWouldGoNegative,
    UnknownFund,
    ValueDateOutOfRange,
)

day = dt.date.fromisoformat


def test_opening_a_fund_contributes_its_money(ledger):
    fund = ledger.fund(yuan=5_000_000)
    assert ledger.book(fund).fund_balance_fen == 500_000_000


def _opening(fund_id: str, key: str, amount_fen: int) -> c.CreateFund:
    """The command opening ``fund_id`` in county 140121 at bank RCC on 2025-01-01 with the default terms."""
    return c.CreateFund(
        fund_id=fund_id,
        idempotency_key=key,
        county_code="140121",
        bank_code="RCC",
        value_date=day("2025-01-01"),
        amount_fen=amount_fen,
        terms=default_terms(),
    )


def test_opening_the_same_fund_twice_with_the_same_key_changes_nothing(ledger):
    command = _opening("F-twice-" + ledger.fund()[-6:], "open", amount_fen=100)
    first = services.create_fund(ledger.uow, command)
    again = services.create_fund(ledger.uow, command)
    assert (again.duplicate, again.transaction_id, ledger.book(command.fund_id).fund_balance_fen) == (
        True,
        first.transaction_id,
        100,
    )


def test_opening_an_existing_fund_under_another_key_is_refused(ledger):
    fund = ledger.fund()
    command = _opening(fund, "another", amount_fen=0)
    with pytest.raises(FundAlreadyExists):
        services.create_fund(ledger.uow, command)


def test_contributions_and_interest_add_up(ledger):
    fund = ledger.fund(yuan=1_000_000)
    ledger.contribute(fund, "2025-02-01", "500000")
    ledger.interest(fund, "2025-03-21", "1234.56")
    assert ledger.book(fund).fund_balance_fen == 150_123_456


def test_a_clawback_larger_than_the_fund_is_refused(ledger):
    fund = ledger.fund(yuan=1_000_000)
    with pytest.raises(FundWouldGoNegative):
        ledger.claw_back(fund, "2025-02-01", "1000000.01")


def test_a_back_dated_clawback_may_not_overdraw_a_later_date(ledger):
    fund = ledger.fund(yuan=1000)
    ledger.claw_back(fund, "2025-03-01", 1000)
    ledger.contribute(fund, "2025-04-01", 1000)
    with pytest.raises(FundWouldGoNegative):
        ledger.claw_back(fund, "2025-02-01", 500)


def test_events_for_an_unknown_fund_are_refused(ledger):
    with pytest.raises(UnknownFund):
        ledger.contribute("F-nobody", "2025-02-01", 1)


def test_a_value_date_in_the_future_is_refused(ledger):
    fund = ledger.fund()
    with pytest.raises(ValueDateOutOfRange):
        ledger.contribute(fund, "2025-07-01", 1)


def test_a_value_date_before_the_fund_opened_is_refused(ledger):
    fund = ledger.fund(opened="2025-03-01")
    with pytest.raises(ValueDateOutOfRange):
        ledger.contribute(fund, "2025-02-28", 1)


def test_a_contribution_of_nothing_is_invalid_input(ledger):
    fund = ledger.fund()
    with pytest.raises(InvalidInput):
        ledger.contribute(fund, "2025-02-01", 0)


def test_a_policy_outside_its_ranges_is_invalid_input(ledger):
    fund = ledger.fund()
    with pytest.raises(InvalidInput):
        ledger.policy(fund, "2025-03-01", fund_share_bps=12_000)


def test_a_new_policy_applies_from_its_date_on(ledger):
    fund = ledger.fund()
    ledger.policy(fund, "2025-04-01", cap_multiple_bps=80_000)
    with ledger.uow:
        versions = ledger.uow.funds.policies(fund)
    caps = [policy_in_force(versions, day(on)).terms.cap_multiple_bps for on in ("2025-03-31", "2025-04-01")]
    assert caps == [100_000, 80_000]
