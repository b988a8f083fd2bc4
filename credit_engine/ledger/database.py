"""Engines for the ledger and its migrations: built by a factory from a URL or the settings, never at import.

SQLite: foreign keys on, WAL journal, a generous busy timeout, and every write transaction opened with
``BEGIN IMMEDIATE`` so writers are serialised and a disbursement's headroom check cannot race another writer
(read-only units of work use a plain deferred ``BEGIN``). An engine made with ``background_checkpoints`` leaves
copying the write-ahead log into the database file to a :class:`~credit_engine.ledger.wal.WalCheckpointer`
thread, so no commit of its own waits for that copy and its fsync (the commit that crosses SQLite's 1,000-page
mark would otherwise do it); past :data:`BACKSTOP_CHECKPOINT_PAGES` a commit still does it itself.
PostgreSQL: plain READ COMMITTED; writers serialise per fund on a ``SELECT ... FOR UPDATE`` of the fund's book.
:func:`open_ledger` creates the SQLite folder when first used and upgrades a SQLite file to the head revision
automatically; a PostgreSQL database must be migrated with ``credit-engine ledger migrate`` (:func:`migrate`). The
Alembic plumbing is :mod:`credit_engine.dbschema`'s, with the ledger's own migrations folder and version table,
``ledger_alembic_version``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from credit_engine.dbschema import VersionedSchema
from credit_engine.ledger.errors import LedgerNotMigrated

READ_ONLY = "ledger_read_only"
MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "ledger_alembic_version"
BACKSTOP_CHECKPOINT_PAGES = 10_000  # 40 MB of log: a commit checkpoints only if the background thread fell behind


def _sqlite_events(engine: Engine, background_checkpoints: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        if background_checkpoints:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = "DEFERRED" if connection.get_execution_options().get(READ_ONLY) else "IMMEDIATE"
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, *, background_checkpoints: bool = False, **options: Any) -> Engine:
    """An engine for ``url`` with the ledger's transaction discipline (see the module docstring);
    ``background_checkpoints`` (SQLite) only with a running :class:`~credit_engine.ledger.wal.WalCheckpointer`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect_args = {"timeout": 60, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **options)
        _sqlite_events(engine, background_checkpoints)
        return engine
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    options.setdefault("pool_recycle", 3600)
    return create_engine(url, **options)


SCHEMA = VersionedSchema(MIGRATIONS, VERSION_TABLE, LedgerNotMigrated)
head_revision = SCHEMA.head_revision
current_revision = SCHEMA.current_revision
migrate = SCHEMA.migrate  # (engine, revision="head") -> the revision the database is at afterwards
downgrade = SCHEMA.downgrade  # (engine, revision="base"): base drops the ledger's tables, all its data
ensure_migrated = SCHEMA.ensure_migrated  # upgrades SQLite; raises LedgerNotMigrated on PostgreSQL behind head


def engine_for_settings(settings: Any, **options: Any) -> Engine:
    """An engine on ``settings.database_url``; creates the folder of a SQLite file when first used."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.database_url, **options)


def open_ledger(settings: Any) -> Engine:
    """The ledger engine of the settings, migrated (SQLite) or checked to be at head (PostgreSQL)."""
    engine = engine_for_settings(settings)
    ensure_migrated(engine)
    return engine
