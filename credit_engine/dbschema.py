"""Alembic plumbing shared by the schemas that live in the ledger's database: the ledger and the service tables.

Each schema keeps its own migrations folder and its own version table, so they migrate independently; a
:class:`VersionedSchema` names both and gives the schema's ``head_revision``, ``current_revision``, ``migrate``,
``downgrade`` and ``ensure_migrated`` (a SQLite database is upgraded automatically; a PostgreSQL one that is not
at head is refused with the schema's own error). :func:`run_migrations` is the body of each schema's Alembic
``env.py``. Alembic is imported when used, never at import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, inspect, pool, text

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""How constraints and indexes are named in every schema of the database (the migrations name them the same)."""


@dataclass(frozen=True, slots=True)
class VersionedSchema:
    """A schema migrated by Alembic from ``migrations`` with its revision kept in ``version_table``.

    ``not_migrated(current, head)`` builds the error that refuses a PostgreSQL database behind head;
    ``advisory_lock``, when given, is held on PostgreSQL while upgrading, so processes starting at once migrate one
    at a time.
    """

    migrations: Path
    version_table: str
    not_migrated: Callable[[str | None, str], Exception]
    advisory_lock: int | None = None

    def alembic_config(self, engine: Engine) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.migrations))
        url = engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser reads % as interpolation
        return config

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self.alembic_config(create_engine("sqlite://"))).get_current_head()
        assert head is not None
        return head

    def current_revision(self, engine: Engine) -> str | None:
        from alembic.migration import MigrationContext

        with engine.connect() as connection:
            if not inspect(connection).has_table(self.version_table):
                return None
            context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
            return context.get_current_revision()

    def migrate(self, engine: Engine, revision: str = "head") -> str | None:
        """Upgrade to ``revision``; returns the revision the database is at afterwards."""
        return self._run("upgrade", engine, revision)

    def downgrade(self, engine: Engine, revision: str = "base") -> str | None:
        """Downgrade to ``revision`` (``base`` drops the schema's tables: all their data)."""
        return self._run("downgrade", engine, revision)

    def _run(self, direction: str, engine: Engine, revision: str) -> str | None:
        from alembic import command

        config = self.alembic_config(engine)
        with engine.begin() as connection:
            if direction == "upgrade" and self.advisory_lock is not None and connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": self.advisory_lock})
            config.attributes["connection"] = connection
            getattr(command, direction)(config, revision)
        return self.current_revision(engine)

    def ensure_migrated(self, engine: Engine) -> None:
        """Upgrade SQLite automatically; refuse a PostgreSQL database that is not at head."""
        head = self.head_revision()
        current = self.current_revision(engine)
        if current == head:
            return
        if engine.dialect.name == "sqlite":
            self.migrate(engine)
            return
        raise self.not_migrated(current, head)


def run_migrations(metadata: MetaData, version_table: str) -> None:
    """The body of a schema's Alembic ``env.py``: run on the connection handed over in
    ``config.attributes["connection"]`` (:meth:`VersionedSchema.migrate`), else on ``sqlalchemy.url``; offline mode
    renders SQL with literal values."""
    from alembic import context

    def run(connection: Any) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            version_table=version_table,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    elif config.attributes.get("connection") is not None:
        run(config.attributes["connection"])
    else:
        engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
        with engine.connect() as connection:
            run(connection)
