"""The app against its own OpenAPI document: generated requests for every operation (bounded), with a key of the
role each operation is for; no 5xx, every response matches its declared status, content type and schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.services import ApiOptions
from credit_engine.ledger.database import engine_for_settings, migrate
from credit_engine.service_db import database as service_db

pytestmark = pytest.mark.xdist_group("test_api_schemathesis")  # one worker: the module shares its app and database

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def keys_and_app(tmp_path_factory, mlflow_store, settings_factory, make_keys_for):
    settings = settings_factory(tmp_path_factory.mktemp("schemathesis"), mlflow_store[0])
    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    keys = make_keys_for(engine)
    engine.dispose()
    return keys, create_app(settings, ApiOptions(key_refresh_seconds=0.5))


def _token(keys, path: str, method: str) -> str:
    if path.startswith("/v1/reports"):
        return keys.province_admin
    if path.startswith("/v1/models"):
        return keys.model_admin
    if method == "GET" and "assessments" not in path:
        return keys.auditor
    if path.startswith("/v1/funds") and method == "POST":
        return keys.fund_admin
    return keys.officer


def _conformance(operation, headers: dict[str, str]):
    """A Hypothesis test of one operation: a few generated requests, each checked against the document."""

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy())
    def conforms(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    return conforms


def test_no_server_errors_and_every_response_matches_the_document(keys_and_app):
    """Every operation but the model reload (it talks to MLflow), a few generated requests each."""
    keys, app = keys_and_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/v1/models/reload")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        headers = {"Authorization": f"Bearer {_token(keys, operation.path, operation.method.upper())}"}
        try:
            _conformance(operation, headers)()
        except (Exception, BaseExceptionGroup) as error:  # collect every operation's failure, report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
