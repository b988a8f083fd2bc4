"""Operations: health, readiness, metrics, OpenAPI, the champion's reload (also under load), and a database outage."""

from __future__ import annotations

import contextlib
import sqlite3
import threading

import pytest
from sqlalchemy import event

pytestmark = pytest.mark.xdist_group("test_api_operations")  # one worker: the module shares its app and database


def test_healthz_and_readyz(api):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() | {"fund_headroom_fresh": True} == {
        "ready": True,
        "model_loaded": True,
        "database": True,
        "model_version": "household-pd/1",
        "fund_headroom_fresh": True,
        "enterprise_model_version": "enterprise-pd/1",
    }


def test_metrics_count_requests_by_route_decisions_and_the_model(api):
    api.post(api.keys.officer, "/v1/fumin/assessments", api.application())
    text = api.client.get("/metrics").text
    assert 'credit_engine_http_requests_total{method="POST",route="/v1/fumin/assessments",status="200"}' in text
    assert "credit_engine_http_request_duration_seconds_bucket" in text
    assert "credit_engine_assessments_total{decision=" in text
    assert 'credit_engine_model_info{version="household-pd/1"} 1.0' in text


def test_every_response_names_its_request_id(api):
    assert len(api.client.get("/healthz").headers["x-request-id"]) == 16


def test_the_openapi_document_covers_every_route_with_errors_and_examples(api):
    document = api.client.get("/openapi.json").json()
    assert "FuminApplication" in document["components"]["schemas"]
    assert document["components"]["schemas"]["FuminApplication"]["example"]["head_age"] == 43
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path.startswith("/v1/"):
                assert {"401", "403"} <= set(responses), (method, path)
                assert responses["401"]["content"]["application/json"]["example"]["error"] == "Unauthorized"
            if method == "post" and path.startswith("/v1/") and "models" not in path and "assessments" not in path:
                names = [p["name"] for p in operation.get("parameters", [])]
                assert "Idempotency-Key" in names, path
    security = document["components"]["securitySchemes"]["ApiKey"]
    assert security == security | {"type": "http", "scheme": "bearer"}


def test_unknown_routes_and_methods_answer_in_the_error_shape(api):
    assert api.client.get("/v1/nothing").json()["error"] == "NotFound"
    assert api.client.delete("/healthz").json()["error"] == "MethodNotAllowed"


def test_the_champion_is_read_by_model_and_audit_keys_only(api):
    assert api.get(api.keys.model_admin, "/v1/models/champion").json()["model_version"] == "household-pd/1"
    assert api.get(api.keys.officer, "/v1/models/champion").status_code == 403
    assert api.post(api.keys.officer, "/v1/models/reload").status_code == 403


@contextlib.contextmanager
def database_outage(engine):
    """The database stops answering: every new connection fails, pooled ones are dropped, and a statement on a
    connection that is held open (the audit writer keeps one) fails too."""
    down = {"now": True}

    def refuse(*args, **kwargs):
        if down["now"]:
            raise sqlite3.OperationalError("database is unreachable (test outage)")

    event.listen(engine, "do_connect", refuse)
    event.listen(engine, "before_cursor_execute", refuse)
    engine.pool.dispose()
    try:
        yield
    finally:
        down["now"] = False
        event.remove(engine, "do_connect", refuse)
        event.remove(engine, "before_cursor_execute", refuse)


