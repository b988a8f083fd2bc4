"""The port through which the domain writes its audit log: what an assessment or a ledger write needs of it.

An :class:`AuditSink` stores an entry durably before :meth:`~AuditSink.record` returns (else raises
:class:`~credit_engine.audit.entry.AuditUnavailable`), reads one back, and says whether a database engine reaches
the log's own database — then a ledger write inserts its entry itself, in its own transaction
(:meth:`~credit_engine.audit.repository.AuditRepository.append_in`), and the two commit or vanish together.
:class:`~credit_engine.audit.repository.AuditRepository` is the synchronous sink (one commit per call, the CLI's);
the served API's group-commit writer with its spool and its awaitable receipts is an adapter in ``api/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from credit_engine.audit.entry import AuditEntry


@runtime_checkable
class AuditSink(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Store ``entry`` (durably) before returning, or raise ``AuditUnavailable``."""

    def record_many(self, entries: Iterable[AuditEntry]) -> None:
        """Store every entry before returning, or raise ``AuditUnavailable``."""

    def get(self, record_id: str) -> AuditEntry | None:
        """The stored entry of ``record_id``, if any."""

    def shares_database(self, engine: Engine) -> bool:
        """Whether a transaction on ``engine`` can insert an entry of this log itself."""
