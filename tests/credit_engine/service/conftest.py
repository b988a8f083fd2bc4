"""A database of the service tables (keys, requests, audit) per backend: SQLite always, PostgreSQL when
``CREDIT_ENGINE_TEST_DATABASE_URL`` is set. A database of its own, not the ledger suite's: that suite checks its
database holds exactly the ledger's tables."""

from __future__ import annotations

import os
import uuid
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
def service_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('service') / 'service.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    server = make_url(os.environ[PG_ENV])
    name = f"ce_service_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.fail(f"{PG_ENV} is set but PostgreSQL is unreachable: {error}", pytrace=False)
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def service_engine(service_url: str) -> Iterator[Engine]:
    engine = make_engine(service_url)
    migrate(engine)
    yield engine
    engine.dispose()
