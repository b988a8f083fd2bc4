"""The audit: small checks ``(uow, fund_ids) -> list[Violation]`` registered in :data:`CHECKS`.

``credit-engine ledger audit`` runs them all (:func:`audit`) and exits 1 when any finds something; each can also
be run on one fund right after a write. They re-derive everything from the journal: every transaction balances
and the ledger as a whole does; postings repeat their transaction's fund, loan, dates; no fund is negative on any
value date; the cached books and loans equal what the postings and events give; every event's postings are the
ones its recipe makes (loan events replayed through the state machine, reversals the negation of what they
reverse); every transaction has its idempotency record.

Beside the violations, :data:`NOTICES` list states the ledger allows but someone must act on: a fund that a
clawback left over its cap (超上限; it lends nothing until it is back under). :func:`notices` runs them; they do
not make the audit fail.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from itertools import groupby

from credit_engine.insurance.cover import premium_subsidy_fen
from credit_engine.ledger import accounts
from credit_engine.ledger.domain import FundBook, ledger_date
from credit_engine.ledger.journal import Posting
from credit_engine.ledger.loan import Loan, LoanEvent, LoanState, apply_event, open_loan
from credit_engine.ledger.money import fen_to_yuan
from credit_engine.ledger.position import fund_positions
from credit_engine.ledger.queries import audit as q
from credit_engine.ledger.queries.events import RecordedEvent, recorded_events
from credit_engine.ledger.unit_of_work import UnitOfWork

FUND_RECIPES = {
    "contribution": accounts.contribution,
    "clawback": accounts.clawback,
    "fund_interest": accounts.fund_interest,
}


def _fund_postings(event: LoanEvent) -> tuple[Posting, ...]:
    """What a fund event posts: its recipe over its amount (a premium: and the subsidy share it recorded)."""
    amount = event.amount_fen or 0
    if event.event_type == "insurance_premium":
        return accounts.insurance_premium(amount, premium_subsidy_fen(amount, event.share_bps or 0))
    return FUND_RECIPES[event.event_type](amount)


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.message}"


def transactions_balanced(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    return [
        Violation("transactions_balanced", f"transaction {t}", f"postings sum to {s} fen")
        for t, s in q.unbalanced_transactions(uow, fund_ids)
    ]


def ledger_balanced(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    rows = q.posting_sums_by_fund(uow, fund_ids)
    found = [Violation("ledger_balanced", f"fund {f}", f"debits exceed credits by {s} fen") for f, s in rows if s]
    overall = sum(s for _, s in rows)
    if overall:
        found.append(Violation("ledger_balanced", "ledger", f"debits exceed credits by {overall} fen"))
    return found


def postings_match_transactions(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    return [
        Violation("postings_match_transactions", f"posting {pid}", f"disagrees with transaction {tid}")
        for pid, tid in q.postings_off_their_transaction(uow, fund_ids)
    ]


def fund_never_negative(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    found = []
    for fund_id, rows in groupby(q.fund_cash_by_fund_and_day(uow, fund_ids), lambda r: r[0]):
        balance = 0
        for _, day, delta in rows:
            balance += delta
            if balance < 0:
                found.append(Violation("fund_never_negative", f"fund {fund_id}", f"balance {balance} fen on {day}"))
    return found


def _cached_figures(book: FundBook) -> dict[str, int]:
    """The figures a fund's book caches, named as the audit reports them."""
    covered = {f"covered_{product}_fen": fen for product, fen in book.covered_fen.items()}
    figures = {"fund_balance_fen": book.fund_balance_fen, **covered, "overdue_fen": book.overdue_fen}
    return figures | {"policy_version": book.policy_version}


