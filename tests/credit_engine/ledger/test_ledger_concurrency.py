"""Writers racing each other: exactly as many disbursements succeed as fit under the cap, and a key posts once.

Each thread has its own unit of work (its own connection); a barrier releases them together. On PostgreSQL the
fund's book is locked ``FOR UPDATE``; on SQLite writers queue on ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.errors import InsufficientFundHeadroom

THREADS = 12


def race(work, threads: int = THREADS) -> list[object]:
    """Run ``work(i)`` in ``threads`` threads released together; results or the exceptions raised."""
    barrier = threading.Barrier(threads)

    def run(i: int) -> object:
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 - the refusals are the result under test
            return error

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def test_concurrent_disbursements_succeed_exactly_as_many_times_as_fit(new_ledger):
    fund = new_ledger().fund(yuan=10_000)  # cap 10x: headroom for exactly 3 loans of 30,000 yuan
    results = race(lambda i: new_ledger().disburse(fund, f"L{i}", "2025-02-01", 30_000))
    posted = [r for r in results if isinstance(r, Receipt)]
    refused = [r for r in results if isinstance(r, InsufficientFundHeadroom)]
    assert (len(posted), len(refused), new_ledger().book(fund).covered_principal_fen) == (3, 9, 9_000_000)


def test_a_key_sent_by_many_clients_at_once_posts_once(new_ledger):
    fund = new_ledger().fund(yuan=10_000)
    results = race(lambda i: new_ledger().disburse(fund, "L1", "2025-02-01", 30_000, key="same-event"))
    assert (
        sorted(r.duplicate for r in results),
        len({r.transaction_id for r in results}),
        new_ledger().book(fund).covered_principal_fen,
    ) == ([False] + [True] * (THREADS - 1), 1, 3_000_000)


def test_a_fund_opened_by_many_clients_at_once_is_opened_once(new_ledger):
    fund_id = f"F-race-{uuid.uuid4().hex[:8]}"
    command = c.CreateFund(
        fund_id=fund_id,
        idempotency_key="open",
        county_code="140121",
        bank_code="RCC",
        value_date=dt.date(2025, 1, 1),
        amount_fen=100,
        terms=default_terms(),
    )
    results = race(lambda i: services.create_fund(new_ledger().uow, command), threads=8)
    assert (sum(not r.duplicate for r in results), new_ledger().book(fund_id).fund_balance_fen) == (1, 100)
