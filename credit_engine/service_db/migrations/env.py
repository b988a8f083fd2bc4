"""Alembic environment of the service tables (keys, idempotent requests, audit): runs on the connection handed over
in ``config.attributes["connection"]`` (:func:`credit_engine.service_db.database.migrate`) or on
``sqlalchemy.url``, with its own version table, ``service_alembic_version``, beside the ledger's.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from credit_engine.service_db.database import VERSION_TABLE, metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata(),
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