def books_match_postings(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    derived: dict[str, Counter] = defaultdict(Counter)
    for fund_id, account, product, total in q.book_account_sums(uow, fund_ids):
        key = "fund_balance_fen" if account == accounts.FUND_CASH else f"covered_{product}_fen"
        derived[fund_id][key] += total
        if account == accounts.PRINCIPAL_OVERDUE:
            derived[fund_id]["overdue_fen"] += total
    for fund_id, count in q.policy_counts(uow, fund_ids).items():
        derived[fund_id]["policy_version"] = count
    found = []
    for fund, book in uow.funds.with_books(fund_ids):
        cached = _cached_figures(book)
        for key in [*cached, *(k for k in derived[fund.fund_id] if k not in cached)]:  # a posted unknown product too
            if cached.get(key, 0) != derived[fund.fund_id][key]:
                message = f"cached {key} {cached.get(key, 0)} != {derived[fund.fund_id][key]} from the journal"
                found.append(Violation("books_match_postings", f"fund {fund.fund_id}", message))
    return found


def commands_cover_transactions(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    return [
        Violation("commands_cover_transactions", f"transaction {tid}", "no idempotency record")
        for tid in q.transactions_without_command(uow, fund_ids)
    ]


def _counted(postings: tuple[Posting, ...]) -> Counter:
    return Counter(postings)


def _negated(counted: Counter) -> Counter:
    return Counter({p.negated(): n for p, n in counted.items()})


def events_match_postings(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    """Replay every loan (and check every fund event and reversal) against the postings it recorded."""
    stored = q.postings_by_transaction(uow, fund_ids)
    cached = q.cached_loans(uow, fund_ids)
    found: list[Violation] = []
    for (fund_id, loan_id), rows in groupby(recorded_events(uow, fund_ids), lambda r: (r.fund_id, r.loan_id)):
        rows = list(rows)
        if loan_id is None:
            found += _check_fund_events(rows, stored)
        else:
            found += _check_loan(fund_id, loan_id, rows, stored, cached.pop((fund_id, loan_id), None))
    found += [
        Violation("events_match_postings", f"loan {f}/{loan}", "cached loan without events") for f, loan in cached
    ]
    return found


def _check_fund_events(rows: list[RecordedEvent], stored: dict[int, Counter]) -> list[Violation]:
    found = []
    for row in rows:
        if row.event_type == "reversal":
            expected = _negated(stored.get(row.reverses_id, Counter()))
        else:
            expected = _counted(_fund_postings(row.event))
        if stored.get(row.id, Counter()) != expected:
            found.append(
                Violation("events_match_postings", f"transaction {row.id}", f"{row.event_type} postings differ")
            )
    return found


def _check_loan(
    fund_id: str, loan_id: str, rows: list[RecordedEvent], stored: dict[int, Counter], cached: Loan | None
) -> list[Violation]:
    """Replay the loan's events in recording order (a reversal pops the event it reverses) and compare."""
    subject = f"loan {fund_id}/{loan_id}"
    posted = lambda tid: stored.get(tid, Counter())  # noqa: E731 - a transaction may post nothing
    mismatched = []
    try:
        loan, postings = open_loan(fund_id, loan_id, rows[0].event)
        stack = [(rows[0].id, None)]
        mismatched += [rows[0].id] if _counted(postings) != posted(rows[0].id) else []
        for row in rows[1:]:
            if row.event_type == "reversal":
                top, loan = stack.pop()
                mismatched += [row.id] if top != row.reverses_id or posted(row.id) != _negated(posted(top)) else []
                continue
            previous = loan
            loan, postings = apply_event(loan, row.event)
            stack.append((row.id, previous))
            mismatched += [row.id] if _counted(postings) != posted(row.id) else []
    except Exception as error:  # noqa: BLE001 - a replay that breaks is itself the finding
        return [Violation("events_match_postings", subject, f"events do not replay: {error}")]
    found = [Violation("events_match_postings", subject, f"transaction {t} postings differ") for t in mismatched]
    return found + _compare_cache(subject, loan, cached)


def _compare_cache(subject: str, loan: Loan | None, cached: Loan | None) -> list[Violation]:
    if cached is None:
        return [Violation("loans_match_events", subject, "no cached loan row")]
    if loan is None:
        expected_state = LoanState.CANCELLED.value
        if cached.state != expected_state:
            return [Violation("loans_match_events", subject, f"state {cached.state} != {expected_state}")]
        return []
    differing = [name for name, value in asdict(loan).items() if getattr(cached, name) != value]
    return [Violation("loans_match_events", subject, f"cached {name} differs from replay") for name in differing]


CHECKS = (
    transactions_balanced,
    ledger_balanced,
    postings_match_transactions,
    fund_never_negative,
    books_match_postings,
    commands_cover_transactions,
    events_match_postings,
)


def audit(uow: UnitOfWork, fund_ids: list[str] | None = None) -> list[Violation]:
    """Run every check (on the funds listed, or the whole ledger); an empty list means a clean ledger."""
    return [violation for check in CHECKS for violation in check(uow, fund_ids)]


def funds_over_cap(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    """Funds whose covered principal stands above cap × balance today (everything recorded), with the excess."""
    positions = fund_positions(uow, ledger_date(uow.now()), None, fund_ids=fund_ids)
    return [
        Violation(
            "over_cap",
            f"fund {p.fund_id}",
            f"covered principal is {fen_to_yuan(p.over_cap_fen)} yuan over the cap; no loan until it is back under"
            f" / 超上限 {fen_to_yuan(p.over_cap_fen)} 元，回到上限以内前不得新增放款",
        )
        for p in positions
        if p.over_cap_fen > 0
    ]


NOTICES = (funds_over_cap,)


def notices(uow: UnitOfWork, fund_ids: list[str] | None = None) -> list[Violation]:
    """States to act on that are not violations (a fund over its cap); an empty list when there are none."""
    return [notice for check in NOTICES for notice in check(uow, fund_ids)]
