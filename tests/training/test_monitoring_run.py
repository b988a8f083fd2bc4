"""The MLflow side of monitoring on a local store in a temporary folder: the reference profile logged with a run
reads back through the model version, and a monitoring run is logged linked to that version."""

from __future__ import annotations

import dataclasses
import datetime as dt

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient

from credit_engine.features import household_spec
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.monitoring.service import MonitoringInputs, monitor
from training import tracking
from training.monitoring_run import (
    NoReferenceProfile,
    log_monitoring_run,
    log_reference_profile,
    model_reference,
    reference_profile,
)

GRADES = ("AAA", "AA", "A", "B", "C")


class Estimator:
    """A model whose PD rises with the household's liabilities (what the profile records is what matters here)."""

    def predict_pd(self, frame):
        return np.clip(frame["total_liabilities"].to_numpy(dtype=float) / 200_000, 0.001, 0.9)


@pytest.fixture
def registered(engine_settings):
    """A run with the reference profile of 300 generated households, registered as version 1 with the champion."""
    from training.generator import generate_registry

    households, _ = generate_registry(300, seed=5)
    client = tracking.configure(engine_settings)
    experiment = tracking.ensure_experiment(client, "household-rating", engine_settings)
    with mlflow.start_run(experiment_id=experiment) as run:
        log_reference_profile(Estimator(), households, household_spec(), {"model_name": "household-pd"})
    client.create_registered_model("household-pd")
    version = client.create_model_version("household-pd", f"{run.info.artifact_uri}/model", run.info.run_id)
    client.set_registered_model_alias("household-pd", "champion", version.version)
    return client, run.info.run_id, households


def test_the_profile_logged_with_the_run_reads_back_through_the_model_version(engine_settings, registered):
    client, run_id, households = registered
    profile, identity, registered_on = model_reference(engine_settings, "models:/household-pd@champion")
    assert identity == {"name": "household-pd", "version": "1", "run_id": run_id,
                        "uri": "models:/household-pd@champion"}  # fmt: skip
    assert registered_on == dt.datetime.now(dt.UTC).date()
    assert profile.rows == 300 and set(household_spec().feature_names) <= set(profile.features)
    assert sum(profile.pd_bins.shares) == pytest.approx(1.0)
    assert profile.features["county_code"].kind == "categorical"


def test_a_run_without_a_profile_is_refused_naming_the_fallback(engine_settings):
    client = tracking.configure(engine_settings)
    experiment = tracking.ensure_experiment(client, "household-rating", engine_settings)
    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_param("x", 1)
    from training.monitoring_run import run_reference

    with pytest.raises(NoReferenceProfile) as error:
        run_reference(client, run.info.run_id)
    assert "--baseline" in str(error.value) and "参照分布" in str(error.value)


def test_a_monitoring_run_is_logged_linked_to_the_model_version(engine_settings, registered):
    client, _, _ = registered
    profile, identity, _ = model_reference(engine_settings, "models:/household-pd@champion")
    inputs = MonitoringInputs([], [], {}, dt.datetime(2026, 6, 30, tzinfo=dt.UTC))
    result = monitor(inputs, profile, household_spec(), load_monitoring_policy(), GRADES, dt.date(2026, 6, 30),
                     model=identity)  # fmt: skip
    run_id = log_monitoring_run(engine_settings, result, "<html>report</html>")
    logged = MlflowClient(engine_settings.mlflow_tracking_uri).get_run(run_id)
    assert logged.data.tags["model.name"] == "household-pd" and logged.data.tags["model.version"] == "1"
    assert logged.data.tags["kind"] == "monitoring" and logged.data.tags["status"] == "green"
    assert logged.data.metrics["exit_code"] == 0.0 and logged.data.metrics["count.assessments"] == 0.0
    artifacts = {a.path for a in client.list_artifacts(run_id, "tables")} | {
        a.path for a in client.list_artifacts(run_id, "report")
    }
    assert {"tables/stability.json", "tables/fairness.json", "report/monitoring.html"} <= artifacts
    version = client.get_model_version("household-pd", "1")
    assert version.tags["monitoring.last_run"] == run_id and version.tags["monitoring.last_status"] == "green"


def test_a_version_uri_reads_the_same_profile_and_an_unknown_model_is_refused(engine_settings, registered):
    by_alias, _, _ = model_reference(engine_settings, "models:/household-pd@champion")
    by_version, identity, _ = model_reference(engine_settings, "models:/household-pd/1")
    assert by_version == by_alias and identity["version"] == "1"
    with pytest.raises(NoReferenceProfile) as error:
        model_reference(engine_settings, "models:/no-such-model@champion")
    assert "no-such-model" in str(error.value) and "模型注册表" in str(error.value)


def test_the_training_profile_keeps_each_large_countys_shares_by_the_specs_stratify_column():
    """The county is the spec's stratify column; when it is not a feature (as in the enterprise spec) it is still
    the grouping; a county of fewer than 200 training rows has no shares of its own."""
    from training.generator import generate_registry

    households, _ = generate_registry(300, seed=5)
    households = households.assign(county_code=["140122"] * 250 + ["140123"] * 50)
    spec = household_spec()
    profile = reference_profile(Estimator(), households, spec, {"model_name": "household-pd"})
    assert set(profile.by_county) == {"140122"} and profile.by_county["140122"].rows == 250
    assert "county_code" not in profile.by_county["140122"].features
    assert profile.about["county_column"] == "county_code"
    without = dataclasses.replace(spec, features=tuple(f for f in spec.features if f.name != "county_code"))
    profile = reference_profile(Estimator(), households, without, {})
    assert "county_code" not in profile.features and set(profile.by_county) == {"140122"}
    assert set(profile.by_county["140122"].features) == set(without.feature_names)
