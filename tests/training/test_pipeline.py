"""The whole pipeline on a small generated registry: train → register → evaluate → promote gate → rate a file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from mlflow import MlflowClient

from credit_engine.errors import InvalidInput
from training.evaluate_job import EvaluateJob
from training.promote_job import PromoteJob, PromotionRefused
from training.train_job import TrainJob

pytestmark = pytest.mark.slow


FAST_PARAMS = {
    "lightgbm": {"n_estimators": 300, "early_stopping_rounds": 30, "learning_rate": 0.1},
    "scorecard": {"C": 1.0},
}


def _train(settings, registry_dir, tmp_path, **overrides):
    job = TrainJob(
        data=registry_dir / "households.parquet",
        report=tmp_path / "train.json",
        params=FAST_PARAMS,
        cv_folds=3,
        **overrides,
    )
    return job.run(settings)


def test_training_registers_the_winner_as_champion_and_challenger_with_lineage(engine_settings, registry_dir, tmp_path):
    report = _train(engine_settings, registry_dir, tmp_path)

    written = json.loads((tmp_path / "train.json").read_text())
    assert written["selected"] in ("lightgbm", "scorecard", "blend")
    for family in ("lightgbm", "scorecard", "blend", "manual_sheet"):
        assert {"auc", "ks", "brier", "n_test"} <= set(written[family])
    assert written["model_uri"] == f"models:/household-pd/{written['model_version']}"
    assert written[written["selected"]]["auc"] > written["manual_sheet"]["auc"]
    calibration = written["selection"]["lightgbm_calibration"]  # Platt on the folds' out-of-fold margins
    assert calibration["method"] == "platt_on_out_of_fold_margins" and calibration["slope"] > 0
    assert 0 < calibration["n_rows"] < written["split"]["n_train"]
    client = MlflowClient(engine_settings.mlflow_tracking_uri)
    assert str(client.get_model_version_by_alias("household-pd", "champion").version) == report["model_version"]
    assert str(client.get_model_version_by_alias("household-pd", "challenger").version) == report["model_version"]
    tags = client.get_model_version("household-pd", report["model_version"]).tags
    assert len(tags["data.sha256"]) == 64 and tags["spec.name"] == "household"
    assert tags["policy.version"]
    artifacts = {a.path for a in client.list_artifacts(report["run_id"], "evaluation")}
    assert {"evaluation/roc.png", "evaluation/calibration.png", "evaluation/pd_by_grade.png"} <= artifacts
    assert any(p.startswith("evaluation/shap_summary") for p in artifacts)
    assert any(p.startswith("evaluation/scorecard_") and p.endswith(".json") for p in artifacts)
    profile = {a.path for a in client.list_artifacts(report["run_id"], "monitoring")}
    assert profile == {"monitoring/reference_profile.json"}  # what `credit-engine monitor` compares against
    assert (engine_settings.home / "mlruns" / "mlflow.db").exists()


def test_second_training_is_only_a_challenger_and_promotion_is_gated(engine_settings, registry_dir, tmp_path):
    first = _train(engine_settings, registry_dir, tmp_path)
    second = _train(engine_settings, registry_dir, tmp_path, families=("scorecard",))
    client = MlflowClient(engine_settings.mlflow_tracking_uri)
    assert str(client.get_model_version_by_alias("household-pd", "champion").version) == first["model_version"]
    assert str(client.get_model_version_by_alias("household-pd", "challenger").version) == second["model_version"]

    job = PromoteJob(model_name="household-pd", version=second["model_version"])
    if second["scorecard"]["auc"] <= first[first["selected"]]["auc"]:
        with pytest.raises(PromotionRefused, match="not better"):
            job.run(engine_settings)
        assert str(client.get_model_version_by_alias("household-pd", "champion").version) == first["model_version"]
    forced = PromoteJob(
        model_name="household-pd", version=second["model_version"], force=True, reason="audit drill"
    ).run(engine_settings)
    assert forced["promoted"] is True
    assert str(client.get_model_version_by_alias("household-pd", "champion").version) == second["model_version"]
    assert client.get_model_version("household-pd", second["model_version"]).tags["promotion.reason"] == "audit drill"


def test_forced_promotion_needs_a_reason(engine_settings):
    with pytest.raises(ValueError, match="reason"):
        PromoteJob(model_name="household-pd", version="1", force=True).run(engine_settings)


def test_evaluate_reports_the_bayes_ceiling_from_the_truth_file(engine_settings, registry_dir, tmp_path):
    report = _train(engine_settings, registry_dir, tmp_path)
    result = EvaluateJob(
        model=report["model_uri"],
        data=registry_dir / "households.parquet",
        truth=registry_dir / "truth.parquet",
        report=tmp_path / "eval.json",
    ).run(engine_settings)
    assert 0.5 < result["auc"] <= 1.0
    assert result["bayes_auc"] > 0.7
    assert len(result["calibration_by_decile"]) == 10
    assert json.loads((tmp_path / "eval.json").read_text())["n_test"] == 8000


def test_training_on_a_file_with_bad_rows_stops_with_every_error(engine_settings, registry_dir, tmp_path):
    frame = pd.read_parquet(registry_dir / "households.parquet").head(300)
    frame.loc[3, "labor_count"] = frame.loc[3, "household_size"] + 1
    frame.loc[7, "head_id_number"] = "140123199001011234"
    bad = tmp_path / "bad.parquet"
    frame.to_parquet(bad, index=False)
    with pytest.raises(InvalidInput) as caught:
        TrainJob(data=bad, params=FAST_PARAMS).run(engine_settings)
    rows = {(e.row, e.field) for e in caught.value.errors}
    assert (5, "labor_count") in rows
    assert (9, "head_id_number") in rows


def test_the_registered_model_is_fitted_on_every_training_row(engine_settings, registry_dir, tmp_path):
    from credit_engine.features import household_spec
    from models import WOEScorecard
    from models.store import load_estimator
    from training.data import load_frame
    from training.splits import holdout_split

    report = _train(engine_settings, registry_dir, tmp_path, families=("scorecard",))
    frame = load_frame(registry_dir / "households.parquet", household_spec())
    registered = load_estimator(report["model_uri"], engine_settings.mlflow_tracking_uri).estimator

    assert report["registered_model"] == {"fitted_on": "all_rows", "n_rows": len(frame)}
    counts = registered.card().groupby("feature")["count"].sum()
    assert (counts == len(frame)).all()  # every row of the file is in the card's bins
    on_every_row = WOEScorecard(spec=household_spec(), **FAST_PARAMS["scorecard"]).fit(frame)
    np.testing.assert_allclose(registered.predict_pd(frame), on_every_row.predict_pd(frame), rtol=1e-12)
    assert report["scorecard"]["n_test"] == report["split"]["n_test"]  # the holdout figure: a model without it
    assert report["selection"]["method"] == "forward_chaining_by_county_code"
    assert set(report["selection"]["families"]) == {"scorecard"}
    assert len(report["calibration_by_decile"]) == 10
    client = MlflowClient(engine_settings.mlflow_tracking_uri)
    tags = client.get_model_version("household-pd", report["model_version"]).tags
    assert tags["registered.fitted_on"] == "all_rows" and tags["registered.n_rows"] == str(len(frame))
    metrics = client.get_run(report["run_id"]).data.metrics
    assert {"cv.scorecard.mean_auc", "cv.scorecard.std_auc"} <= set(metrics)
    import mlflow

    from training.evaluation import holdout_metrics
    from training.tracking import HOLDOUT_PD_ARTIFACT

    path = mlflow.artifacts.download_artifacts(
        run_id=report["run_id"], artifact_path=HOLDOUT_PD_ARTIFACT, dst_path=str(tmp_path)
    )
    holdout_pd = pd.read_parquet(path)
    holdout = frame.iloc[np.sort(holdout_split(frame, household_spec()).test)]
    auc = holdout_metrics(household_spec().labels(holdout), holdout_pd["scorecard"].to_numpy())["auc"]
    assert auc == pytest.approx(report["scorecard"]["auc"])  # the holdout model's PDs, not the refit's


def test_without_refit_the_model_fitted_without_the_holdout_is_registered(engine_settings, registry_dir, tmp_path):
    report = _train(engine_settings, registry_dir, tmp_path, families=("scorecard",), refit=False)

    assert report["registered_model"] == {"fitted_on": "training_rows", "n_rows": report["split"]["n_train"]}
    assert report["selection"]["method"] == "holdout"
    assert "selection" not in report["figures_from"]


def test_holdout_models_are_fitted_on_the_selection_sample_and_the_stages_are_timed(
    engine_settings, registry_dir, tmp_path
):
    import mlflow

    report = _train(engine_settings, registry_dir, tmp_path, families=("scorecard",), cv_max_rows=3000)

    n_train = report["split"]["n_train"]
    assert report["selection"]["n_rows"] == 3000 < n_train
    # a sample either way: the registered model takes the training rows' selection, not a second one
    assert report["selection"]["on"] == "training_rows" and "holdout_models" not in report["selection"]
    assert "cross_validation_all_rows" not in report["timings_seconds"]
    assert f"3,000 of the {n_train:,} training rows" in report["figures_from"]["holdout"]
    card_path = mlflow.artifacts.download_artifacts(
        run_id=report["run_id"], artifact_path="evaluation/scorecard_scorecard.csv", dst_path=str(tmp_path)
    )
    card = pd.read_csv(card_path)
    assert (card.groupby("feature")["count"].sum() == 3000).all()  # the holdout card: fitted on the sample only
    assert report["registered_model"]["n_rows"] == n_train + report["split"]["n_test"]
    timings = report["timings_seconds"]
    stages = {"read_validate", "cross_validation", "cross_validation.scorecard", "holdout_fits", "refit", "register"}
    assert stages <= set(timings) and timings["total"] >= timings["cross_validation"] > 0
    metrics = MlflowClient(engine_settings.mlflow_tracking_uri).get_run(report["run_id"]).data.metrics
    assert {"time.total_seconds", "time.refit_seconds", "time.holdout_fits.scorecard_seconds"} <= set(metrics)


def test_on_a_small_file_the_registered_lightgbm_is_selected_on_every_row_and_trains_the_folds_rounds_on_them(
    engine_settings, registry_dir, tmp_path
):
    from credit_engine.features import household_spec
    from models.store import load_estimator
    from training.data import load_frame

    report = _train(engine_settings, registry_dir, tmp_path, families=("lightgbm",))
    frame = load_frame(registry_dir / "households.parquet", household_spec())
    registered = load_estimator(report["model_uri"], engine_settings.mlflow_tracking_uri).estimator

    # 6,400 training rows: the selection is run again on all 8,000 rows for the registered model
    selection, n_train = report["selection"], report["split"]["n_train"]
    assert selection["on"] == "all_rows" and selection["n_rows"] == len(frame)
    holdout_models = selection["holdout_models"]
    assert holdout_models["n_rows"] == n_train and holdout_models["selected"] == "lightgbm"
    assert holdout_models["lightgbm_rounds"]["holdout_model"]["n_rows"] == n_train
    assert holdout_models["lightgbm_calibration"]["n_rows"] < selection["lightgbm_calibration"]["n_rows"]
    assert f"on all {len(frame):,} rows" in report["figures_from"]["selection"]
    assert report["timings_seconds"]["cross_validation_all_rows"] > 0
    rounds = selection["lightgbm_rounds"]
    assert len(rounds["folds"]) == 3
    assert rounds["registered_model"]["n_rows"] == len(frame)
    assert registered.booster_.current_iteration() == rounds["registered_model"]["rounds"]  # no second early stop
    assert registered.n_boosted_rows_ == len(frame)  # every row, no validation slice
    calibration = report["selection"]["lightgbm_calibration"]
    assert registered.calibrator_.coef_[0, 0] == pytest.approx(calibration["slope"])  # the folds' Platt map
    assert report["registered_model"] == {"fitted_on": "all_rows", "n_rows": len(frame)}


def test_on_a_large_sample_the_refitted_card_keeps_the_bins_the_holdout_card_was_fitted_with(
    engine_settings, registry_dir, tmp_path, monkeypatch
):
    import mlflow

    import training.train_job as train_job
    from models.store import load_estimator

    monkeypatch.setattr(train_job, "LARGE_SAMPLE_ROWS", 2_000)  # the 3,000-row sample counts as large
    report = _train(engine_settings, registry_dir, tmp_path, families=("scorecard",), cv_max_rows=3000)
    registered = load_estimator(report["model_uri"], engine_settings.mlflow_tracking_uri).estimator
    holdout_card = pd.read_csv(
        mlflow.artifacts.download_artifacts(
            run_id=report["run_id"], artifact_path="evaluation/scorecard_scorecard.csv", dst_path=str(tmp_path)
        )
    )

    # binned once, on the holdout card's 3,000 rows; the refit on all 8,000 rows fitted only its regression
    assert report["registered_model"]["scorecard_bins"] == {"fitted_on": "holdout_model_rows", "n_rows": 3000}
    assert report["timings_seconds"]["holdout_fits.scorecard_bins"] > 0
    card = registered.card()
    columns = ["feature", "bin", "count", "event_rate", "woe"]
    pd.testing.assert_frame_equal(card[columns], holdout_card[columns], check_dtype=False, atol=1e-4)  # csv: 4 d.p.
    assert not np.allclose(card["points"], holdout_card["points"])  # its own regression, on other rows
    assert report["registered_model"]["n_rows"] == 8000
