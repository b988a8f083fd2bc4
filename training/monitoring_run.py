"""The MLflow side of monitoring (模型监控): the reference profile logged with every model version, read back for a
monitoring run, and each monitoring run logged as a run linked to the model version it watched.

:func:`log_reference_profile` is called by the training job: the per-feature bins and shares and the PD's bins and
shares on the training rows (the registered model's PDs; up to :data:`PROFILE_ROWS` rows drawn with a fixed seed),
and the same shares per county (the spec's stratify column, else ``county_code``; kept for grouping even when it is
not a feature) of every county with at least :data:`~credit_engine.monitoring.profile.COUNTY_MIN_ROWS` rows.
:func:`model_reference` resolves a ``models:/`` URI to its version, its registration day and the profile logged with
its run; :func:`run_reference` reads the profile of a run by id (``--baseline RUN_ID``). :func:`log_monitoring_run`
records a monitoring run: tags naming the model and version, the status, the policy; metrics (PSI of the PD, CSI of
each feature, AUC, KS, counts); every table as a JSON artifact and the HTML report; the model version is tagged with
its last monitoring run and status. The computation itself is :mod:`credit_engine.monitoring` (no MLflow there).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from credit_engine.config import Settings
from credit_engine.errors import BilingualError
from credit_engine.features import FeatureSpec
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.monitoring.profile import (
    COUNTY_MIN_ROWS,
    PROFILE_ARTIFACT,
    ReferenceProfile,
    build_profile,
    read_profile,
)
from credit_engine.monitoring.service import MonitoringResult
from credit_engine.monitoring.stability import ALL
from training import tracking

PROFILE_ROWS = 50_000
COUNTY_COLUMN = "county_code"  # the county of a row when the spec names no stratify column
MONITORING_EXPERIMENT_SUFFIX = "-monitoring"


class NoReferenceProfile(BilingualError):
    code = "no_reference_profile"


def reference_profile(
    estimator: Any, frame: pd.DataFrame, spec: FeatureSpec, about: Mapping[str, str]
) -> ReferenceProfile:
    """The profile of ``frame`` (a seeded sample of at most :data:`PROFILE_ROWS` rows) under ``estimator``'s PDs."""
    rows = frame if len(frame) <= PROFILE_ROWS else frame.sample(PROFILE_ROWS, random_state=0)
    features = spec.prepare(rows)
    pds = np.asarray(estimator.predict_pd(rows), dtype=float)
    bins = load_monitoring_policy().stability.bins
    column = spec.stratify_column or COUNTY_COLUMN
    counties = rows[column].rename(column) if column in rows.columns else None
    about = {**about, "rows_from": str(len(frame))}
    if counties is not None:
        about |= {"county_column": column, "county_min_rows": str(COUNTY_MIN_ROWS)}
    return build_profile(features, pds, spec.categorical, bins, about=about, counties=counties)


def log_reference_profile(estimator: Any, frame: pd.DataFrame, spec: FeatureSpec, about: Mapping[str, str]) -> None:
    """Log the reference profile as :data:`PROFILE_ARTIFACT` of the active run."""
    mlflow.log_dict(reference_profile(estimator, frame, spec, about).as_dict(), PROFILE_ARTIFACT)


def run_reference(client: MlflowClient, run_id: str) -> ReferenceProfile:
    """The profile logged with run ``run_id``; :class:`NoReferenceProfile` when the run has none."""
    try:
        with tempfile.TemporaryDirectory() as folder:
            return read_profile(client.download_artifacts(run_id, PROFILE_ARTIFACT, folder))
    except (MlflowException, OSError) as error:
        raise NoReferenceProfile(
            f"run {run_id} has no reference profile ({PROFILE_ARTIFACT}); pass --baseline FILE",
            f"运行 {run_id} 没有参照分布（{PROFILE_ARTIFACT}）；请用 --baseline 指定文件",
        ) from error


def model_reference(settings: Settings, uri: str) -> tuple[ReferenceProfile, dict[str, str], dt.date]:
    """The profile, the model's identity (name, version, run id) and its registration day for a ``models:/`` URI."""
    client = tracking.configure(settings)
    try:
        found = _model_version(client, uri)
    except MlflowException as error:
        raise NoReferenceProfile(f"model {uri} is not in the registry", f"模型注册表中没有 {uri}") from error
    if found is None:
        raise NoReferenceProfile(f"{uri} is not in the registry (models:/NAME@ALIAS or models:/NAME/VERSION)",
                                 f"模型注册表中没有 {uri}（models:/名称@别名 或 models:/名称/版本）")  # fmt: skip
    name, version = found.name, found.version
    registered = dt.datetime.fromtimestamp(found.creation_timestamp / 1000, dt.UTC).date()
    identity = {"name": str(name), "version": str(version), "run_id": str(found.run_id), "uri": uri}
    return run_reference(client, found.run_id), identity, registered


def _model_version(client: MlflowClient, uri: str) -> ModelVersion | None:
    """The registered version a ``models:/`` URI names (without importing the estimators of ``models/``)."""
    reference = uri.removeprefix("models:/") if uri.startswith("models:/") else ""
    if "@" in reference:
        return tracking.alias_version(client, *reference.split("@", 1))
    if "/" in reference:
        return client.get_model_version(*reference.rsplit("/", 1))
    return None


def _metrics(result: MonitoringResult) -> dict[str, float]:
    metrics: dict[str, float] = {f"count.{k}": float(v) for k, v in result.counts.items()}
    for row in result.sections["stability"]:
        if row["cohort"] == ALL:
            metrics[f"{'psi' if row['variable'] == 'pd' else 'csi'}.{row['variable']}"] = float(row["value"])
    for row in result.sections["discrimination"]:
        if row["value"] is not None:
            metrics[row["metric"].lower()] = float(row["value"])
    metrics["exit_code"] = float(result.exit_code)
    return metrics


def log_monitoring_run(
    settings: Settings, result: MonitoringResult, report_html: str, experiment: str | None = None
) -> str:
    """Record ``result`` as a monitoring run linked to its model version; the run's id."""
    client = tracking.configure(settings)
    name = experiment or f"{settings.experiment}{MONITORING_EXPERIMENT_SUFFIX}"
    experiment_id = tracking.ensure_experiment(client, name, settings)
    model = dict(result.model)
    tags = {
        "kind": "monitoring", "as_of": result.as_of.isoformat(), "status": result.status,
        "policy.version": result.policy.version, "policy.fingerprint": result.policy.fingerprint(),
        **{f"model.{k}": v for k, v in model.items()},
    }  # fmt: skip
    with mlflow.start_run(experiment_id=experiment_id, run_name=f"monitor-{result.as_of.isoformat()}") as run:
        mlflow.set_tags(tags)
        mlflow.log_metrics(_metrics(result))
        for key, rows in result.sections.items():
            mlflow.log_dict({"rows": rows, "note": result.notes.get(key)}, f"tables/{key}.json")
        mlflow.log_text(report_html, "report/monitoring.html")
    _tag_version(client, model, run.info.run_id, result.status)
    return run.info.run_id


def _tag_version(client: MlflowClient, model: Mapping[str, str], run_id: str, status: str) -> None:
    """Tag the watched model version with its last monitoring run (a profile file may name a version this
    registry does not hold: then the run's own tags are the link)."""
    if not (model.get("name") and model.get("version")):
        return
    try:
        client.set_model_version_tag(model["name"], model["version"], "monitoring.last_run", run_id)
        client.set_model_version_tag(model["name"], model["version"], "monitoring.last_status", status)
    except MlflowException:
        return
