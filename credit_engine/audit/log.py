"""Writing the audit log: every entry is durable before the caller answers, and many callers share one commit.

:meth:`AuditLog.record` hands an :class:`AuditEntry` to one writer thread and waits until it is stored. The writer
takes whatever has queued up meanwhile (lingering a millisecond for more) and inserts it in one transaction (group
commit), so sixteen concurrent assessments cost about one commit, not sixteen. When the database cannot be
reached, entries go to a spool file (JSON lines, fsynced) in the data folder instead — the assessment still answers
and is still on record — and the spool is copied into the database by the next successful write (or the next
start, for a spool left by a process that stopped). A spool file names its database (``audit-spool-<tag>-<pid>``,
:func:`~credit_engine.service_db.identity.database_tag`) and is drained only into that one. A ledger write whose
database is the audit log's does not go through the writer at all: :meth:`AuditLog.insert_in` adds its entry in
the write's own transaction, so the two commit or vanish together. If neither the database nor the spool can take
an entry, :class:`AuditUnavailable` is raised and the caller must not answer as if the decision was recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import functools
import hashlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import JSON, Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from credit_engine.audit.tables import AuditRow
from credit_engine.errors import CreditEngineError
from credit_engine.service_db.identity import database_tag

log = logging.getLogger(__name__)
_STOP = object()


class AuditUnavailable(CreditEngineError):
    code = "audit_unavailable"
    message_en = "the audit log cannot be written; nothing was decided or recorded"
    message_zh = "审计日志无法写入，本次请求未处理"

    def __init__(self) -> None:
        super().__init__(f"{self.message_en} / {self.message_zh}")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One audited action; ``detail`` must be plain JSON values."""

    record_id: str
    action: str
    recorded_at: dt.datetime
    key_id: str
    input_sha256: str
    outcome: str
    county_code: str | None = None
    fund_id: str | None = None
    resource_id: str | None = None
    model_version: str | None = None
    policy_version: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return asdict(self) | {"detail": dict(self.detail)}

    def as_json(self) -> dict[str, Any]:
        return self.as_row() | {"recorded_at": self.recorded_at.isoformat()}

    @classmethod
    def from_json(cls, values: Mapping[str, Any]) -> AuditEntry:
        return cls(**(dict(values) | {"recorded_at": dt.datetime.fromisoformat(values["recorded_at"])}))


