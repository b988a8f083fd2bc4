"""Recording a training run in MLflow: lineage, metrics, plots, card, holdout, and the registered model.

The selected estimator is logged with the scikit-learn flavour (cloudpickle) and a signature, registered as a new
version of the model, and given the ``challenger`` alias — and ``champion`` too when the model has none yet.
The holdout rows are logged with the run so that the promotion gate can score the champion on the same rows, and
every family's holdout PDs (models fitted without the holdout; one column per family, rows in holdout order) so that
a benchmark can measure them against the truth after the registered model was refitted on every row.
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

import mlflow
import mlflow.sklearn
import numpy as np
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import infer_signature

from credit_engine.features import FeatureSpec
from training import plots
from training.evaluation import calibration_by_decile
from training.families import FittedFamily
from training.tracking import (
    CHALLENGER,
    CHAMPION,
    ESTIMATOR_PATH,
    HOLDOUT_ARTIFACT,
    HOLDOUT_PD_ARTIFACT,
    alias_version,
)

SHAP_SAMPLE = 2000
PIP_REQUIREMENTS = ["lightgbm", "optbinning", "scikit-learn", "pandas", "numpy", "cloudpickle"]


def log_evaluation(
    fitted: list[FittedFamily],
    selected: FittedFamily,
    test: pd.DataFrame,
    y_test: np.ndarray,
    spec: FeatureSpec,
    grade_of: Any,
    grade_order: list[str],
) -> None:
    for family in fitted:
        mlflow.log_metrics({f"{family.name}.{k}": float(v) for k, v in family.metrics.items()})
        mlflow.log_metric(f"{family.name}.fit_seconds", family.fit_seconds)
    mlflow.log_metrics({k: float(v) for k, v in selected.metrics.items()})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        scores = {f.name: f.holdout_pd for f in fitted if f.holdout_pd is not None}
        plots.roc_plot(y_test, scores, folder / "roc.png")
        deciles = calibration_by_decile(selected.holdout_pd, y_test)
        plots.calibration_plot(deciles, folder / "calibration.png")
        (folder / "calibration_by_decile.json").write_text(json.dumps(deciles, indent=2))
        pds = pd.DataFrame({f.name: f.holdout_pd for f in fitted if f.holdout_pd is not None})
        pds.to_parquet(folder / Path(HOLDOUT_PD_ARTIFACT).name, index=False)
        grades = grade_of(selected.holdout_pd)
        plots.grade_distribution_plot(grades, selected.holdout_pd, y_test, grade_order, folder / "pd_by_grade.png")
        _log_explanations(fitted, test, spec, folder)
        mlflow.log_artifacts(str(folder), artifact_path="evaluation")


def _log_explanations(fitted: list[FittedFamily], test: pd.DataFrame, spec: FeatureSpec, folder: Path) -> None:
    for family in fitted:
        estimator = family.estimator
        if hasattr(estimator, "raw_contributions"):
            sample = test.sample(n=min(SHAP_SAMPLE, len(test)), random_state=0)
            contributions = estimator.raw_contributions(sample)
            matrix = estimator.encoder_.transform(sample)
            names = list(estimator.encoder_.feature_names_)
            plots.shap_summary_plot(contributions, matrix, names, folder / f"shap_summary_{family.name}.png")
        if hasattr(estimator, "card"):
            estimator.to_csv(folder / f"scorecard_{family.name}.csv")
            (folder / f"scorecard_{family.name}.json").write_text(estimator.card_json(), encoding="utf-8")


PRIVATE_COLUMNS = ("head_id_number",)


def log_holdout(test: pd.DataFrame) -> None:
    """The holdout rows, without raw ID numbers (never a feature; PIPL), for the promotion gate."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(HOLDOUT_ARTIFACT).name
        test.drop(columns=[c for c in PRIVATE_COLUMNS if c in test.columns]).to_parquet(path, index=False)
        mlflow.log_artifact(str(path), artifact_path=str(Path(HOLDOUT_ARTIFACT).parent))


def register_selected(
    client: MlflowClient,
    selected: FittedFamily,
    example: pd.DataFrame,
    model_name: str,
    tags: dict[str, str],
) -> tuple[str, str, list[str]]:
    """Log and register the selected estimator; returns (version, models:/ URI, aliases set)."""
    signature_input = _signature_frame(example)
    with warnings.catch_warnings():
        # Integer columns are validated upstream (never missing); pickling is the documented choice above.
        warnings.simplefilter("ignore")
        signature = infer_signature(signature_input, selected.estimator.predict_proba(example))
    logging.getLogger("mlflow.sklearn").setLevel(logging.ERROR)
    info = mlflow.sklearn.log_model(
        selected.estimator,
        name=ESTIMATOR_PATH,
        signature=signature,
        serialization_format="cloudpickle",
        registered_model_name=model_name,
        pip_requirements=PIP_REQUIREMENTS,
        pyfunc_predict_fn="predict_proba",
    )
    version = str(info.registered_model_version)
    for key, value in tags.items():
        client.set_model_version_tag(model_name, version, key, value)
    aliases = [CHALLENGER]
    if alias_version(client, model_name, CHAMPION) is None:
        aliases.append(CHAMPION)
    for alias in aliases:
        client.set_registered_model_alias(model_name, alias, version)
    return version, f"models:/{model_name}/{version}", aliases


def _signature_frame(example: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain strings and dates as datetimes, which MLflow's schema understands."""
    out = example.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].astype(object).where(out[name].notna(), None).astype(str)
    return out
