"""The write path reads the idempotency key and the loan with the fund's lock, in one statement; on PostgreSQL
that read may predate the writer it waited for, so these races prove the primary keys and the re-read still
decide: one loan id posts once whatever the keys, and a refused twin of a posted command gets its receipt."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.errors import LoanStateError

THREADS = 10


def race(work) -> list[object]:
    barrier = threading.Barrier(THREADS)

    def run(i: int) -> object:
        barrier.wait()
        try:
            return work(i)
        except Exception as error:  # noqa: BLE001 - refusals are the result under test
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_one_loan_id_sent_under_many_keys_at_once_is_disbursed_once(new_ledger):
    fund = new_ledger().fund(yuan=100_000)
    results = race(lambda i: new_ledger().disburse(fund, "L1", "2025-02-01", 30_000, key=f"key-{i}"))
    posted = [r for r in results if isinstance(r, Receipt)]
    refused = [r for r in results if isinstance(r, LoanStateError)]
    assert (len(posted), len(refused), new_ledger().book(fund).covered_principal_fen) == (1, THREADS - 1, 3_000_000)


def test_a_repayment_sent_by_many_clients_at_once_is_posted_once(new_ledger):
    fund = new_ledger().fund(yuan=100_000)
    new_ledger().disburse(fund, "L1", "2025-02-01", 30_000)
    results = race(lambda i: new_ledger().repay(fund, "L1", "2025-03-01", 10_000, key="same-repayment"))
    assert (
        sorted(r.duplicate for r in results if isinstance(r, Receipt)),
        new_ledger().book(fund).covered_principal_fen,
    ) == ([False] + [True] * (THREADS - 1), 2_000_000)


def test_a_refused_disbursement_with_a_recorded_key_returns_the_first_receipt(ledger):
    fund = ledger.fund(yuan=10_000)
    first = ledger.disburse(fund, "L1", "2025-02-01", 50_000, key="k1")
    ledger.disburse(fund, "L2", "2025-02-01", 50_000)  # the fund is now at its cap
    again = ledger.disburse(fund, "L1", "2025-02-01", 50_000, key="k1")
    assert (again.duplicate, again.transaction_id) == (True, first.transaction_id)
