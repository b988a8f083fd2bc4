"""What keeps a serving worker's latency tail short (issue 9): start-up's heap frozen out of the collector's full
passes, and SQLite checkpoints on a thread of their own instead of inside the audit writer's commits.

Behaviour only — the timings are in bench/api_assessment.py (``--load wrk``).
"""

from __future__ import annotations

import gc
import time

import pytest
from fastapi.testclient import TestClient

from api.app import serve_app
from credit_engine.ledger.database import BACKSTOP_CHECKPOINT_PAGES

HEAP_MODEL = "household-pd-heap"


def _frozen(obj: object) -> bool:
    """Tracked by the collector but in none of its generations: in the permanent one (gc.freeze)."""
    return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())


@pytest.fixture
def served_from_environment(tmp_path, monkeypatch, mlflow_store, trainer):
    """``serve_app()`` as ``credit-engine serve`` runs it, configured by the environment, with its own model."""
    uri, artifacts = mlflow_store
    trainer(uri, artifacts, model_name=HEAP_MODEL, seed=3, n_estimators=20)
    environment = {
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'engine.db'}",
        "MLFLOW_TRACKING_URI": uri,
        "MODEL_NAME": HEAP_MODEL,
        "PSEUDONYM_SECRET": "test-pseudonym-secret",
    }
    for name, value in environment.items():
        monkeypatch.setenv(f"CREDIT_ENGINE_{name}", value)
    return uri, artifacts


def test_a_served_worker_freezes_what_start_up_loaded_and_gives_it_back_when_it_stops(served_from_environment):
    assert gc.get_freeze_count() == 0
    with TestClient(serve_app()) as client:
        services = client.app.state.services
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 10_000
        assert _frozen(services) and _frozen(services.champion.current)
    assert gc.get_freeze_count() == 0


def test_a_reloaded_champion_is_frozen_too(served_from_environment, trainer):
    uri, artifacts = served_from_environment
    with TestClient(serve_app()) as client:
        services = client.app.state.services
        trainer(uri, artifacts, model_name=HEAP_MODEL, seed=4, n_estimators=20)  # a new champion version
        outcome = services.reload_champion()
        assert outcome.changed
        assert _frozen(services.champion.current)


def test_the_api_leaves_sqlite_checkpoints_to_its_checkpointer_thread(api, api_application):
    services = api.services
    with services.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == BACKSTOP_CHECKPOINT_PAGES
    assert services.checkpoints._thread is not None and services.checkpoints._thread.is_alive()
    before = services.checkpoints.checkpoints
    deadline = time.monotonic() + 30
    while services.checkpoints.checkpoints == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.checkpoints.checkpoints > before
