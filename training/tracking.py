"""The MLflow adapter of the training jobs: tracking store, experiments, logged models, registry aliases.

Defaults keep everything in the project: tracking in ``sqlite:///mlruns/mlflow.db`` and artifacts under
``mlruns/artifacts`` (MLflow 3.13+ refuses the old ``./mlruns`` file store unless forced; we never force it).
Aliases: ``challenger`` marks the newest candidate, ``champion`` the model the bank serves.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import mlflow
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from credit_engine.config import Settings

CHAMPION = "champion"
CHALLENGER = "challenger"
ESTIMATOR_PATH = "model"
HOLDOUT_ARTIFACT = "holdout/holdout.parquet"
HOLDOUT_PD_ARTIFACT = "evaluation/holdout_pd.parquet"


def configure(settings: Settings) -> MlflowClient:
    """Point MLflow at the settings' store (creating the local folder for a SQLite store) and return a client."""
    uri = settings.mlflow_tracking_uri
    assert uri is not None
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    mlflow.set_tracking_uri(uri)
    return MlflowClient(tracking_uri=uri)


def ensure_experiment(client: MlflowClient, name: str, settings: Settings) -> str:
    """The experiment's id, created with its artifacts under the configured artifact root if new."""
    existing = client.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    uri = settings.mlflow_tracking_uri or ""
    location = None
    if uri.startswith("sqlite:") or uri.startswith("postgresql") or uri.startswith("mysql"):
        root = settings.mlflow_artifact_root / name
        root.mkdir(parents=True, exist_ok=True)
        location = root.as_uri()
    return client.create_experiment(name, artifact_location=location)


def alias_version(client: MlflowClient, model_name: str, alias: str) -> ModelVersion | None:
    try:
        return client.get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None


def registered_model_exists(client: MlflowClient, model_name: str) -> bool:
    try:
        client.get_registered_model(model_name)
    except MlflowException:
        return False
    return True


def version_tags(client: MlflowClient, model_name: str, version: str) -> dict[str, Any]:
    return dict(client.get_model_version(model_name, version).tags)
