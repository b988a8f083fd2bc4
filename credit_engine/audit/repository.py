"""The audit table's repository: the only code that turns :class:`AuditEntry` values into rows and back.

:meth:`AuditRepository.append_in` inserts entries in a caller's transaction (a ledger write's own, so the write and
its entry commit or vanish together); :meth:`~AuditRepository.append` in a transaction of its own (on a connection
the caller keeps, if it wants to spare a pool checkout per commit); :meth:`~AuditRepository.get` and
:meth:`~AuditRepository.between` read. The repository is also an :class:`~credit_engine.audit.sink.AuditSink` that
writes synchronously, each call one commit (the CLI's way; the served API puts a group-commit writer in front).
Inserts are a plain ``INSERT … VALUES`` for the driver's executemany with each column's values prepared once per
dialect: a group commit of hundreds of entries must not spend its time compiling and type-processing them one by one.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import JSON, Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.audit.entry import AuditEntry, AuditUnavailable
from credit_engine.audit.tables import AuditRow
from credit_engine.service_db.identity import database_tag

_COLUMNS = tuple(column.name for column in AuditRow.__table__.columns)
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


class AuditRepository:
    """The audit table of the database ``engine`` reaches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @functools.cached_property
    def database_tag(self) -> str:
        return database_tag(self.engine)

    def shares_database(self, engine: Engine) -> bool:
        """Whether ``engine`` reaches this log's database (then a write there can carry its entry itself)."""
        return engine is self.engine or database_tag(engine) == self.database_tag

    @staticmethod
    def append_in(connection: Connection, entries: Iterable[AuditEntry]) -> None:
        """Insert entries in the caller's transaction on ``connection`` (it commits or rolls back with them)."""
        rows = list(entries)
        if rows:
            dialect = connection.dialect
            processors = _bind_processors(dialect)
            connection.exec_driver_sql(_insert_sql(dialect.paramstyle), [_row(e, processors) for e in rows])

    def append(
        self, entries: list[AuditEntry], *, skip_existing: bool = False, connection: Connection | None = None
    ) -> None:
        """Insert entries in one transaction of their own (on ``connection`` if given); ``skip_existing`` leaves
        out entries already stored (a spool copied in again after a crash)."""
        if connection is None:
            with self.engine.connect() as own:
                self.append(entries, skip_existing=skip_existing, connection=own)
            return
        with connection.begin():
            if skip_existing:
                ids = [e.record_id for e in entries]
                known = set(connection.scalars(select(AuditRow.record_id).where(AuditRow.record_id.in_(ids))))
                entries = [e for e in entries if e.record_id not in known]
            self.append_in(connection, entries)

    def get(self, record_id: str) -> AuditEntry | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(AuditRow).where(AuditRow.record_id == record_id)).first()
        return None if row is None else entry_from_row(row)

    def between(self, start: dt.datetime, end: dt.datetime) -> Iterator[AuditEntry]:
        """Entries recorded from ``start`` (inclusive) to ``end`` (exclusive), oldest first, read in chunks."""
        query = (
            select(AuditRow)
            .where(AuditRow.recorded_at >= start, AuditRow.recorded_at < end)
            .order_by(AuditRow.recorded_at, AuditRow.record_id)
        )
        with self.engine.connect() as connection:
            for row in connection.execution_options(yield_per=1000).execute(query):
                yield entry_from_row(row)

    # ------------------------------------------------------------------ the AuditSink port, synchronously
    def record(self, entry: AuditEntry) -> None:
        """Store one entry before returning; :class:`AuditUnavailable` if the database does not take it."""
        self.record_many([entry])

    def record_many(self, entries: Iterable[AuditEntry]) -> None:
        try:
            self.append(list(entries))
        except SQLAlchemyError as error:
            raise AuditUnavailable() from error


def entry_from_row(row: Any) -> AuditEntry:
    return AuditEntry(**{name: getattr(row, name) for name in AuditEntry.__dataclass_fields__})


def _insert_sql(paramstyle: str) -> str:
    marks = ", ".join(_PLACEHOLDERS[paramstyle] for _ in _COLUMNS)
    return f"INSERT INTO {AuditRow.__tablename__} ({', '.join(_COLUMNS)}) VALUES ({marks})"


@functools.cache
def _bind_processors(dialect: Any) -> tuple:
    """Each column type's own conversion to the driver's value (UTC times, JSON text), once per dialect; a JSON
    column whose dialect leaves it to the driver's adapters gets plain JSON text (the server casts it)."""
    processors = []
    for column in AuditRow.__table__.columns:
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None and isinstance(column.type, JSON):
            process = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
        processors.append(process)
    return tuple(processors)


def _row(entry: AuditEntry, processors: tuple) -> tuple:
    values = [getattr(entry, name) for name in _COLUMNS]  # not asdict(): it would deep-copy every detail
    return tuple(
        value if process is None else process(value) for value, process in zip(values, processors, strict=True)
    )
