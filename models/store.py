"""Loading a registered estimator back from MLflow (``models:/NAME@champion``, ``models:/NAME/3``, ``runs:/…``).

The training job logs estimators with the scikit-learn flavour (cloudpickle of the fitted object), so what comes
back is the same estimator with ``predict_pd`` and ``reason_codes`` — the scorer the domain expects. The registered
version number is resolved so every rating can name the model version that produced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class LoadedModel:
    estimator: Any
    uri: str
    model_name: str | None
    version: str | None

    @property
    def label(self) -> str:
        """``NAME/VERSION`` when registered, else the URI."""
        if self.model_name and self.version:
            return f"{self.model_name}/{self.version}"
        return self.uri


def resolve_version(client: Any, uri: str) -> tuple[str | None, str | None]:
    """(name, version) that a ``models:/`` URI points to; (None, None) for other URIs."""
    if not uri.startswith("models:/"):
        return None, None
    ref = uri.removeprefix("models:/")
    if "@" in ref:
        name, alias = ref.split("@", 1)
        return name, str(client.get_model_version_by_alias(name, alias).version)
    if "/" in ref:
        name, version = ref.rsplit("/", 1)
        return name, version
    return None, None


def load_estimator(uri: str, tracking_uri: str | None = None) -> LoadedModel:
    """Load a fitted estimator logged by the training job; the version is pinned before loading."""
    import mlflow
    import mlflow.sklearn
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    if tracking_uri:
        mlflow.set_tracking_uri(tracking_uri)
    name, version = resolve_version(client, uri)
    pinned = f"models:/{name}/{version}" if name and version else uri
    estimator = mlflow.sklearn.load_model(pinned)
    return LoadedModel(estimator=estimator, uri=pinned, model_name=name, version=version)
