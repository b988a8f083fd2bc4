"""The audit table's repository: stored before ``record`` returns, inserts in a caller's transaction that commit or
roll back with it, a spool copied in twice stored once, a refusal when the table cannot take an entry, and the
export of a period in China days."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from credit_engine.audit.entry import AuditUnavailable
from credit_engine.audit.export import audit_records, export_audit, write_records
from credit_engine.audit.repository import AuditRepository
from credit_engine.audit.sink import AuditSink
from credit_engine.ledger.database import make_engine


@pytest.fixture
def repository(service_engine) -> AuditRepository:
    return AuditRepository(service_engine)


def test_the_repository_is_a_synchronous_audit_sink(repository, entry):
    made = entry()
    assert isinstance(repository, AuditSink)
    repository.record(made)
    assert repository.get(made.record_id) == made


def test_entries_inserted_in_a_callers_transaction_roll_back_with_it(repository, service_engine, entry):
    kept, dropped = entry(), entry()
    with service_engine.begin() as connection:
        AuditRepository.append_in(connection, [kept])
    with pytest.raises(RuntimeError), service_engine.begin() as connection:
        AuditRepository.append_in(connection, [dropped])
        raise RuntimeError("the ledger write failed")
    assert repository.get(kept.record_id) == kept and repository.get(dropped.record_id) is None


def test_entries_already_stored_are_skipped_when_asked(repository, entry):
    first, second = entry(), entry()
    repository.append([first])
    repository.append([first, second], skip_existing=True)
    assert repository.get(first.record_id) == first and repository.get(second.record_id) == second


def test_a_database_without_the_audit_table_refuses_to_pretend(tmp_path, entry):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(AuditUnavailable):
            AuditRepository(engine).record(entry())
    finally:
        engine.dispose()


def test_a_repository_knows_which_engines_reach_its_database(repository, service_engine, service_url, tmp_path):
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    same = make_engine(service_url)
    try:
        assert repository.shares_database(service_engine) and repository.shares_database(same)
        assert not repository.shares_database(other)
    finally:
        other.dispose()
        same.dispose()


def test_the_export_takes_whole_china_days_oldest_first(repository, service_engine, tmp_path, entry):
    china = dt.timezone(dt.timedelta(hours=8))
    inside = [
        entry(dt.datetime(2030, 3, 1, 0, 0, tzinfo=china), county_code="=cmd"),
        entry(dt.datetime(2030, 3, 2, 23, 59, tzinfo=china)),
    ]
    outside = [entry(dt.datetime(2030, 2, 28, 23, 59, tzinfo=china)), entry(dt.datetime(2030, 3, 3, tzinfo=china))]
    repository.record_many([*inside, *outside])
    found = list(audit_records(service_engine, dt.date(2030, 3, 1), dt.date(2030, 3, 2)))
    assert [e.record_id for e in found] == [e.record_id for e in inside]
    buffer = io.StringIO()
    assert write_records(iter(found), buffer, "jsonl") == 2
    assert json.loads(buffer.getvalue().splitlines()[0])["record_id"] == inside[0].record_id
    out = export_audit(service_engine, dt.date(2030, 3, 1), dt.date(2030, 3, 2), tmp_path / "audit.csv")
    text = (tmp_path / "audit.csv").read_text(encoding="utf-8-sig")
    assert out == 2 and "'=cmd" in text  # a formula-looking cell is made inert
