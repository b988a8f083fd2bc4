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

from sqlalchemy import and_, func, or_, select

from credit_engine.ledger import accounts, product_store
from credit_engine.ledger.domain import ledger_date
from credit_engine.ledger.journal import Posting
from credit_engine.ledger.loan import LoanState, apply_event, open_loan
from credit_engine.ledger.money import fen_to_yuan
from credit_engine.ledger.position import fund_positions
from credit_engine.ledger.repository import event_from_row
from credit_engine.ledger.tables import CommandRow, FundBookRow, LoanRow, PolicyRow, PostingRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork

FUND_RECIPES = {
    "contribution": accounts.contribution,
    "clawback": accounts.clawback,
    "fund_interest": accounts.fund_interest,
}


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.message}"


def _scoped(query, column, fund_ids):
    return query if fund_ids is None else query.where(column.in_(list(fund_ids)))


def transactions_balanced(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    total = func.sum(PostingRow.amount_fen)
    query = select(PostingRow.transaction_id, total).group_by(PostingRow.transaction_id).having(total != 0)
    rows = uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids))
    return [Violation("transactions_balanced", f"transaction {t}", f"postings sum to {s} fen") for t, s in rows]


def ledger_balanced(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    query = select(PostingRow.fund_id, func.sum(PostingRow.amount_fen)).group_by(PostingRow.fund_id)
    rows = list(uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids)))
    found = [Violation("ledger_balanced", f"fund {f}", f"debits exceed credits by {s} fen") for f, s in rows if s]
    overall = sum(int(s) for _, s in rows)
    if overall:
        found.append(Violation("ledger_balanced", "ledger", f"debits exceed credits by {overall} fen"))
    return found


def postings_match_transactions(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    p, t = PostingRow, TransactionRow
    differs = or_(
        p.fund_id != t.fund_id,
        p.value_date != t.value_date,
        p.recorded_at != t.recorded_at,
        func.coalesce(p.loan_id, "") != func.coalesce(t.loan_id, ""),
        p.account.not_in(accounts.ACCOUNTS),
    )
    query = select(p.id, p.transaction_id).join(t, t.id == p.transaction_id).where(differs)
    rows = uow.connection.execute(_scoped(query, p.fund_id, fund_ids))
    return [
        Violation("postings_match_transactions", f"posting {pid}", f"disagrees with transaction {tid}")
        for pid, tid in rows
    ]


def fund_never_negative(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    query = (
        select(PostingRow.fund_id, PostingRow.value_date, func.sum(PostingRow.amount_fen))
        .where(PostingRow.account == accounts.FUND_CASH)
        .group_by(PostingRow.fund_id, PostingRow.value_date)
        .order_by(PostingRow.fund_id, PostingRow.value_date)
    )
    found = []
    for fund_id, rows in groupby(uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids)), lambda r: r[0]):
        balance = 0
        for _, day, delta in rows:
            balance += int(delta)
            if balance < 0:
                found.append(Violation("fund_never_negative", f"fund {fund_id}", f"balance {balance} fen on {day}"))
    return found


def books_match_postings(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    query = (
        select(PostingRow.fund_id, PostingRow.account, PostingRow.product, func.sum(PostingRow.amount_fen))
        .where(PostingRow.account.in_((accounts.FUND_CASH, *accounts.COVERED_ACCOUNTS)))
        .group_by(PostingRow.fund_id, PostingRow.account, PostingRow.product)
    )
    derived: dict[str, Counter] = defaultdict(Counter)
    for fund_id, account, product, total in uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids)):
        key = "fund_balance_fen" if account == accounts.FUND_CASH else f"covered_{product}_fen"
        derived[fund_id][key] += int(total)
        if account == accounts.PRINCIPAL_OVERDUE:
            derived[fund_id]["overdue_fen"] += int(total)
    policies = select(PolicyRow.fund_id, func.count()).group_by(PolicyRow.fund_id)
    for fund_id, count in uow.connection.execute(_scoped(policies, PolicyRow.fund_id, fund_ids)):
        derived[fund_id]["policy_version"] = int(count)
    covered = product_store.covered_by_fund(uow.connection, fund_ids)  # a row per fund and product it lent
    products = product_store.catalog(uow.connection).codes
    found = []
    for row in uow.connection.execute(_scoped(select(FundBookRow), FundBookRow.fund_id, fund_ids)):
        cached = {"fund_balance_fen": row.fund_balance_fen}
        cached |= {f"covered_{code}_fen": covered.get(row.fund_id, {}).get(code, 0) for code in products}
        cached |= {"overdue_fen": row.overdue_fen, "policy_version": row.policy_version}
        for key in [*cached, *(k for k in derived[row.fund_id] if k not in cached)]:  # a posted unknown product too
            if cached.get(key, 0) != derived[row.fund_id][key]:
                message = f"cached {key} {cached.get(key, 0)} != {derived[row.fund_id][key]} from the journal"
                found.append(Violation("books_match_postings", f"fund {row.fund_id}", message))
    return found


