"""Migrating the service tables (keys, idempotent requests, audit log) in the ledger's database.

The same discipline as the ledger (:mod:`credit_engine.ledger.database`): a SQLite database is upgraded to the head
revision automatically when first used; a PostgreSQL database must be migrated deliberately (``credit-engine
migrate``), and a service started on an older schema refuses to run. On PostgreSQL the upgrade holds an advisory
lock, so several processes starting at once migrate one at a time. The Alembic plumbing is
:mod:`credit_engine.dbschema`'s, with this schema's own migrations folder and version table.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData

from credit_engine.dbschema import VersionedSchema
from credit_engine.errors import BilingualError

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "service_alembic_version"
_PG_LOCK = 0x5E41C3  # advisory lock id of service migrations


class ServiceDbNotMigrated(BilingualError):
    code = "service_db_not_migrated"

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the service tables are at revision {current}, not {head}: run `credit-engine migrate`",
            f"服务数据表版本为 {current}，不是最新 {head}：请运行 `credit-engine migrate`",
        )


def metadata() -> MetaData:
    """The metadata of every service table (importing their modules registers them)."""
    from credit_engine.access import tables as access_tables
    from credit_engine.alerts import tables as alert_tables
    from credit_engine.audit import tables as audit_tables
    from credit_engine.workspace import tables as workspace_tables

    assert access_tables.ApiKeyRow.metadata is audit_tables.AuditRow.metadata is alert_tables.ChangeRow.metadata
    assert workspace_tables.WebSessionRow.metadata is audit_tables.AuditRow.metadata
    return audit_tables.AuditRow.metadata


SCHEMA = VersionedSchema(MIGRATIONS, VERSION_TABLE, ServiceDbNotMigrated, advisory_lock=_PG_LOCK)
head_revision = SCHEMA.head_revision
current_revision = SCHEMA.current_revision
migrate = SCHEMA.migrate  # (engine, revision="head"), under the advisory lock on PostgreSQL
downgrade = SCHEMA.downgrade  # (engine, revision="base"): base drops the keys and the audit log
ensure_migrated = SCHEMA.ensure_migrated  # upgrades SQLite; raises ServiceDbNotMigrated on PostgreSQL behind head
