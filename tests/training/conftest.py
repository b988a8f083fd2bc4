"""A small generated registry and a temporary MLflow store per test module (never the project's mlruns/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from credit_engine.config import load_settings


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from training.generator import generate_registry

    folder = tmp_path_factory.mktemp("registry")
    applications, truth = generate_registry(8000, seed=11)
    applications.to_parquet(folder / "households.parquet", index=False)
    truth.to_parquet(folder / "truth.parquet", index=False)
    return folder


@pytest.fixture()
def engine_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("MLFLOW_TRACKING_URI", "CREDIT_ENGINE_MLFLOW_TRACKING_URI", "CREDIT_ENGINE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    return load_settings()