def canonical_json(payload: Any) -> str:
    """Sorted keys, no blanks, UTF-8 text, dates as ISO strings: the text an input hash is taken over."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def input_sha256(payload: Any) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


_COLUMNS = tuple(column.name for column in AuditRow.__table__.columns)
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_sql(paramstyle: str) -> str:
    """A plain ``INSERT … VALUES`` for the driver's executemany: a group commit of hundreds of entries must not
    spend its time compiling and type-processing them one by one (values are prepared by :func:`_row`)."""
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


def entry_from_row(row: Any) -> AuditEntry:
    return AuditEntry(**{name: getattr(row, name) for name in AuditEntry.__dataclass_fields__})


class AuditLog:
    """``start()``, then ``record(entry)`` from any thread; ``close()`` drains the queue before it returns."""

    def __init__(
        self,
        engine: Engine,
        spool_dir: Path,
        *,
        max_batch: int = 500,
        timeout: float = 30.0,
        linger_seconds: float = 0.001,
    ) -> None:
        self.engine = engine
        self.spool_dir = Path(spool_dir)
        self.max_batch = max_batch
        self.timeout = timeout
        self.linger_seconds = linger_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._spool: TextIO | None = None
        self._connection: Connection | None = None  # the writer thread's
        self._from_loops: dict[asyncio.AbstractEventLoop, list] = {}  # entries of this turn of each event loop

    @property
    def spool_path(self) -> Path:
        return self.spool_dir / f"{self._spool_prefix}{os.getpid()}.jsonl"

    @functools.cached_property
    def _spool_prefix(self) -> str:
        return f"audit-spool-{database_tag(self.engine)}-"

    def shares_database(self, engine: Engine) -> bool:
        """Whether ``engine`` reaches this log's database (then a write there can carry its entry itself)."""
        return engine is self.engine or database_tag(engine) == database_tag(self.engine)

    @staticmethod
    def insert_in(connection: Connection, entries: Iterable[AuditEntry]) -> None:
        """Insert entries in the caller's transaction on ``connection`` (it commits or rolls back with them)."""
        rows = list(entries)
        if rows:
            dialect = connection.dialect
            processors = _bind_processors(dialect)
            connection.exec_driver_sql(_insert_sql(dialect.paramstyle), [_row(e, processors) for e in rows])

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(self.timeout)
            self._thread = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def record(self, entry: AuditEntry) -> None:
        """Store one entry (database or spool) before returning; raises :class:`AuditUnavailable` otherwise."""
        self.record_many([entry])

    def record_many(self, entries: Iterable[AuditEntry]) -> None:
        futures = [self.submit(entry) for entry in entries]
        for future in futures:
            try:
                future.result(self.timeout)
            except Exception as error:  # the writer's failure or a timeout: either way nothing is on record
                raise AuditUnavailable() from error

    def submit(self, entry: AuditEntry) -> Future:
        """Queue one entry; the future completes when it is stored, or fails with :class:`AuditUnavailable`
        (for callers that wait without blocking a thread, e.g. an event loop)."""
        if self._thread is None:
            raise AuditUnavailable()
        future: Future = Future()
        self._queue.put((entry, future))
        return future

    def submit_async(self, entry: AuditEntry) -> asyncio.Future:
        """Queue one entry from a running event loop; the returned asyncio future completes (on that loop) when
        it is stored, or fails with :class:`AuditUnavailable`. The writer settles all the futures of one group
        commit with one wake-up of the loop, not one per entry; and the entries submitted in one turn of the loop
        reach the writer together (one hand-over to its thread, not one per entry)."""
        if self._thread is None:
            raise AuditUnavailable()
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        pending = self._from_loops.get(loop)
        if pending is None:
            pending = self._from_loops[loop] = []
            loop.call_soon(self._hand_over, loop)
        pending.append((entry, (loop, waiter)))
        return waiter

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue.put(self._from_loops.pop(loop))

    def get(self, record_id: str) -> AuditEntry | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(AuditRow).where(AuditRow.record_id == record_id)).first()
        return None if row is None else entry_from_row(row)

    def _run(self) -> None:
        self._replay_spools(include_own=True)
        while True:
            batch = _items(self._queue.get())
            until = time.monotonic() + self.linger_seconds  # a moment for more callers: one commit for them all
            while len(batch) < self.max_batch:
                try:
                    batch += _items(self._queue.get(timeout=max(until - time.monotonic(), 0.0)))
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in batch)
            self._write([item for item in batch if item is not _STOP])
            if stop:
                if self._connection is not None:
                    with contextlib.suppress(SQLAlchemyError):
                        self._connection.close()
                    self._connection = None
                return

    def _write(self, batch: list[tuple[AuditEntry, Any]]) -> None:
        if not batch:
            return
        try:
            self._insert([entry for entry, _ in batch])
            if self._spool is not None:
                self._replay_spools(include_own=True)
        except SQLAlchemyError as error:
            log.warning("audit log: database unavailable (%s), spooling %d entries", type(error).__name__, len(batch))
            try:
                self._append_to_spool([entry for entry, _ in batch])
            except OSError:
                log.error("audit log: neither the database nor the spool took %d entries", len(batch))
                _settle([done for _, done in batch], stored=False)
                return
        _settle([done for _, done in batch], stored=True)

    def _insert(self, entries: list[AuditEntry], skip_existing: bool = False) -> None:
        """One transaction on the writer's own connection, kept between group commits (a pool checkout, ping and
        reset per commit would cost more than the insert); a connection that fails is dropped and the next group
        opens a new one."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = self.engine.connect()
            connection = self._connection
            try:
                self._insert_on(connection, entries, skip_existing)
                return
            except SQLAlchemyError as error:
                self._drop_connection()
                if attempt == 2 or not getattr(error, "connection_invalidated", False):
                    raise  # a connection that went stale while idle (a server restart) gets one fresh retry

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                connection.invalidate()
                connection.close()

    @staticmethod
    def _insert_on(connection: Connection, entries: list[AuditEntry], skip_existing: bool) -> None:
        with connection.begin():
            if skip_existing:
                ids = [e.record_id for e in entries]
                known = set(connection.scalars(select(AuditRow.record_id).where(AuditRow.record_id.in_(ids))))
                entries = [e for e in entries if e.record_id not in known]
            AuditLog.insert_in(connection, entries)

    def _append_to_spool(self, entries: list[AuditEntry]) -> None:
        if self._spool is None:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
            self._spool = self.spool_path.open("a", encoding="utf-8")
            fcntl.flock(self._spool, fcntl.LOCK_EX)  # held while this process lives: others leave it alone
        self._spool.writelines(json.dumps(e.as_json(), ensure_ascii=False) + "\n" for e in entries)
        self._spool.flush()
        os.fsync(self._spool.fileno())

    def _replay_spools(self, include_own: bool) -> None:
        """Copy spooled entries into the database: this process's spool, and any left by a stopped process — only
        spools of this database (another database's spool waits for a process of that database)."""
        if not self.spool_dir.is_dir():
            return
        for path in sorted(self.spool_dir.glob(f"{self._spool_prefix}*.jsonl")):
            own = path == self.spool_path
            if own and not include_own:
                continue
            with contextlib.suppress(SQLAlchemyError, OSError):
                self._replay(path, own)

    def _replay(self, path: Path, own: bool) -> None:
        with path.open("r+", encoding="utf-8") as handle:
            if not own:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return  # a live process still spools there
            entries = [AuditEntry.from_json(json.loads(line)) for line in handle if line.strip()]
            for start in range(0, len(entries), self.max_batch):
                self._insert(entries[start : start + self.max_batch], skip_existing=True)
        if own and self._spool is not None:
            self._spool.close()
            self._spool = None
        path.unlink()
        log.info("audit log: %d spooled entries copied from %s", len(entries), path.name)


def _settle(waiters: list[Any], stored: bool) -> None:
    """Complete the callers' futures: thread futures at once, each event loop's futures in one call on that loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future]] = {}
    for waiter in waiters:
        if isinstance(waiter, Future):
            waiter.set_result(None) if stored else waiter.set_exception(AuditUnavailable())
        else:
            by_loop.setdefault(waiter[0], []).append(waiter[1])
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits for these any more
            loop.call_soon_threadsafe(_settle_on_loop, futures, stored)


def _settle_on_loop(futures: list[asyncio.Future], stored: bool) -> None:
    for future in futures:
        if not future.done():  # a caller that timed out has cancelled its future
            future.set_result(None) if stored else future.set_exception(AuditUnavailable())


def _items(got: Any) -> list:
    """What one queue item holds: an entry (with its waiter), a list of them from an event loop, or the stop mark."""
    return got if isinstance(got, list) else [got]