def test_with_the_database_down_assessments_answer_and_ledger_writes_are_503(api, tmp_path):
    services = api.services
    api.open_fund("F-OUTAGE")
    stale = services.fund_headrooms.stale_after_seconds
    with database_outage(services.engine):
        services.fund_headrooms.stale_after_seconds = 0.0
        response = api.post(api.keys.officer, "/v1/fumin/assessments", api.application())
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["fund"]["status"] == "unknown" and body["fund"]["headroom_yuan"] is None
        assert body["decision"] in ("refer", "decline")
        loan = {"fund_id": "F-OUTAGE", "loan_id": "O-1", "product": "fumin", "borrower_ref": "hh-o"}
        loan |= {"amount_yuan": 1000, "value_date": "2025-02-01", "maturity_date": "2026-02-01"}
        refused = api.post(api.keys.officer, "/v1/loans", loan, key="outage-1")
        assert refused.status_code == 503 and refused.json()["error"] == "DatabaseUnavailable"
        assert "sqlite" not in refused.text.lower() and "Traceback" not in refused.text
        assert api.client.get("/readyz").status_code == 503
        spooled = list(services.settings.data_dir.glob("audit-spool-*.jsonl"))
        assert spooled and body["assessment_id"] in spooled[0].read_text()
    services.fund_headrooms.stale_after_seconds = stale
    services.fund_headrooms.refresh()
    after = api.post(api.keys.officer, "/v1/fumin/assessments", api.application())  # the next write replays the spool
    assert after.status_code == 200
    assert services.audit.get(body["assessment_id"]) is not None
    assert not list(services.settings.data_dir.glob("audit-spool-*.jsonl"))
    assert api.post(api.keys.officer, "/v1/loans", loan, key="outage-1").status_code == 201  # nothing half-written


# ------------------------------------------------------------------------------------------------------ reloads
RELOAD_MODEL = "household-pd-reload"


@pytest.fixture(scope="module")
def reloadable(tmp_path_factory, mlflow_store, trainer, settings_factory, api_for):
    """An app serving its own registered model (promoting versions here leaves the other tests' model alone)."""
    uri, artifacts = mlflow_store
    trainer(uri, artifacts, model_name=RELOAD_MODEL, seed=1, n_estimators=30)
    settings = settings_factory(tmp_path_factory.mktemp("reload"), uri, model_name=RELOAD_MODEL)
    with api_for(settings) as api:
        yield api, uri, artifacts


def _point_champion_at(uri: str, version: str) -> None:
    from mlflow import MlflowClient

    MlflowClient(tracking_uri=uri).set_registered_model_alias(RELOAD_MODEL, "champion", version)


def test_a_reload_of_the_same_champion_changes_nothing(reloadable):
    api, _, _ = reloadable
    response = api.post(api.keys.model_admin, "/v1/models/reload")
    assert response.status_code == 200
    assert response.json() == {
        "previous_version": f"{RELOAD_MODEL}/1",
        "model_version": f"{RELOAD_MODEL}/1",
        "changed": False,
    }


def test_a_promoted_champion_is_served_after_a_reload_without_a_failed_request(reloadable, trainer):
    api, uri, artifacts = reloadable
    version = trainer(uri, artifacts, model_name=RELOAD_MODEL, seed=2, n_estimators=40)
    _point_champion_at(uri, version)
    failures, versions, stop = [], set(), threading.Event()

    def officer_at_the_counter():
        while not stop.is_set():
            response = api.post(api.keys.officer, "/v1/fumin/assessments", api.application())
            if response.status_code != 200:
                failures.append(response.status_code)
            else:
                versions.add(response.json()["model_version"])

    workers = [threading.Thread(target=officer_at_the_counter) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        reloaded = api.post(api.keys.model_admin, "/v1/models/reload")
        after = api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
    assert reloaded.status_code == 200, reloaded.text
    assert reloaded.json()["changed"] is True and reloaded.json()["model_version"] == f"{RELOAD_MODEL}/{version}"
    assert after["model_version"] == f"{RELOAD_MODEL}/{version}"
    assert failures == [] and f"{RELOAD_MODEL}/1" in versions


def test_a_reload_that_fails_keeps_the_old_model_and_says_why(reloadable):
    import mlflow
    import mlflow.sklearn
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    api, uri, _ = reloadable
    serving = api.get(api.keys.model_admin, "/v1/models/champion").json()["model_version"]
    foreign = LogisticRegression().fit(np.random.default_rng(0).normal(size=(50, 3)), np.arange(50) % 2)
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("api-tests")
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(foreign, name="model", registered_model_name=RELOAD_MODEL)
    _point_champion_at(uri, str(info.registered_model_version))
    response = api.post(api.keys.model_admin, "/v1/models/reload")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "ModelReloadFailed" and "household contract" in body["message"]
    assert serving in body["message"]
    assert api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()["model_version"] == serving
    assert "household contract" in api.get(api.keys.model_admin, "/v1/models/champion").json()["last_reload_error"]
