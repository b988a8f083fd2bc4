"""Alembic environment of the service tables (keys, idempotent requests, audit): runs on the connection handed over
in ``config.attributes["connection"]`` (:func:`credit_engine.service_db.database.migrate`) or on
``sqlalchemy.url``, with its own version table, ``service_alembic_version``, beside the ledger's.
"""

from __future__ import annotations

from credit_engine.dbschema import run_migrations
from credit_engine.service_db.database import VERSION_TABLE, metadata

run_migrations(metadata(), VERSION_TABLE)
