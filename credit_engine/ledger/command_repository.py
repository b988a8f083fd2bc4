"""The command repository: the idempotency record of every accepted write and the end of every write.

:meth:`CommandRepository.close_write` writes the command record (:func:`command_values`), the fund book and the loan
of one write; it is where the one difference between the databases on the write path lives (PostgreSQL: one
statement, :func:`_close_in_one_statement`; others: the fund and loan repositories, then the command's insert).
A command already recorded under a key is read back by :meth:`CommandRepository.get` or, with the locked book,
:meth:`.repository.FundRepository.lock_book_with_command` (a :class:`.repository.PriorCommand`).
"""

from __future__ import annotations

from sqlalchemy import Connection

from credit_engine.ledger import product_store
from credit_engine.ledger.domain import FundBook
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.repository import (
    LOAN_FIELDS,
    FundRepository,
    LoanRepository,
    Recorded,
    StaleCache,
    book_values,
)
from credit_engine.ledger.statements import sql


def command_values(fund_id: str, key: str, command: str, body_hash: str, result: dict, recorded: Recorded) -> dict:
    """The ``ledger_command`` row of an accepted command."""
    values = {"fund_id": fund_id, "idempotency_key": key, "command": command, "body_hash": body_hash}
    values |= {"transaction_id": result.get("transaction_id"), "result": result}
    return values | {"recorded_at": recorded.recorded_at, "recorded_by": recorded.recorded_by}


def _close_in_one_statement(
    connection: Connection,
    command: dict,
    book: FundBook | None,
    expected_version: int,
    loan: Loan | None,
    loan_version: int | None,
) -> None:
    """PostgreSQL: the command record, the book (``None``: unchanged) and the loan (``loan_version`` None: a new
    row) written by one statement instead of three round trips; the same rows and checks as the repositories'.
    The book's covered principal per product follows (:func:`.product_store.save_covered`: only what changed)."""
    shape = None if loan is None else ("insert" if loan_version is None else "update")
    values = {f"command_{k}": v for k, v in command.items()}
    if book is not None:
        values |= {"key_fund_id": book.fund_id, "key_version": expected_version}
        values |= {f"book_{k}": v for k, v in book_values(book).items()}
    if loan is not None:
        row = {name: getattr(loan, name) for name in LOAN_FIELDS} | {"state": loan.state.value}
        row["version"] = 1 if loan_version is None else loan_version + 1
        values |= {f"loan_{k}": v for k, v in row.items()}
        values |= {"key_fund_id": loan.fund_id, "key_loan_id": loan.loan_id, "key_loan_version": loan_version}
    counts = connection.execute(sql().closing(book is not None, shape), values).one()
    if book is not None and counts.book_rows != 1:
        raise StaleCache(f"fund book {book.fund_id} is not at version {expected_version}")
    if book is not None:
        product_store.save_covered(connection, book.fund_id, book.covered_fen)
    if loan is not None and counts.loan_rows != 1:
        raise StaleCache(f"loan {loan.fund_id}/{loan.loan_id} is not at version {loan_version}")


class CommandRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, fund_id: str, key: str):
        """The command recorded under ``key`` in the fund (its ``body_hash``, ``result``, ...), or None."""
        return self.connection.execute(sql().command, {"key_fund_id": fund_id, "key_idempotency_key": key}).first()

    def close_write(
        self, command: dict, book: FundBook | None, expected_version: int, loan: Loan | None, loan_version: int | None
    ) -> None:
        """The end of every write: the command record (:func:`command_values`), the book (``None``: unchanged; it
        must still be at ``expected_version``) and the loan (``loan_version`` None: a new row). PostgreSQL writes
        them in one statement; other databases through the fund and loan repositories, then the command's insert."""
        if self.connection.dialect.name == "postgresql":
            _close_in_one_statement(self.connection, command, book, expected_version, loan, loan_version)
            return
        if book is not None:
            FundRepository(self.connection).save_book(book, expected_version)
        if loan is not None:
            loans = LoanRepository(self.connection)
            if loan_version is None:
                loans.add(loan)
            else:
                loans.save(loan, loan_version)
        self.connection.execute(sql().insert_command, command)
