"""The database fixture: ``database_url`` is a fresh, empty database for this test session, once per backend.

SQLite always (a file in a temporary folder). PostgreSQL when ``CREDIT_ENGINE_TEST_DATABASE_URL`` names a server
(any database on it): a database of its own is created for the session (per xdist worker) and dropped afterwards,
so runs never interfere. If the variable is set but the server cannot be reached the tests fail — CI must never
skip PostgreSQL silently.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

PG_ENV = "CREDIT_ENGINE_TEST_DATABASE_URL"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    *([pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)] if os.environ.get(PG_ENV) else []),
]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of an empty database of the parametrised backend, created for this session."""
    with _empty_database(request.param, "test", tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory: pytest.TempPathFactory):
    """``with empty_database(backend, prefix) as url``: another empty database of that backend, dropped after."""
    return lambda backend, prefix: _empty_database(backend, prefix, tmp_path_factory)


@contextlib.contextmanager
def _empty_database(backend: str, prefix: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp(prefix) / f'{prefix}.db'}"
        return
    yield from _fresh_postgres_database(os.environ[PG_ENV], prefix)


def _fresh_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    server = make_url(server_url)
    name = f"ce_{prefix}_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture(scope="module", params=BACKENDS)
def desk_database(request: pytest.FixtureRequest, empty_database) -> Iterator[Engine]:
    """A database of this test module's own per backend, with the ledger's and the service tables: where the desk
    writes (ledger events and their audit entries in one transaction) and the outcomes read both."""
    from credit_engine.ledger import database as ledger_db
    from credit_engine.service_db import database as service_db

    prefix = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:24]
    with empty_database(request.param, prefix) as url:
        engine = ledger_db.make_engine(url)
        ledger_db.migrate(engine)
        service_db.migrate(engine)
        yield engine
        engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def service_url(request: pytest.FixtureRequest, empty_database) -> Iterator[str]:
    """A database of the service tables (keys, requests, audit) per backend: a database of its own, not the ledger
    suite's (that suite checks its database holds exactly the ledger's tables)."""
    with empty_database(request.param, "service") as url:
        yield url


@pytest.fixture(scope="session")
def service_engine(service_url: str) -> Iterator[Engine]:
    """An engine on :func:`service_url`, its service tables migrated."""
    from credit_engine.ledger.database import make_engine
    from credit_engine.service_db.database import migrate

    engine = make_engine(service_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def entry():
    """``entry(at=None, **changes)``: an assessment's audit entry (ID number masked) with a fresh record id."""
    import datetime as dt
    import uuid

    from credit_engine.audit.entry import AuditEntry, input_sha256

    def make(at: dt.datetime | None = None, **changes) -> AuditEntry:
        values = {
            "record_id": uuid.uuid4().hex,
            "action": "assessment",
            "recorded_at": at or dt.datetime.now(dt.UTC),
            "key_id": "k1",
            "input_sha256": input_sha256({"a": 1}),
            "outcome": "approve",
            "county_code": "140121",
            "detail": {"inputs": {"head_id_number": "1401**********123X"}},
        }
        return AuditEntry(**(values | changes))

    return make


@pytest.fixture(scope="session")
def leverage_contract() -> list[str]:
    """The first keys of every row of the JSON leverage report, in order: the contract its readers rely on
    (the report's own tests and the API's pin the same list)."""
    return [
        "fund_id",
        "county_code",
        "bank",
        "fund_balance_yuan",
        "covered_principal_yuan",
        "multiple",
        "floor_multiple",
        "cap_multiple",
        "floor_shortfall_yuan",
        "headroom_yuan",
        "npl_ratio",
        "status",
    ]


def register_small_enterprise_model(tracking_uri: str, artifacts) -> str:
    """Fit LightGBM (30 trees) on 600 generated enterprise loans, register it as ``enterprise-pd`` with the
    ``champion`` alias in ``tracking_uri`` (artifacts under the folder ``artifacts``); the version."""
    from pathlib import Path

    import mlflow
    import mlflow.sklearn
    from mlflow import MlflowClient

    from credit_engine.enterprise.validation import validate_enterprises
    from credit_engine.features import load_spec
    from models import LightGBMPD
    from training.generator_enterprise import generate_enterprises

    frame, _ = generate_enterprises(600, seed=3)
    valid = validate_enterprises(frame, require_label=True).frame
    spec = load_spec(Path(__file__).resolve().parents[1] / "credit_engine" / "specs" / "enterprise.yaml")
    model = LightGBMPD(spec=spec, n_estimators=30, random_state=3)
    model.fit(valid, valid["defaulted"].to_numpy())
    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient(tracking_uri=tracking_uri)
    if client.get_experiment_by_name("enterprise-tests") is None:
        client.create_experiment("enterprise-tests", artifact_location=Path(artifacts).as_uri())
    mlflow.set_experiment("enterprise-tests")
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name="enterprise-pd", serialization_format="cloudpickle"
        )
    version = str(info.registered_model_version)
    client.set_registered_model_alias("enterprise-pd", "champion", version)
    return version


@pytest.fixture(scope="session")
def enterprise_registrar():
    """``register(tracking_uri, artifacts_folder) -> version``: a small 强农贷 model as ``enterprise-pd@champion``."""
    return register_small_enterprise_model


@pytest.fixture(scope="session")
def enterprise_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An MLflow tracking URI whose registry holds only the small 强农贷 model (``enterprise-pd`` version 1)."""
    folder = tmp_path_factory.mktemp("enterprise-mlruns")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    register_small_enterprise_model(uri, folder / "artifacts")
    return uri
