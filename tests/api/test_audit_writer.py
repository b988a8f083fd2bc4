"""The API's audit writer: durable before the caller goes on, one commit for many callers (from threads or from an
event loop's turn), a spool while the database is down."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy import event

from api.audit_writer import AuditWriter, recorded_in_audit
from credit_engine.audit.entry import AuditUnavailable
from credit_engine.audit.repository import AuditRepository
from credit_engine.audit.sink import AuditSink
from credit_engine.ledger.database import make_engine
from credit_engine.service_db.database import migrate


@pytest.fixture
def audit(service_engine, tmp_path):
    log = AuditWriter(AuditRepository(service_engine), tmp_path)
    log.start()
    yield log
    log.close()


def test_the_writer_is_an_audit_sink(audit):
    assert isinstance(audit, AuditSink)


def test_an_entry_is_stored_before_record_returns(audit, entry):
    made = entry()
    audit.record(made)
    assert audit.get(made.record_id) == made


def test_many_concurrent_callers_share_commits_and_all_are_stored(audit, service_engine, entry):
    commits = []

    def counted(connection):
        commits.append(1)
        time.sleep(0.02)  # a slow disk: callers queue up meanwhile

    event.listen(service_engine, "commit", counted)
    made = [entry() for _ in range(64)]
    threads = [threading.Thread(target=audit.record, args=(e,)) for e in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    event.remove(service_engine, "commit", counted)
    assert all(audit.get(e.record_id) is not None for e in made)
    assert len(commits) < len(made)


def test_while_the_database_is_down_entries_are_spooled_and_copied_in_later(tmp_path, entry):
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    migrate(engine)
    down = {"now": True}

    def refuse(*args, **kwargs):
        if down["now"]:
            raise sqlite3.OperationalError("unreachable")

    log = AuditWriter(AuditRepository(engine), tmp_path / "spool")
    log.start()
    try:
        before = entry()
        log.record(before)  # the writer now holds a connection: the outage must break it, not just new ones
        event.listen(engine, "do_connect", refuse)
        log._connection.connection.dbapi_connection.close()
        engine.pool.dispose()
        spooled = entry()
        log.record(spooled)  # answered: it is in the spool
        assert spooled.record_id in log.spool.path.read_text()
        down["now"] = False
        later = entry()
        log.record(later)
        assert log.get(spooled.record_id) == spooled and log.get(later.record_id) == later
        assert not log.spool.path.exists()
    finally:
        log.close()
        engine.dispose()


def test_a_connection_that_went_stale_while_idle_is_replaced_without_spooling(audit, entry):
    audit.record(entry())
    audit._connection.connection.dbapi_connection.close()  # e.g. the server restarted meanwhile
    made = entry()
    audit.record(made)
    assert audit.get(made.record_id) == made
    assert not audit.spool.path.exists()


def test_entries_from_one_turn_of_an_event_loop_reach_the_writer_together_and_all_are_stored(
    audit, service_engine, entry
):
    commits = []

    def counted(connection):
        commits.append(1)

    event.listen(service_engine, "commit", counted)
    made = [entry() for _ in range(20)]

    async def officers_at_the_counter():
        waiters = [audit.submit_async(e) for e in made]  # one turn of the loop: one hand-over
        await asyncio.gather(*(recorded_in_audit(w, 30) for w in waiters))

    asyncio.run(officers_at_the_counter())
    event.remove(service_engine, "commit", counted)
    assert all(audit.get(e.record_id) == e for e in made)
    assert len(commits) == 1


def test_a_log_that_is_not_running_refuses_to_pretend(service_engine, tmp_path, entry):
    with pytest.raises(AuditUnavailable):
        AuditWriter(AuditRepository(service_engine), tmp_path).record(entry())


def test_an_entry_the_database_cannot_take_fails_its_awaitable(tmp_path, entry):
    engine = make_engine(f"sqlite:///{tmp_path / 'no-audit-table.db'}")
    log = AuditWriter(AuditRepository(engine), tmp_path / "spool")
    (tmp_path / "spool").write_text("a file where the spool folder should be")
    log.start()

    async def at_the_counter():
        await recorded_in_audit(log.submit_async(entry()), 30)

    try:
        with pytest.raises(AuditUnavailable):
            asyncio.run(at_the_counter())
    finally:
        log.close()
        engine.dispose()
