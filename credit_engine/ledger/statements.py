"""The SQL of the write path, built once per process on first use and executed with bound parameters.

Building a SQLAlchemy statement and computing its cache key costs about ten times more than executing a prebuilt
one, and a disbursement runs ten of them, so the repositories take their statements from :func:`sql` (a cached
:class:`Statements`). They are plain Core statements on the tables of :mod:`.tables` (no ORM compile step);
parameters of ``WHERE`` clauses are prefixed ``key_`` so they never clash with the columns an UPDATE sets.
"""

from __future__ import annotations

import functools
from functools import cached_property

from sqlalchemy import bindparam, func, insert, select, update

from credit_engine.ledger import accounts
from credit_engine.ledger.tables import (
    CommandRow,
    FundBookRow,
    FundRow,
    LoanRow,
    PolicyRow,
    PostingRow,
    TransactionRow,
)

FUND = FundRow.__table__
POLICY = PolicyRow.__table__
BOOK = FundBookRow.__table__
LOAN = LoanRow.__table__
TRANSACTION = TransactionRow.__table__
POSTING = PostingRow.__table__
COMMAND = CommandRow.__table__


def _key(name: str):
    return bindparam(f"key_{name}")


def _value(column, prefix: str = ""):  # noqa: ANN001, ANN202 - a column, a bind parameter
    return bindparam(prefix + column.name, type_=column.type)


def _count(cte, label: str):  # noqa: ANN001, ANN202
    return select(func.count()).select_from(cte).scalar_subquery().label(label)


def _closing(book: bool, loan: str | None):  # noqa: ANN202
    """The end of a write as one PostgreSQL statement (data-modifying CTEs): the command's insert, the book's
    update (``book``) and the loan's ``insert`` or ``update``; it selects how many rows each wrote. Parameters:
    the columns prefixed ``command_``, ``book_``, ``loan_`` and conditions ``key_`` (never a bare column name,
    which SQLAlchemy would add to the SET clause of the updates)."""
    command = insert(COMMAND).values({c.name: _value(c, "command_") for c in COMMAND.c}).returning(COMMAND.c.fund_id)
    counts = [_count(command.cte("closing_command"), "command_rows")]
    if book:
        values = {c.name: _value(c, "book_") for c in BOOK.c if c.name not in ("fund_id", "opened_on")}
        where = (BOOK.c.fund_id == _key("fund_id"), BOOK.c.version == _key("version"))
        counts.append(
            _count(update(BOOK).where(*where).values(values).returning(BOOK.c.fund_id).cte("closing_book"), "book_rows")
        )
    if loan == "insert":
        values = {c.name: _value(c, "loan_") for c in LOAN.c}
        counts.append(_count(insert(LOAN).values(values).returning(LOAN.c.loan_id).cte("closing_loan"), "loan_rows"))
    elif loan == "update":
        values = {c.name: _value(c, "loan_") for c in LOAN.c if c.name not in ("fund_id", "loan_id")}
        where = (
            LOAN.c.fund_id == _key("fund_id"),
            LOAN.c.loan_id == _key("loan_id"),
            LOAN.c.version == _key("loan_version"),
        )
        counts.append(
            _count(update(LOAN).where(*where).values(values).returning(LOAN.c.loan_id).cte("closing_loan"), "loan_rows")
        )
    return select(*counts)