def commands_cover_transactions(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    t, c = TransactionRow, CommandRow
    on = and_(c.fund_id == t.fund_id, c.idempotency_key == t.idempotency_key, c.transaction_id == t.id)
    query = select(t.id).outerjoin(c, on).where(c.fund_id.is_(None))
    rows = uow.connection.execute(_scoped(query, t.fund_id, fund_ids))
    return [Violation("commands_cover_transactions", f"transaction {tid}", "no idempotency record") for (tid,) in rows]


def _postings_by_transaction(uow: UnitOfWork, fund_ids) -> dict[int, Counter]:
    query = select(
        PostingRow.transaction_id,
        PostingRow.account,
        PostingRow.product,
        PostingRow.overdue_since,
        PostingRow.amount_fen,
    )
    found: dict[int, Counter] = defaultdict(Counter)
    for tid, account, product, since, amount in uow.connection.execute(_scoped(query, PostingRow.fund_id, fund_ids)):
        found[tid][Posting(account, int(amount), product, since)] += 1
    return found


def _counted(postings: tuple[Posting, ...]) -> Counter:
    return Counter(postings)


def _negated(counted: Counter) -> Counter:
    return Counter({p.negated(): n for p, n in counted.items()})


def events_match_postings(uow: UnitOfWork, fund_ids=None) -> list[Violation]:
    """Replay every loan (and check every fund event and reversal) against the postings it recorded."""
    stored = _postings_by_transaction(uow, fund_ids)
    query = _scoped(select(TransactionRow), TransactionRow.fund_id, fund_ids)
    query = query.order_by(TransactionRow.fund_id, TransactionRow.loan_id, TransactionRow.id)
    cached = {
        (r.fund_id, r.loan_id): r for r in uow.connection.execute(_scoped(select(LoanRow), LoanRow.fund_id, fund_ids))
    }
    found: list[Violation] = []
    for (fund_id, loan_id), rows in groupby(uow.connection.execute(query), lambda r: (r.fund_id, r.loan_id)):
        rows = list(rows)
        if loan_id is None:
            found += _check_fund_events(rows, stored)
        else:
            found += _check_loan(fund_id, loan_id, rows, stored, cached.pop((fund_id, loan_id), None))
    found += [
        Violation("events_match_postings", f"loan {f}/{loan}", "cached loan without events") for f, loan in cached
    ]
    return found


def _check_fund_events(rows: list, stored: dict[int, Counter]) -> list[Violation]:
    found = []
    for row in rows:
        if row.event_type == "reversal":
            expected = _negated(stored.get(row.reverses_id, Counter()))
        else:
            expected = _counted(FUND_RECIPES[row.event_type](row.amount_fen or 0))
        if stored.get(row.id, Counter()) != expected:
            found.append(
                Violation("events_match_postings", f"transaction {row.id}", f"{row.event_type} postings differ")
            )
    return found


def _check_loan(fund_id: str, loan_id: str, rows: list, stored: dict[int, Counter], cached) -> list[Violation]:
    """Replay the loan's events in recording order (a reversal pops the event it reverses) and compare."""
    subject = f"loan {fund_id}/{loan_id}"
    posted = lambda tid: stored.get(tid, Counter())  # noqa: E731 - a transaction may post nothing
    mismatched = []
    try:
        loan, postings = open_loan(fund_id, loan_id, event_from_row(rows[0]))
        stack = [(rows[0].id, None)]
        mismatched += [rows[0].id] if _counted(postings) != posted(rows[0].id) else []
        for row in rows[1:]:
            if row.event_type == "reversal":
                top, loan = stack.pop()
                mismatched += [row.id] if top != row.reverses_id or posted(row.id) != _negated(posted(top)) else []
                continue
            previous = loan
            loan, postings = apply_event(loan, event_from_row(row))
            stack.append((row.id, previous))
            mismatched += [row.id] if _counted(postings) != posted(row.id) else []
    except Exception as error:  # noqa: BLE001 - a replay that breaks is itself the finding
        return [Violation("events_match_postings", subject, f"events do not replay: {error}")]
    found = [Violation("events_match_postings", subject, f"transaction {t} postings differ") for t in mismatched]
    return found + _compare_cache(subject, loan, cached)


def _compare_cache(subject: str, loan, cached) -> list[Violation]:
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
