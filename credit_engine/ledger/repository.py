"""Repositories: the only code that turns domain objects into rows and back (SQLAlchemy Core on one connection).

``FundRepository`` holds funds, policy versions and the fund book (locked ``FOR UPDATE`` for every write to the
fund; read unlocked, with the funds, by the fund headrooms and the audit); ``LoanRepository`` the loan cache and a
loan's recorded events; ``JournalRepository`` transactions and postings. The idempotency records and the end of
every write are :mod:`.command_repository`'s. Their statements are prebuilt (:mod:`.statements`). Read models for
reports, the audit and the fund headrooms live in :mod:`.queries` (:mod:`.position` folds one into fund positions).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from credit_engine.ledger import product_store
from credit_engine.ledger.domain import Fund, FundBook, FundPolicy, PolicyTerms
from credit_engine.ledger.errors import UnknownFund
from credit_engine.ledger.journal import JournalEntry, Posting
from credit_engine.ledger.loan import Loan, LoanEvent, LoanState
from credit_engine.ledger.statements import sql
from credit_engine.ledger.tables import FundBookRow, FundRow, PolicyRow

LOAN_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(LoanEvent))
LOAN_FIELDS = tuple(f.name for f in dataclasses.fields(Loan))
TERMS_FIELDS = tuple(f.name for f in dataclasses.fields(PolicyTerms))
POLICY_CACHE = "ledger_policies"


class StaleCache(RuntimeError):
    """A cache row changed under a writer that should have held the fund's lock (a bug, never a refusal)."""


def policy_from_row(row: object) -> FundPolicy:
    terms = PolicyTerms(**{name: getattr(row, name) for name in TERMS_FIELDS})
    return FundPolicy(row.fund_id, row.effective_from, row.recorded_at, terms)  # type: ignore[attr-defined]


def event_from_row(row: object) -> LoanEvent:
    return LoanEvent(**{name: getattr(row, name) for name in LOAN_EVENT_FIELDS})


def loan_from_row(row: object) -> Loan:
    values = {name: getattr(row, name) for name in LOAN_FIELDS}
    values["state"] = LoanState(values["state"])
    return Loan(**values)


@dataclass(frozen=True, slots=True)
class PriorCommand:
    """The command already recorded under an idempotency key: the hash of its body and the receipt it returned."""

    body_hash: str
    result: dict


def _book(row: Any, covered: dict[str, int]) -> FundBook:
    return FundBook(
        row.fund_id, row.opened_on, row.fund_balance_fen, covered, row.overdue_fen, row.policy_version, row.version
    )


class FundRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, fund: Fund, recorded_by: str) -> None:
        values = {"fund_id": fund.fund_id, "county_code": fund.county_code, "bank_code": fund.bank_code}
        values |= {"opened_on": fund.opened_on, "recorded_at": fund.recorded_at, "recorded_by": recorded_by}
        self.connection.execute(sql().insert_fund, values)
        book = {"fund_id": fund.fund_id, "opened_on": fund.opened_on, "fund_balance_fen": 0, "overdue_fen": 0}
        book |= {"policy_version": 0, "version": 0}  # covered principal: no ledger_fund_covered row is 0
        self.connection.execute(sql().insert_book, book)

    def get(self, fund_id: str) -> Fund | None:
        row = self.connection.execute(sql().fund, {"key_fund_id": fund_id}).first()
        if row is None:
            return None
        return Fund(row.fund_id, row.county_code, row.bank_code, row.opened_on, row.recorded_at)

    def lock_book(self, fund_id: str) -> FundBook:
        """The fund's book, locked until the unit of work ends (raises ``UnknownFund``)."""
        row = self.connection.execute(sql().lock_book, {"key_fund_id": fund_id}).first()
        if row is None:
            raise UnknownFund(fund_id)
        return _book(row, product_store.covered_fen(self.connection, fund_id))

    def lock_book_with_command(
        self, fund_id: str, key: str, loan_id: str | None = None
    ) -> tuple[FundBook, PriorCommand | None, bool]:
        """The locked book, the command recorded under ``key`` and whether ``loan_id`` is on file, in one
        statement. On PostgreSQL the command and the loan are read from the statement's snapshot, which may predate
        the writer whose lock it waited for: a missing command is re-read before a refusal
        (:func:`.writes.execute`), and the primary keys of commands and loans stop a double post (retried once)."""
        values = {"key_fund_id": fund_id, "key_idempotency_key": key, "key_loan_id": loan_id}
        row = self.connection.execute(sql().lock_book_with_command, values).first()
        if row is None:
            raise UnknownFund(fund_id)
        prior = None if row.prior_body_hash is None else PriorCommand(row.prior_body_hash, row.prior_result)
        book = _book(row, product_store.covered_fen(self.connection, fund_id))
        return book, prior, row.loan_on_file is not None

    def save_book(self, book: FundBook, expected_version: int) -> None:
        """Write the book; the row must still be at ``expected_version`` (it was locked when read)."""
        values = {"key_fund_id": book.fund_id, "key_version": expected_version} | book_values(book)
        if self.connection.execute(sql().update_book, values).rowcount != 1:
            raise StaleCache(f"fund book {book.fund_id} is not at version {expected_version}")
        product_store.save_covered(self.connection, book.fund_id, book.covered_fen)

    def add_policy(self, policy: FundPolicy, key: str, recorded_by: str) -> None:
        values = policy.terms.as_dict() | {"fund_id": policy.fund_id, "effective_from": policy.effective_from}
        values |= {"recorded_at": policy.recorded_at, "recorded_by": recorded_by, "idempotency_key": key}
        self.connection.execute(sql().insert_policy, values)

    def policies(self, fund_id: str, policy_version: int | None = None) -> list[FundPolicy]:
        """The fund's policy versions; given the locked book's ``policy_version``, served from a cache kept
        on the database connection while that count is unchanged (policies change rarely, lending often)."""
        cache = self.connection.info.setdefault(POLICY_CACHE, {})
        hit = cache.get(fund_id)
        if policy_version is not None and hit is not None and hit[0] == policy_version:
            return hit[1]
        rows = self.connection.execute(sql().policies, {"key_fund_id": fund_id})
        versions = [policy_from_row(row) for row in rows]
        if policy_version is not None and len(versions) == policy_version:
            cache[fund_id] = (policy_version, versions)
        return versions

    def with_books(self, fund_ids: list[str] | None = None) -> list[tuple[Fund, FundBook]]:
        """Every fund (or those listed) with its cached book, as last committed (not locked: a reader's view)."""
        fund = (FundRow.county_code, FundRow.bank_code, FundRow.recorded_at.label("fund_recorded_at"))
        query = select(*fund, FundBookRow).join(FundBookRow, FundBookRow.fund_id == FundRow.fund_id)
        if fund_ids is not None:
            query = query.where(FundRow.fund_id.in_(fund_ids))
        covered = product_store.covered_by_fund(self.connection, fund_ids)
        return [
            (
                Fund(row.fund_id, row.county_code, row.bank_code, row.opened_on, row.fund_recorded_at),
                _book(row, covered.get(row.fund_id, {})),
            )
            for row in self.connection.execute(query)
        ]

    def policies_by_fund(self, fund_ids: list[str] | None = None) -> dict[str, list[FundPolicy]]:
        """The policy versions of every fund (or those listed), by fund id."""
        query = select(PolicyRow) if fund_ids is None else select(PolicyRow).where(PolicyRow.fund_id.in_(fund_ids))
        versions: dict[str, list[FundPolicy]] = {}
        for row in self.connection.execute(query):
            versions.setdefault(row.fund_id, []).append(policy_from_row(row))
        return versions


class LoanRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, fund_id: str, loan_id: str) -> tuple[Loan, int] | None:
        """The cached loan and its cache version, or None."""
        row = self.connection.execute(sql().loan, {"key_fund_id": fund_id, "key_loan_id": loan_id}).first()
        return None if row is None else (loan_from_row(row), row.version)

    def add(self, loan: Loan) -> None:
        values = {name: getattr(loan, name) for name in LOAN_FIELDS} | {"state": loan.state.value, "version": 1}
        self.connection.execute(sql().insert_loan, values)

    def save(self, loan: Loan, version: int) -> None:
        values = {name: getattr(loan, name) for name in LOAN_FIELDS} | {"state": loan.state.value}
        values |= {"version": version + 1, "key_fund_id": loan.fund_id, "key_loan_id": loan.loan_id}
        values["key_version"] = version
        if self.connection.execute(sql().update_loan, values).rowcount != 1:
            raise StaleCache(f"loan {loan.fund_id}/{loan.loan_id} is not at version {version}")

    def events(self, fund_id: str, loan_id: str) -> list[tuple[int, int | None, LoanEvent]]:
        """The loan's recorded transactions in order: (transaction id, reversed id, event facts)."""
        rows = self.connection.execute(sql().loan_events, {"key_fund_id": fund_id, "key_loan_id": loan_id})
        return [(row.id, row.reverses_id, event_from_row(row)) for row in rows]


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
        header |= {"recorded_at": recorded.recorded_at, "recorded_by": recorded.recorded_by}
        header |= {"idempotency_key": recorded.idempotency_key, "reverses_id": reverses_id}
        header |= {"fund_id": entry.fund_id, "event_type": entry.event_type, "value_date": entry.value_date}
        header["loan_id"] = entry.loan_id
        transaction_id = self.connection.execute(sql().insert_transaction, header).scalar_one()
        if entry.postings:
            shared = {"transaction_id": transaction_id, "fund_id": entry.fund_id, "loan_id": entry.loan_id}
            shared |= {"value_date": entry.value_date, "recorded_at": recorded.recorded_at}
            rows = [
                shared
                | {
                    "account": p.account,
                    "amount_fen": p.amount_fen,
                    "product": p.product,
                    "overdue_since": p.overdue_since,
                }
                for p in entry.postings
            ]
            self.connection.execute(sql().insert_postings, rows)
        return transaction_id

    def get(self, transaction_id: int):
        return self.connection.execute(sql().transaction, {"key_id": transaction_id}).first()

    def reversal_of(self, transaction_id: int) -> int | None:
        return self.connection.execute(sql().reversal_of, {"key_id": transaction_id}).scalar()

    def postings(self, transaction_id: int) -> tuple[Posting, ...]:
        rows = self.connection.execute(sql().postings, {"key_id": transaction_id})
        return tuple(Posting(r.account, r.amount_fen, r.product, r.overdue_since) for r in rows)

    def npl_principal_fen(self, fund_id: str, on: dt.date, npl_days: int = 90) -> int:
        """Principal of the fund's loans at least ``npl_days`` past due on ``on`` (every known posting)."""
        since = on - dt.timedelta(days=npl_days)
        values = {"key_fund_id": fund_id, "key_since": since, "key_on": on}
        return int(self.connection.execute(sql().npl_principal, values).scalar_one())

    def fund_cash_by_date(self, fund_id: str) -> list[tuple[dt.date, int]]:
        """Net movement of the fund's cash per value date, in date order (every known posting)."""
        rows = self.connection.execute(sql().fund_cash_by_date, {"key_fund_id": fund_id})
        return [(day, int(total)) for day, total in rows]


def book_values(book: FundBook) -> dict[str, object]:
    values = {"fund_balance_fen": book.fund_balance_fen, "overdue_fen": book.overdue_fen}
    return values | {"policy_version": book.policy_version, "version": book.version}
