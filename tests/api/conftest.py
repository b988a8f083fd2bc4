"""Fixtures of the API tests, in the service's own words: a small champion really trained and registered in a
temporary MLflow store, a fresh database, keys for every role and scope, and a client of the app factory.

The model is the real estimator (LightGBM, 50 trees) fitted on a small generated registry — tests may import
``training/``, the API never does. Everything lives under a temporary folder; nothing touches the project's
``mlruns/`` or ``data/``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import ApiOptions
from credit_engine.access.keys import create_key
from credit_engine.access.principal import Scope
from credit_engine.config import Settings, load_settings
from credit_engine.contract import example_application
from credit_engine.ledger.database import engine_for_settings, migrate
from credit_engine.service_db import database as service_db

MODEL_NAME = "household-pd"
HOME_COUNTY, OTHER_COUNTY = "140121", "140122"
BANK = "RCC"
FAST = ApiOptions(key_refresh_seconds=0.5, fund_refresh_seconds=0.5, fund_stale_after_seconds=60)


def train_small_champion(
    tracking_uri: str, artifacts: Path, model_name: str = MODEL_NAME, seed: int = 7, n_estimators: int = 50
) -> str:
    """Fit the real LightGBM PD model on a small registry, log and register it, point ``champion`` at it."""
    import mlflow
    import mlflow.sklearn
    from mlflow import MlflowClient

    from credit_engine.contract import validate_applications
    from credit_engine.features import household_spec
    from models import LightGBMPD
    from training.generator import generate_registry

    frame, _ = generate_registry(3000, seed)
    valid = validate_applications(frame, require_label=True).frame
    model = LightGBMPD(spec=household_spec(), n_estimators=n_estimators, random_state=seed)
    model.fit(valid, valid["defaulted"].to_numpy())
    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient(tracking_uri=tracking_uri)
    if client.get_experiment_by_name("api-tests") is None:
        client.create_experiment("api-tests", artifact_location=artifacts.as_uri())
    mlflow.set_experiment("api-tests")
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name=model_name, serialization_format="cloudpickle"
        )
    version = str(info.registered_model_version)
    client.set_registered_model_alias(model_name, "champion", version)
    return version


@pytest.fixture(scope="session")
def trainer():
    """``trainer(tracking_uri, artifacts, model_name=..., seed=..., n_estimators=...) -> version``."""
    return train_small_champion


@pytest.fixture(scope="session")
def mlflow_store(tmp_path_factory: pytest.TempPathFactory, enterprise_registrar) -> tuple[str, Path]:
    """The household champion and the 强农贷 one (``enterprise-pd``), so every route has a model to serve."""
    folder = tmp_path_factory.mktemp("mlruns")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    train_small_champion(uri, folder / "artifacts")
    enterprise_registrar(uri, folder / "enterprise-artifacts")
    return uri, folder / "artifacts"


def settings_for(home: Path, tracking_uri: str, database_url: str | None = None, model_name=MODEL_NAME) -> Settings:
    return load_settings(
        home=home,
        database_url=database_url or f"sqlite:///{home / 'data' / 'engine.db'}",
        mlflow_tracking_uri=tracking_uri,
        model_name=model_name,
        pseudonym_secret="test-pseudonym-secret",
    )


@dataclass
class Keys:
    officer: str
    other_officer: str
    other_bank_officer: str
    fund_admin: str
    province_admin: str
    model_admin: str
    auditor: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def make_keys(engine) -> Keys:
    def key(role: str, name: str, scope: Scope) -> str:
        return create_key(engine, role, name, scope)[1]

    return Keys(
        officer=key("officer", "officer-home", Scope(BANK, frozenset({HOME_COUNTY}))),
        other_officer=key("officer", "officer-other", Scope(BANK, frozenset({OTHER_COUNTY}))),
        other_bank_officer=key("officer", "officer-abc", Scope("ABC", frozenset({HOME_COUNTY}))),
        fund_admin=key("fund_admin", "admin-home", Scope(None, frozenset({HOME_COUNTY}))),
        province_admin=key("fund_admin", "admin-province", Scope(None, frozenset(), "14")),
        model_admin=key("model_admin", "model-admin", Scope()),
        auditor=key("auditor", "auditor", Scope()),
    )


@dataclass
class Api:
    """A client of the app with keys for every role, and the tests' vocabulary (counties, bank, applications)."""

    client: TestClient
    keys: Keys
    settings: Settings
    home_county: str = HOME_COUNTY
    other_county: str = OTHER_COUNTY
    bank: str = BANK

    @staticmethod
    def application(**changes) -> dict:
        """The contract's example application as a JSON body, with changes."""
        record = example_application(**changes)
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}

    def open_fund(self, fund_id: str, county: str = HOME_COUNTY, bank: str = BANK, yuan="5000000", **terms) -> dict:
        body = {"fund_id": fund_id, "county_code": county, "bank_code": bank, "value_date": "2025-01-02"}
        body |= {"amount_yuan": yuan, **terms}
        token = self.keys.fund_admin if county == HOME_COUNTY else self.keys.province_admin
        response = self.post(token, "/v1/funds", body, key=f"open-{fund_id}")
        assert response.status_code == 201, response.text
        self.services.fund_headrooms.refresh()
        return response.json()

    def post(self, token: str, path: str, json=None, key: str | None = None, **kwargs):
        headers = Keys.header(token) | ({"Idempotency-Key": key} if key else {}) | kwargs.pop("headers", {})
        return self.client.post(path, json=json, headers=headers, **kwargs)

    def get(self, token: str, path: str, **kwargs):
        return self.client.get(path, headers=Keys.header(token) | kwargs.pop("headers", {}), **kwargs)

    @property
    def services(self):
        return self.client.app.state.services


@contextmanager
def running_api(settings: Settings, options: ApiOptions = FAST) -> Iterator[Api]:
    """The app of ``settings`` started (lifespan run) with a fresh database and a key for every role."""
    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    keys = make_keys(engine)
    engine.dispose()
    with TestClient(create_app(settings, options)) as client:
        yield Api(client, keys, settings)


@pytest.fixture(scope="session")
def api_for():
    """``with api_for(settings) as api:`` — an app of its own (other settings, model or options)."""
    return running_api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, mlflow_store) -> Iterator[Api]:
    with running_api(settings_for(tmp_path_factory.mktemp("engine"), mlflow_store[0])) as api:
        yield api


@pytest.fixture(scope="session")
def make_keys_for():
    """``make_keys_for(engine) -> Keys``: a key for every role and scope in that database."""
    return make_keys


@pytest.fixture(scope="session")
def settings_factory():
    """``settings_factory(home, tracking_uri, database_url=None, model_name=...)``."""
    return settings_for


@pytest.fixture
def api_application() -> dict:
    """The contract's example application as a JSON body."""
    return Api.application()


@pytest.fixture(autouse=True)
def _no_stray_mlflow_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MLFLOW_TRACKING_URI", "CREDIT_ENGINE_MLFLOW_TRACKING_URI", "CREDIT_ENGINE_HOME"):
        if name in os.environ:
            monkeypatch.delenv(name)
