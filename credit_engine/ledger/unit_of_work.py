"""The unit of work: one database transaction, its repositories and the clock; rolls back unless committed.

Services open it with ``with uow:`` and call ``uow.commit()`` when everything is written; leaving the block
without a commit (or with an exception) rolls everything back. The clock is injectable so tests control the
recording time (``recorded_at``, UTC). ``read_only=True`` opens a deferred transaction on SQLite (reports);
writers open ``BEGIN IMMEDIATE`` there and lock the fund's book on PostgreSQL. ``on_write`` is called with the
connection and the receipt of a write just before it commits (the service layer's audit entry, when the audit log
lives in the same database, joins the transaction that way: both commit, or neither).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Self

from sqlalchemy import Connection, Engine

from credit_engine.clock import Clock, utc_now
from credit_engine.ledger.command_repository import CommandRepository
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.database import READ_ONLY
from credit_engine.ledger.repository import FundRepository, JournalRepository, LoanRepository

WriteHook = Callable[[Connection, Receipt], None]


class UnitOfWork:
    """``with UnitOfWork(engine) as uow: ...; uow.commit()`` — repositories live only inside the block."""

    funds: FundRepository
    loans: LoanRepository
    journal: JournalRepository
    commands: CommandRepository
    connection: Connection

    def __init__(
        self, engine: Engine, clock: Clock = utc_now, *, read_only: bool = False, on_write: WriteHook | None = None
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.read_only = read_only
        self.on_write = on_write
        self._committed = False
        self._open = False

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def now(self) -> dt.datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the ledger clock must return timezone-aware times")
        return moment.astimezone(dt.UTC)

    def __enter__(self) -> Self:
        if self._open:
            raise RuntimeError("this unit of work is already open: nest a new one instead")
        self._open = True
        engine = self.engine
        if self.read_only:
            options: dict[str, object] = {READ_ONLY: True}
            if self.dialect == "postgresql":  # one consistent snapshot for every query of a report
                options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            engine = engine.execution_options(**options)
        self.connection = engine.connect()
        self._transaction = self.connection.begin()
        self._committed = False
        self.funds = FundRepository(self.connection)
        self.loans = LoanRepository(self.connection)
        self.journal = JournalRepository(self.connection)
        self.commands = CommandRepository(self.connection)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if not self._committed and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
            self._open = False

    def written(self, receipt: Receipt) -> None:
        """A write is complete but not committed: let ``on_write`` add to the same transaction (it may raise, and
        then nothing is committed)."""
        if self.on_write is not None:
            self.on_write(self.connection, receipt)

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        self._transaction.commit()
        self._committed = True

    def rollback(self) -> None:
        self._transaction.rollback()