class Statements:
    """One attribute per statement; each is built when first used."""

    def __init__(self) -> None:
        self._closings: dict[tuple[bool, str | None], object] = {}

    def closing(self, book: bool, loan: str | None):  # noqa: ANN201
        """The PostgreSQL statement that ends a write (see :func:`_closing`), one per shape."""
        key = (book, loan)
        if key not in self._closings:
            self._closings[key] = _closing(book, loan)
        return self._closings[key]

    @cached_property
    def insert_fund(self):
        return insert(FUND)

    @cached_property
    def fund(self):
        return select(FUND).where(FUND.c.fund_id == _key("fund_id"))

    @cached_property
    def insert_book(self):
        return insert(BOOK)

    @cached_property
    def lock_book(self):
        return select(BOOK).where(BOOK.c.fund_id == _key("fund_id")).with_for_update()

    @cached_property
    def lock_book_with_command(self):
        """The fund's book, locked, with the command already recorded under the key (if any) and whether the
        command's loan is on file, in the same read."""
        known = (COMMAND.c.fund_id == BOOK.c.fund_id) & (COMMAND.c.idempotency_key == _key("idempotency_key"))
        on_file = (LOAN.c.fund_id == BOOK.c.fund_id) & (LOAN.c.loan_id == _key("loan_id"))
        prior = (COMMAND.c.body_hash.label("prior_body_hash"), COMMAND.c.result.label("prior_result"))
        return (
            select(BOOK, *prior, LOAN.c.loan_id.label("loan_on_file"))
            .select_from(BOOK.outerjoin(COMMAND, known).outerjoin(LOAN, on_file))
            .where(BOOK.c.fund_id == _key("fund_id"))
            .with_for_update(of=BOOK)
        )

    @cached_property
    def update_book(self):
        return update(BOOK).where(BOOK.c.fund_id == _key("fund_id"), BOOK.c.version == _key("version"))

    @cached_property
    def insert_policy(self):
        return insert(POLICY)

    @cached_property
    def policies(self):
        return select(POLICY).where(POLICY.c.fund_id == _key("fund_id")).order_by(POLICY.c.id)

    @cached_property
    def loan(self):
        return select(LOAN).where(LOAN.c.fund_id == _key("fund_id"), LOAN.c.loan_id == _key("loan_id"))

    @cached_property
    def insert_loan(self):
        return insert(LOAN)

    @cached_property
    def update_loan(self):
        where = (
            LOAN.c.fund_id == _key("fund_id"),
            LOAN.c.loan_id == _key("loan_id"),
            LOAN.c.version == _key("version"),
        )
        return update(LOAN).where(*where)

    @cached_property
    def loan_events(self):
        where = (TRANSACTION.c.fund_id == _key("fund_id"), TRANSACTION.c.loan_id == _key("loan_id"))
        return select(TRANSACTION).where(*where).order_by(TRANSACTION.c.id)

    @cached_property
    def insert_transaction(self):
        return insert(TRANSACTION).returning(TRANSACTION.c.id)

    @cached_property
    def transaction(self):
        return select(TRANSACTION).where(TRANSACTION.c.id == _key("id"))

    @cached_property
    def reversal_of(self):
        return select(TRANSACTION.c.id).where(TRANSACTION.c.reverses_id == _key("id"))

    @cached_property
    def insert_postings(self):
        return insert(POSTING)

    @cached_property
    def postings(self):
        return select(POSTING).where(POSTING.c.transaction_id == _key("id")).order_by(POSTING.c.id)

    @cached_property
    def npl_principal(self):
        return select(func.coalesce(func.sum(POSTING.c.amount_fen), 0)).where(
            POSTING.c.fund_id == _key("fund_id"),
            POSTING.c.account == accounts.PRINCIPAL_OVERDUE,
            POSTING.c.overdue_since <= bindparam("key_since", type_=POSTING.c.overdue_since.type),
            POSTING.c.value_date <= bindparam("key_on", type_=POSTING.c.value_date.type),
        )

    @cached_property
    def fund_cash_by_date(self):
        return (
            select(POSTING.c.value_date, func.sum(POSTING.c.amount_fen))
            .where(POSTING.c.fund_id == _key("fund_id"), POSTING.c.account == accounts.FUND_CASH)
            .group_by(POSTING.c.value_date)
            .order_by(POSTING.c.value_date)
        )

    @cached_property
    def command(self):
        where = (COMMAND.c.fund_id == _key("fund_id"), COMMAND.c.idempotency_key == _key("idempotency_key"))
        return select(COMMAND).where(*where)

    @cached_property
    def insert_command(self):
        return insert(COMMAND)


@functools.cache
def sql() -> Statements:
    """The process's statements (built lazily; nothing is built at import)."""
    return Statements()
