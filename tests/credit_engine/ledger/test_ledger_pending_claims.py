"""Read models of the workspace: compensation pending per loan with its claim's day (``queries/claims.py``) and a
fund's events with who recorded them and when (``queries/history.py``), as of a date and as known at a moment."""

from __future__ import annotations

import datetime as dt

from credit_engine.ledger.queries.claims import pending_claims
from credit_engine.ledger.queries.history import fund_history
from credit_engine.ledger.unit_of_work import UnitOfWork


def _read(ledger, call):
    with UnitOfWork(ledger.uow.engine, ledger.uow.clock, read_only=True) as reader:
        return call(reader)


def _claimed_loan(ledger) -> str:
    fund = ledger.fund(1_000_000)
    ledger.disburse(fund, "L-1", "2025-02-01", 40_000, maturity="2027-02-01")
    ledger.delinquent(fund, "L-1", "2025-06-01", 95)
    ledger.claim(fund, "L-1", "2025-06-02", key="claim-1")
    return fund


def test_a_claim_is_pending_from_its_day_until_it_is_paid(ledger, clock):
    fund = _claimed_loan(ledger)
    found = _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 7, 31)))
    assert [(c.loan_id, c.claimed_on, c.pending_fen) for c in found] == [("L-1", dt.date(2025, 6, 2), 2_800_000)]
    assert _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 6, 1))) == []
    before_payment = clock.now
    clock.advance(days=60)
    ledger.pay(fund, "L-1", "2025-08-05", 10_000)
    after = _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 8, 31)))
    assert [c.pending_fen for c in after] == [1_800_000]
    known_before = _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 8, 31), before_payment))
    assert [c.pending_fen for c in known_before] == [2_800_000]
    ledger.pay(fund, "L-1", "2025-08-06")
    assert _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 8, 31))) == []


def test_a_reversed_claim_is_not_pending(ledger):
    fund = _claimed_loan(ledger)
    ledger.reverse(fund, "claim-1")
    assert _read(ledger, lambda r: pending_claims(r, [fund], dt.date(2025, 12, 31))) == []
    assert _read(ledger, lambda r: pending_claims(r, [], dt.date(2025, 12, 31))) == []


def test_the_history_says_who_recorded_what_and_when_newest_first(ledger, clock):
    fund = _claimed_loan(ledger)
    events = _read(ledger, lambda r: fund_history(r, fund, dt.date(2025, 12, 31)))
    assert [e.event_type for e in events] == ["compensation_claim", "delinquency", "disbursement", "contribution"]
    assert {e.recorded_by for e in events} == {"test"} and all(e.recorded_at == clock.now for e in events)
    assert events[2].amount_fen == 4_000_000 and events[2].loan_id == "L-1"
    as_of = _read(ledger, lambda r: fund_history(r, fund, dt.date(2025, 5, 31), loan_id="L-1"))
    assert [e.event_type for e in as_of] == ["disbursement"]
    earlier = clock.now - dt.timedelta(seconds=1)
    assert _read(ledger, lambda r: fund_history(r, fund, dt.date(2025, 12, 31), earlier)) == []
