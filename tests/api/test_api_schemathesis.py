"""The app against its own OpenAPI document: generated requests for every operation (bounded), with a key of the
role each operation is for; no 5xx, every response matches its declared status, content type and schema."""

from __future__ import annotations

import datetime as dt

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
from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.database import engine_for_settings, migrate
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.service_db import database as service_db

pytestmark = pytest.mark.xdist_group("test_api_schemathesis")  # one worker: the module shares its app and database

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


FUND = "F-FUZZ-140121"  # a fund in the fund administrator's county, so that generated writes reach the ledger
FUND_ADMIN_PATHS = ("/v1/funds", "/v1/reports", "/v1/loans/{loan_id}/compensation-payments")


@pytest.fixture(scope="module")
def keys_and_app(tmp_path_factory, mlflow_store, settings_factory, make_keys_for):
    settings = settings_factory(tmp_path_factory.mktemp("schemathesis"), mlflow_store[0])
    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    keys = make_keys_for(engine)
    opening = c.CreateFund(
        fund_id=FUND,
        idempotency_key="open",
        county_code="140121",
        bank_code="RCC",
        value_date=dt.date(2025, 1, 2),
        amount_fen=500_000_000,
        terms=default_terms(),
    )
    services.create_fund(UnitOfWork(engine), opening)
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


def _conformance(operation, headers: dict[str, str], examples: int = 6, fund_id: str | None = None):
    """A Hypothesis test of one operation: a few generated requests, each checked against the document; with
    ``fund_id``, every request names that fund in its path (so it gets past the scope check to the ledger)."""

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(case=operation.as_strategy())
    def conforms(case):
        if fund_id is not None and case.path_parameters and "fund_id" in case.path_parameters:
            case.path_parameters["fund_id"] = fund_id
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


def test_a_fund_administrator_key_meets_no_server_error_on_its_routes(keys_and_app):
    """The fund administrator's routes (funds, policies, contributions, clawbacks, interest, reversals, compensation
    payments, positions, reports) fuzzed with a fund_admin key of the fund's county, against a real fund."""
    keys, app = keys_and_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {keys.fund_admin}"}
    failures, covered = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith(FUND_ADMIN_PATHS):
            continue
        covered += 1
        try:
            _conformance(operation, headers, examples=12, fund_id=FUND)()
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert covered >= 12 and not failures, "\n\n".join(failures)
