"""A database of the service tables (keys, requests, audit) per backend: SQLite always, PostgreSQL when
``CREDIT_ENGINE_TEST_DATABASE_URL`` is set. A database of its own, not the ledger suite's: that suite checks its
database holds exactly the ledger's tables."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from credit_engine.ledger.database import make_engine
from credit_engine.service_db.database import migrate

PG_ENV = "CREDIT_ENGINE_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    *([pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)] if os.environ.get(PG_ENV) else []),
]


@pytest.fixture(scope="session", params=BACKENDS)
def service_url(request: pytest.FixtureRequest, empty_database) -> Iterator[str]:
    with empty_database(request.param, "service") as url:
        yield url


@pytest.fixture(scope="session")
def service_engine(service_url: str) -> Iterator[Engine]:
    engine = make_engine(service_url)
    migrate(engine)
    yield engine
    engine.dispose()
