"""Alembic environment of the ledger: runs on the connection handed over in ``config.attributes["connection"]``
(see :func:`credit_engine.ledger.database.migrate`) or on ``sqlalchemy.url``. The ledger keeps its own version
table, ``ledger_alembic_version``, so other parts of the engine may migrate the same database independently.
"""

from __future__ import annotations

from credit_engine.dbschema import run_migrations
from credit_engine.ledger.database import VERSION_TABLE
from credit_engine.ledger.tables import Base

run_migrations(Base.metadata, VERSION_TABLE)
