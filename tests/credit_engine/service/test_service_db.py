"""The service tables' migration builds exactly the declared tables on both backends; the audit log is append-only."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DBAPIError

from credit_engine.audit.tables import AuditRow
from credit_engine.ledger.database import make_engine
from credit_engine.service_db.database import (
    VERSION_TABLE,
    current_revision,
    downgrade,
    ensure_migrated,
    head_revision,
    metadata,
    migrate,
)


def test_the_migrated_schema_is_the_declared_one(service_engine):
    with service_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": lambda name, *_: name != VERSION_TABLE}
        )
        assert compare_metadata(context, metadata()) == []
    assert current_revision(service_engine) == head_revision()


def test_audit_records_can_be_added_but_never_changed_or_deleted(service_engine):
    row = {"record_id": f"r-{dt.datetime.now().timestamp()}", "action": "assessment", "key_id": "k", "outcome": "x"}
    row |= {"recorded_at": dt.datetime.now(dt.UTC), "input_sha256": "0" * 64, "detail": {}}
    with service_engine.begin() as connection:
        connection.execute(insert(AuditRow), row)
    for statement in (update(AuditRow).values(outcome="changed"), delete(AuditRow)):
        with pytest.raises(DBAPIError), service_engine.begin() as connection:
            connection.execute(statement.where(AuditRow.record_id == row["record_id"]))


def test_the_migration_downgrades_upgrades_and_migrates_a_fresh_sqlite_file_on_first_use(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        ensure_migrated(engine)
        assert current_revision(engine) == head_revision()
        assert (downgrade(engine), migrate(engine)) == (None, head_revision())
    finally:
        engine.dispose()
