"""Migrating the service tables (keys, idempotent requests, audit log) in the ledger's database.

The same discipline as the ledger (:mod:`credit_engine.ledger.database`): a SQLite database is upgraded to the head
revision automatically when first used; a PostgreSQL database must be migrated deliberately (``credit-engine
migrate``), and a service started on an older schema refuses to run. On PostgreSQL the upgrade holds an advisory
lock, so several processes starting at once migrate one at a time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, inspect, text

from credit_engine.errors import CreditEngineError

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "service_alembic_version"
_PG_LOCK = 0x5E41C3  # advisory lock id of service migrations


class ServiceDbNotMigrated(CreditEngineError):
    code = "service_db_not_migrated"

    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"the service tables are at revision {current}, not {head}: run `credit-engine migrate` / "
            f"服务数据表版本为 {current}，不是最新 {head}：请运行 `credit-engine migrate`"
        )


def metadata() -> MetaData:
    """The metadata of every service table (importing their modules registers them)."""
    from credit_engine.access import tables as access_tables
    from credit_engine.audit import tables as audit_tables

    assert access_tables.ApiKeyRow.metadata is audit_tables.AuditRow.metadata
    return audit_tables.AuditRow.metadata


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://"))).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the service tables to ``revision``; returns the revision the database is at afterwards."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str = "base") -> str | None:
    """Downgrade the service tables to ``revision`` (``base`` drops them: keys and the audit log with them)."""
    from alembic import command

    config = _alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
    return current_revision(engine)


def ensure_migrated(engine: Engine) -> None:
    """Upgrade SQLite automatically; refuse a PostgreSQL database whose service tables are not at head."""
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return
    if engine.dialect.name == "sqlite":
        migrate(engine)
        return
    raise ServiceDbNotMigrated(current, head)
