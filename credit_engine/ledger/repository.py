"""Repositories: the only code that turns domain objects into rows and back (SQLAlchemy Core on one connection).

``FundRepository`` holds funds, policy versions and the fund book (locked ``FOR UPDATE`` for every write to the
fund); ``LoanRepository`` the loan cache and a loan's recorded events; ``JournalRepository`` transactions and
postings; ``CommandRepository`` the idempotency records. Reads for reports live in :mod:`.position` and
:mod:`.history`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from credit_engine.ledger import accounts
from credit_engine.ledger.domain import Fund, FundBook, FundPolicy, PolicyTerms
from credit_engine.ledger.errors import UnknownFund
from credit_engine.ledger.journal import JournalEntry, Posting
from credit_engine.ledger.loan import Loan, LoanEvent, LoanState
from credit_engine.ledger.tables import (
    CommandRow,
    FundBookRow,
    FundRow,
    LoanRow,
    PolicyRow,
    PostingRow,
    TransactionRow,
)

LOAN_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(LoanEvent))
TERMS_FIELDS = tuple(f.name for f in dataclasses.fields(PolicyTerms))


class StaleCache(RuntimeError):
    """A cache row changed under a writer that should have held the fund's lock (a bug, never a refusal)."""


def policy_from_row(row: object) -> FundPolicy:
    terms = PolicyTerms(**{name: getattr(row, name) for name in TERMS_FIELDS})
    return FundPolicy(row.fund_id, row.effective_from, row.recorded_at, terms)  # type: ignore[attr-defined]


class FundRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, fund: Fund, recorded_by: str) -> None:
        values = dataclasses.asdict(fund) | {"recorded_by": recorded_by}
        self.connection.execute(insert(FundRow), values)
        book = {"fund_id": fund.fund_id, "opened_on": fund.opened_on, "fund_balance_fen": 0}
        book |= {"covered_fumin_fen": 0, "covered_qiangnong_fen": 0, "version": 0}
        self.connection.execute(insert(FundBookRow), book)

    def get(self, fund_id: str) -> Fund | None:
        row = self.connection.execute(select(FundRow).where(FundRow.fund_id == fund_id)).first()
        if row is None:
            return None
        return Fund(row.fund_id, row.county_code, row.bank_code, row.opened_on, row.recorded_at)

    def lock_book(self, fund_id: str) -> FundBook:
        """The fund's book, locked until the unit of work ends (raises ``UnknownFund``)."""
        query = select(FundBookRow).where(FundBookRow.fund_id == fund_id).with_for_update()
        row = self.connection.execute(query).first()
        if row is None:
            raise UnknownFund(fund_id)
        covered = {"fumin": row.covered_fumin_fen, "qiangnong": row.covered_qiangnong_fen}
        return FundBook(row.fund_id, row.opened_on, row.fund_balance_fen, covered, row.version)

    def save_book(self, book: FundBook) -> None:
        statement = (
            update(FundBookRow)
            .where(FundBookRow.fund_id == book.fund_id, FundBookRow.version == book.version - 1)
            .values(
                fund_balance_fen=book.fund_balance_fen,
                covered_fumin_fen=book.covered_fen.get("fumin", 0),
                covered_qiangnong_fen=book.covered_fen.get("qiangnong", 0),
                version=book.version,
            )
        )
        if self.connection.execute(statement).rowcount != 1:
            raise StaleCache(f"fund book {book.fund_id} is not at version {book.version - 1}")

    def add_policy(self, policy: FundPolicy, key: str, recorded_by: str) -> None:
        values = policy.terms.as_dict() | {"fund_id": policy.fund_id, "effective_from": policy.effective_from}
        values |= {"recorded_at": policy.recorded_at, "recorded_by": recorded_by, "idempotency_key": key}
        self.connection.execute(insert(PolicyRow), values)

    def policies(self, fund_id: str) -> list[FundPolicy]:
        query = select(PolicyRow).where(PolicyRow.fund_id == fund_id).order_by(PolicyRow.id)
        return [policy_from_row(row) for row in self.connection.execute(query)]


class LoanRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, fund_id: str, loan_id: str) -> tuple[Loan, int] | None:
        """The cached loan and its cache version, or None."""
        query = select(LoanRow).where(LoanRow.fund_id == fund_id, LoanRow.loan_id == loan_id)
        row = self.connection.execute(query).first()
        if row is None:
            return None
        values = {f.name: getattr(row, f.name) for f in dataclasses.fields(Loan)}
        values["state"] = LoanState(values["state"])
        return Loan(**values), row.version

    def add(self, loan: Loan) -> None:
        values = dataclasses.asdict(loan) | {"state": loan.state.value, "version": 1}
        self.connection.execute(insert(LoanRow), values)

    def save(self, loan: Loan, version: int) -> None:
        values = dataclasses.asdict(loan) | {"state": loan.state.value, "version": version + 1}
        statement = (
            update(LoanRow)
            .where(LoanRow.fund_id == loan.fund_id, LoanRow.loan_id == loan.loan_id, LoanRow.version == version)
            .values(values)
        )
        if self.connection.execute(statement).rowcount != 1:
            raise StaleCache(f"loan {loan.fund_id}/{loan.loan_id} is not at version {version}")

    def events(self, fund_id: str, loan_id: str) -> list[tuple[int, int | None, LoanEvent]]:
        """The loan's recorded transactions in order: (transaction id, reversed id, event facts)."""
        query = (
            select(TransactionRow)
            .where(TransactionRow.fund_id == fund_id, TransactionRow.loan_id == loan_id)
            .order_by(TransactionRow.id)
        )
        return [(row.id, row.reverses_id, event_from_row(row)) for row in self.connection.execute(query)]


def event_from_row(row: object) -> LoanEvent:
    return LoanEvent(**{name: getattr(row, name) for name in LOAN_EVENT_FIELDS})


@dataclass(frozen=True, slots=True)
class Recorded:
    """Who and when: the recording metadata of one transaction."""

    recorded_at: dt.datetime
    recorded_by: str
    idempotency_key: str


class JournalRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, entry: JournalEntry, recorded: Recorded, reverses_id: int | None = None) -> int:
        header = {k: entry.facts.get(k) for k in LOAN_EVENT_FIELDS if k not in ("event_type", "value_date")}
        header |= dataclasses.asdict(recorded) | {"reverses_id": reverses_id}
        header |= {"fund_id": entry.fund_id, "event_type": entry.event_type, "value_date": entry.value_date}
        header["loan_id"] = entry.loan_id
        transaction_id = self.connection.execute(
            insert(TransactionRow).returning(TransactionRow.id), header
        ).scalar_one()
        if entry.postings:
            shared = {"transaction_id": transaction_id, "fund_id": entry.fund_id, "loan_id": entry.loan_id}
            shared |= {"value_date": entry.value_date, "recorded_at": recorded.recorded_at}
            rows = [shared | dataclasses.asdict(p) for p in entry.postings]
            self.connection.execute(insert(PostingRow), rows)
        return transaction_id

    def get(self, transaction_id: int) -> TransactionRow | None:
        return self.connection.execute(select(TransactionRow).where(TransactionRow.id == transaction_id)).first()

    def reversal_of(self, transaction_id: int) -> int | None:
        query = select(TransactionRow.id).where(TransactionRow.reverses_id == transaction_id)
        return self.connection.execute(query).scalar()

    def postings(self, transaction_id: int) -> tuple[Posting, ...]:
        query = select(PostingRow).where(PostingRow.transaction_id == transaction_id).order_by(PostingRow.id)
        rows = self.connection.execute(query)
        return tuple(Posting(r.account, r.amount_fen, r.product, r.overdue_since) for r in rows)

    def npl_principal_fen(self, fund_id: str, on: dt.date, npl_days: int = 90) -> int:
        """Principal of the fund's loans at least ``npl_days`` past due on ``on`` (every known posting)."""
        query = select(func.coalesce(func.sum(PostingRow.amount_fen), 0)).where(
            PostingRow.fund_id == fund_id,
            PostingRow.account == accounts.PRINCIPAL_OVERDUE,
            PostingRow.overdue_since <= on - dt.timedelta(days=npl_days),
            PostingRow.value_date <= on,
        )
        return int(self.connection.execute(query).scalar_one())

    def fund_cash_by_date(self, fund_id: str) -> list[tuple[dt.date, int]]:
        """Net movement of the fund's cash per value date, in date order (every known posting)."""
        query = (
            select(PostingRow.value_date, func.sum(PostingRow.amount_fen))
            .where(PostingRow.fund_id == fund_id, PostingRow.account == accounts.FUND_CASH)
            .group_by(PostingRow.value_date)
            .order_by(PostingRow.value_date)
        )
        return [(day, int(total)) for day, total in self.connection.execute(query)]


class CommandRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, fund_id: str, key: str) -> CommandRow | None:
        query = select(CommandRow).where(CommandRow.fund_id == fund_id, CommandRow.idempotency_key == key)
        return self.connection.execute(query).first()

    def add(self, fund_id: str, key: str, command: str, body_hash: str, result: dict, recorded: Recorded) -> None:
        values = {"fund_id": fund_id, "idempotency_key": key, "command": command, "body_hash": body_hash}
        values |= {"transaction_id": result.get("transaction_id"), "result": result}
        values |= {"recorded_at": recorded.recorded_at, "recorded_by": recorded.recorded_by}
        self.connection.execute(insert(CommandRow), values)
