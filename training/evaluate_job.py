"""The evaluation job: score a data file with a stored model and report how good its probabilities are.

Writes ``auc``, ``ks``, ``brier``, ``n_test``, calibration by decile and — when the generator's truth file is given —
``bayes_auc`` (AUC of ``true_pd`` on the same rows), the ratio to it and the largest decile gap against the true PD.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from credit_engine.config import Settings
from credit_engine.features import load_spec
from models.store import load_estimator
from training.data import load_frame
from training.evaluation import (
    bayes_auc,
    calibration_by_decile,
    holdout_metrics,
    max_calibration_gap_pp,
    truth_for,
)


class EvaluateJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    data: Path
    spec: Path | None = None
    truth: Path | None = None
    report: Path | None = None

    def run(self, settings: Settings) -> dict[str, Any]:
        spec = load_spec(self.spec)
        loaded = load_estimator(self.model, settings.mlflow_tracking_uri)
        frame = load_frame(self.data, spec)
        y = spec.labels(frame)
        pd_ = loaded.estimator.predict_pd(frame)
        true_pd = truth_for(frame, pd.read_parquet(self.truth)) if self.truth else None
        report: dict[str, Any] = {
            "model_uri": loaded.uri,
            "model_version": loaded.version,
            "data": str(self.data),
            **holdout_metrics(y, pd_),
            "calibration_by_decile": calibration_by_decile(pd_, y, true_pd),
        }
        if true_pd is not None:
            report["bayes_auc"] = bayes_auc(y, true_pd)
            report["auc_ratio_to_bayes"] = report["auc"] / report["bayes_auc"]
            report["max_decile_gap_pp_vs_true"] = max_calibration_gap_pp(report["calibration_by_decile"])
        if self.report is not None:
            self.report.parent.mkdir(parents=True, exist_ok=True)
            self.report.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        return report
