"""The served API's audit writer: every entry is durable before the caller answers, and many callers share one commit.

:class:`AuditWriter` is the :class:`~credit_engine.audit.sink.AuditSink` of a running API, in front of the audit
table's :class:`~credit_engine.audit.repository.AuditRepository`. :meth:`~AuditWriter.record` hands an entry to one
writer thread and waits until it is stored. The writer takes whatever has queued up meanwhile (lingering a
millisecond for more) and inserts it in one transaction (group commit), so sixteen concurrent assessments cost about
one commit, not sixteen. When the database cannot be reached, entries go to the spool (:mod:`api.audit_spool`)
instead — the assessment still answers and is still on record — and the spool is copied into the database by the
next successful write (or the next start, for a spool left by a process that stopped). A route on the event loop
asks for a loop-native awaitable instead (:meth:`~AuditWriter.submit_async`, awaited with
:func:`recorded_in_audit`): no thread
waits, and one group commit wakes the loop once. If neither the database nor the spool can take an entry,
:class:`~credit_engine.audit.entry.AuditUnavailable` is raised and the caller must not answer as if it were recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from api.audit_spool import AuditSpool
from credit_engine.audit.entry import AuditEntry, AuditUnavailable
from credit_engine.audit.repository import AuditRepository

log = logging.getLogger(__name__)
_STOP = object()


class AuditWriter:
    """``start()``, then ``record(entry)`` from any thread or ``submit_async(entry)`` on an event loop;
    ``close()`` drains the queue before it returns."""

    def __init__(
        self,
        repository: AuditRepository,
        spool_dir: Path,
        *,
        max_batch: int = 500,
        timeout: float = 30.0,
        linger_seconds: float = 0.001,
    ) -> None:
        self.repository = repository
        self.spool = AuditSpool(spool_dir, repository.database_tag)
        self.max_batch = max_batch
        self.timeout = timeout
        self.linger_seconds = linger_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._connection: Connection | None = None  # the writer thread's
        self._from_loops: dict[asyncio.AbstractEventLoop, list] = {}  # entries of this turn of each event loop

    def get(self, record_id: str) -> AuditEntry | None:
        return self.repository.get(record_id)

    def shares_database(self, engine: Engine) -> bool:
        return self.repository.shares_database(engine)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join(self.timeout)
            self._thread = None
        self.spool.close()

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
        """Queue one entry; the future completes when it is stored, or fails with :class:`AuditUnavailable`."""
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

    def _run(self) -> None:
        self.spool.replay(self._insert, self.max_batch)
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
                self._drop_connection(invalidate=False)
                return

    def _write(self, batch: list[tuple[AuditEntry, Any]]) -> None:
        if not batch:
            return
        try:
            self._insert([entry for entry, _ in batch], skip_existing=False)
            if self.spool.holds_entries:
                self.spool.replay(self._insert, self.max_batch)
        except SQLAlchemyError as error:
            log.warning("audit log: database unavailable (%s), spooling %d entries", type(error).__name__, len(batch))
            try:
                self.spool.append([entry for entry, _ in batch])
            except OSError:
                log.error("audit log: neither the database nor the spool took %d entries", len(batch))
                _settle([done for _, done in batch], stored=False)
                return
        _settle([done for _, done in batch], stored=True)

    def _insert(self, entries: list[AuditEntry], skip_existing: bool = True) -> None:
        """One transaction on the writer's own connection, kept between group commits (a pool checkout, ping and
        reset per commit would cost more than the insert); a connection that fails is dropped and the next group
        opens a new one."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = self.repository.engine.connect()
            try:
                self.repository.append(entries, skip_existing=skip_existing, connection=self._connection)
                return
            except SQLAlchemyError as error:
                self._drop_connection(invalidate=True)
                if attempt == 2 or not getattr(error, "connection_invalidated", False):
                    raise  # a connection that went stale while idle (a server restart) gets one fresh retry

    def _drop_connection(self, invalidate: bool) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                if invalidate:
                    connection.invalidate()
                connection.close()


async def recorded_in_audit(waiter: asyncio.Future, timeout: float) -> None:
    """Wait, without blocking the event loop, until an entry of :meth:`AuditWriter.submit_async` is stored (else
    ``AuditUnavailable``)."""
    try:
        await asyncio.wait_for(waiter, timeout)
    except AuditUnavailable:
        raise
    except Exception as error:  # a timeout: nothing is known to be on record
        raise AuditUnavailable() from error


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
