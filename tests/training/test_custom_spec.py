"""A bank trains on its own columns with a feature spec (label values 'good'/'bad', CSV input)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from credit_engine.errors import InvalidInput
from training.train_job import TrainJob

pytestmark = pytest.mark.slow


def _bank_file(tmp_path, n=1500, monotone=True):
    rng = np.random.default_rng(5)
    duration = rng.integers(6, 60, n)
    purpose = rng.choice(["car", "furniture", "business"], n)
    risk = -3 + 0.05 * duration + np.where(purpose == "business", 0.8, 0.0)
    bad = rng.random(n) < 1 / (1 + np.exp(-risk))
    frame = pd.DataFrame(
        {
            "loan_no": [f"L{i}" for i in range(n)],
            "duration_in_month": duration,
            "purpose": purpose,
            "creditability": np.where(bad, "bad", "good"),
        }
    )
    path = tmp_path / "bank.csv"
    frame.to_csv(path, index=False)
    spec = {
        "target": "creditability",
        "positive": "bad",
        "id_columns": ["loan_no"],
        "features": {
            "duration_in_month": {"type": "numeric", **({"monotone": "increasing"} if monotone else {})},
            "purpose": {"type": "categorical"},
        },
    }
    spec_path = tmp_path / "bank.yaml"
    spec_path.write_text(yaml.safe_dump(spec))
    return path, spec_path


def test_a_custom_spec_trains_registers_under_its_own_name_and_learns_the_label(engine_settings, tmp_path):
    data, spec = _bank_file(tmp_path)
    report = TrainJob(
        data=data,
        spec=spec,
        report=tmp_path / "r.json",
        params={"lightgbm": {"n_estimators": 100, "min_child_samples": 20}},
    ).run(engine_settings)
    assert report["model_name"] == "bank-pd"
    assert "manual_sheet" not in report
    assert report[report["selected"]]["auc"] > 0.65
    assert json.loads((tmp_path / "r.json").read_text())["model_uri"].startswith("models:/bank-pd/")


@pytest.mark.parametrize(("monotone", "leaves"), [(False, 15), (True, 31)])
def test_a_medium_file_of_a_spec_without_monotone_directions_gets_the_medium_data_lightgbm(
    engine_settings, tmp_path, monotone, leaves
):
    from models.store import load_estimator

    data, spec = _bank_file(tmp_path, n=7000, monotone=monotone)  # 5,600 training rows
    job = TrainJob(data=data, spec=spec, families=("lightgbm",), params={"lightgbm": {"n_estimators": 200}})
    report = job.run(engine_settings)
    registered = load_estimator(report["model_uri"], engine_settings.mlflow_tracking_uri).estimator
    assert registered.get_params()["num_leaves"] == leaves  # 15: MEDIUM_DATA_LIGHTGBM; 31: LightGBM's default
    assert registered.get_params()["learning_rate"] == (0.02 if not monotone else 0.05)


def test_text_in_a_numeric_column_of_a_custom_spec_is_an_error_naming_the_row(engine_settings, tmp_path):
    data, spec = _bank_file(tmp_path)
    frame = pd.read_csv(data)
    frame["duration_in_month"] = frame["duration_in_month"].astype(object)
    frame.loc[4, "duration_in_month"] = "twelve"
    frame.to_csv(data, index=False)
    with pytest.raises(InvalidInput) as caught:
        TrainJob(data=data, spec=spec).run(engine_settings)
    assert [(e.row, e.field, e.rule) for e in caught.value.errors] == [(6, "duration_in_month", "type_number")]
