"""The Alembic migration builds exactly the tables the code declares, on both backends, and a fresh SQLite
ledger migrates itself on first use."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from credit_engine.config import load_settings
from credit_engine.ledger.database import (
    VERSION_TABLE,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    migrate,
    open_ledger,
)
from credit_engine.ledger.tables import Base


def test_the_migrated_schema_is_the_declared_one(ledger_engine):
    with ledger_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": lambda name, *_: name != VERSION_TABLE}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_the_test_database_is_at_the_head_revision(ledger_engine):
    assert current_revision(ledger_engine) == head_revision()


def test_a_fresh_sqlite_ledger_is_created_and_migrated_on_first_use(tmp_path):
    engine = open_ledger(load_settings(home=tmp_path))
    try:
        assert (current_revision(engine), (tmp_path / "data" / "ledger.db").is_file()) == (head_revision(), True)
    finally:
        engine.dispose()


def test_the_migration_downgrades_and_upgrades_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    migrate(engine)
    try:
        assert (downgrade(engine), migrate(engine)) == (None, head_revision())
    finally:
        engine.dispose()
