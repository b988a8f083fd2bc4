"""What the command tests share: settings rooted in a temporary folder over a ledger and audit log of their own."""

from __future__ import annotations

import pytest

from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def home(request, monkeypatch, tmp_path, empty_database):
    """``CREDIT_ENGINE_HOME`` in a temporary folder (MLflow's store included) over a database of its own: the
    default SQLite file there, or an empty migrated PostgreSQL database (the ledger beside its audit log)."""
    for name in ("MLFLOW_TRACKING_URI", "CREDIT_ENGINE_MLFLOW_TRACKING_URI", "CREDIT_ENGINE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    if request.param == "sqlite":
        monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
        yield tmp_path
        return
    from credit_engine.ledger.database import make_engine, migrate
    from credit_engine.service_db.database import migrate as migrate_service

    command = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_").removesuffix("_command")
    with empty_database("postgresql", f"cli_{command}") as url:
        engine = make_engine(url)
        migrate(engine), migrate_service(engine)
        engine.dispose()
        monkeypatch.setenv("CREDIT_ENGINE_DATABASE_URL", url)
        yield tmp_path
