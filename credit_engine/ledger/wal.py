"""Checkpoints of a SQLite write-ahead log on a thread of their own, so that no commit waits for one.

In WAL mode a commit appends to the log; the log is copied back into the database file by a checkpoint, which SQLite
runs inside the commit that takes the log past 1,000 pages — that commit (for the API, the audit writer's group
commit every assessment waits for) then also copies 4 MB and fsyncs the database file: 20–90 ms on the shared
machine, a stall of every request in flight in that worker. An engine made with ``background_checkpoints=True``
(:func:`~credit_engine.ledger.database.make_engine`) raises that mark to a backstop, and :class:`WalCheckpointer`
runs a ``PASSIVE`` checkpoint every ``refresh_seconds`` instead: it copies what no reader still needs, never waits
for readers or writers, and releases the GIL while SQLite works. On PostgreSQL it does nothing.
"""

from __future__ import annotations

import logging
import sqlite3

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.refresher import PeriodicRefresh

log = logging.getLogger(__name__)


class WalCheckpointer(PeriodicRefresh):
    def __init__(self, engine: Engine, refresh_seconds: float = 1.0) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.checkpoints = 0  # completed calls (for the tests and the curious)

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:")

    def start(self) -> None:
        if self.needed:
            self._keep_refreshing("wal-checkpoint")

    def refresh(self) -> tuple[int, int, int] | None:
        """One passive checkpoint: (busy, pages in the log, pages copied), or None when the database did not answer
        (logged; the next one tries again, and past the backstop a commit does it)."""
        try:
            connection = self.engine.raw_connection()  # no BEGIN: a checkpoint cannot run inside a transaction
            try:
                cursor = connection.cursor()
                row = cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                cursor.close()
            finally:
                connection.close()
        except (SQLAlchemyError, sqlite3.Error) as error:
            log.warning("WAL checkpoint failed: %s", type(error).__name__)
            return None
        self.checkpoints += 1
        return tuple(row)
