"""The audit re-derives everything from the journal: a clean ledger passes, every kind of damage is named."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import DatabaseError

from credit_engine.ledger.tables import JOURNAL_TABLES, FundBookRow, LoanRow, PostingRow
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.validations import audit


def run_audit(ledger, fund):
    with UnitOfWork(ledger.uow.engine, read_only=True) as reader:
        return audit(reader, [fund])


def checks(violations) -> set[str]:
    return {v.check for v in violations}


@pytest.fixture
def busy_fund(ledger):
    """A fund that has seen every kind of event."""
    fund = ledger.fund(yuan=20_000)
    ledger.contribute(fund, "2025-01-05", 10_000)
    ledger.interest(fund, "2025-03-21", "12.34")
    ledger.claw_back(fund, "2025-03-22", 1_000, key="claw")
    ledger.reverse(fund, "claw")
    for loan in ("L1", "L2", "L3"):
        ledger.disburse(fund, loan, "2025-01-10", 50_000, key=f"d-{loan}")
    ledger.disburse(fund, "L4", "2025-01-10", 20_000, product="qiangnong", key="d-L4")
    ledger.reverse(fund, "d-L4")
    ledger.repay(fund, "L1", "2025-02-01", 10_000)
    ledger.delinquent(fund, "L1", "2025-03-01", 20)
    ledger.cure(fund, "L1", "2025-03-05")
    ledger.extend(fund, "L1", "2025-03-06", "2026-06-30")
    ledger.delinquent(fund, "L2", "2025-05-01", 95)
    ledger.claim(fund, "L2", "2025-05-02")
    ledger.pay(fund, "L2", "2025-05-20")
    ledger.recover(fund, "L2", "2025-06-01", 10_000, key="rec")
    ledger.reverse(fund, "rec")
    ledger.recover(fund, "L2", "2025-06-01", 5_000)
    ledger.write_off(fund, "L2", "2025-06-10")
    return fund


def test_a_ledger_that_saw_every_event_is_clean(ledger, busy_fund):
    assert run_audit(ledger, busy_fund) == []


def test_a_tampered_book_cache_is_found(ledger, busy_fund):
    with ledger.uow:
        ledger.uow.connection.execute(
            update(FundBookRow).where(FundBookRow.fund_id == busy_fund).values(fund_balance_fen=1)
        )
        ledger.uow.commit()
    assert checks(run_audit(ledger, busy_fund)) == {"books_match_postings"}


def test_a_tampered_loan_cache_is_found(ledger, busy_fund):
    with ledger.uow:
        statement = update(LoanRow).where(LoanRow.fund_id == busy_fund, LoanRow.loan_id == "L3")
        ledger.uow.connection.execute(statement.values(state="repaid"))
        ledger.uow.commit()
    assert checks(run_audit(ledger, busy_fund)) == {"loans_match_events"}


def test_a_posting_slipped_into_a_transaction_is_found(ledger, busy_fund):
    receipt = ledger.contribute(busy_fund, "2025-06-20", 1)
    opened_on = ledger.book(busy_fund).opened_on
    with ledger.uow:
        stray = {"transaction_id": receipt.transaction_id, "fund_id": busy_fund, "account": "fund_cash"}
        stray |= {"amount_fen": 5, "value_date": opened_on, "recorded_at": receipt.recorded_at}
        ledger.uow.connection.execute(insert(PostingRow), stray)
        ledger.uow.commit()
    assert {"transactions_balanced", "ledger_balanced", "postings_match_transactions"} <= checks(
        run_audit(ledger, busy_fund)
    )


@pytest.mark.parametrize("table", JOURNAL_TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET fund_id = fund_id", "DELETE FROM {table}"])
def test_journal_tables_refuse_update_and_delete(ledger, table, statement):
    fund = ledger.fund()
    ledger.policy(fund, "2025-02-01", fund_share_bps=8000)
    with ledger.uow, pytest.raises(DatabaseError, match="append-only"):
        ledger.uow.connection.execute(text(statement.format(table=table) + " WHERE fund_id = :f"), {"f": fund})
