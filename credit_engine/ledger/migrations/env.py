"""Alembic environment of the ledger: runs on the connection handed over in ``config.attributes["connection"]``
(see :func:`credit_engine.ledger.database.migrate`) or on ``sqlalchemy.url``. The ledger keeps its own version
table, ``ledger_alembic_version``, so other parts of the engine may migrate the same database independently.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from credit_engine.ledger.tables import Base

VERSION_TABLE = "ledger_alembic_version"


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
