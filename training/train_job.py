"""The training job: read → validate → lineage → split → fit every family → evaluate → log → register.

A job is a frozen, validated configuration with a ``run()`` (mlops-python-package habit). It never promotes to the
champion by itself unless the registry has no champion yet; promotion is the separate, gated ``PromoteJob``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlflow
from pydantic import BaseModel, ConfigDict, Field

from credit_engine.config import Settings
from credit_engine.features import load_spec
from credit_engine.policy import load_policy
from credit_engine.rating import grade_for_pd
from training import registration, tracking
from training.data import load_frame
from training.families import CANDIDATES, evaluate_families, fit_families, select
from training.lineage import file_sha256, git_state
from training.splits import holdout_split


class TrainJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    data: Path
    spec: Path | None = None
    experiment: str | None = None
    model_name: str | None = None
    report: Path | None = None
    test_fraction: float = Field(default=0.2, gt=0.0, lt=1.0)
    seed: int = 0
    families: tuple[str, ...] = CANDIDATES
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def run(self, settings: Settings, on_step: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
        spec = load_spec(self.spec)
        policy = load_policy(settings.policy_file)
        model_name = self.model_name or (settings.model_name if self.spec is None else f"{spec.name}-pd")
        on_step("read and validate")
        frame = load_frame(self.data, spec)
        y = spec.labels(frame)
        split = holdout_split(frame, spec, test_fraction=self.test_fraction, seed=self.seed)
        train, test = frame.iloc[split.train], frame.iloc[split.test]
        fitted = fit_families(train, y[split.train], spec, self.families, self.params, on_step)
        on_step("evaluate on the holdout")
        evaluate_families(fitted, test, y[split.test])
        selected = select(fitted)
        on_step("log to MLflow and register")
        client = tracking.configure(settings)
        experiment_id = tracking.ensure_experiment(client, self.experiment or settings.experiment, settings)
        commit, dirty = git_state(Path(__file__).resolve().parent)
        tags = {
            "data.path": str(self.data),
            "data.sha256": file_sha256(self.data),
            "data.rows": str(len(frame)),
            "git.commit": commit,
            "git.dirty": str(dirty).lower(),
            "spec.name": spec.name,
            "spec.fingerprint": spec.fingerprint(),
            "policy.version": policy.version,
            "selected_family": selected.name,
            "split.method": split.method,
        }
        with mlflow.start_run(experiment_id=experiment_id, run_name=f"train-{selected.name}") as run:
            mlflow.set_tags(tags)
            mlflow.log_params({"test_fraction": self.test_fraction, "seed": self.seed, **split.describe()})
            for family in fitted:
                mlflow.log_params({f"{family.name}.{k}": v for k, v in _loggable(family.estimator.get_params())})
            mlflow.log_dict(spec.to_dict(), "spec/feature_spec.json")
            registration.log_evaluation(
                fitted,
                selected,
                test,
                y[split.test],
                spec,
                lambda p: grade_for_pd(p, policy),
                [g.grade for g in policy.master_scale],
            )
            registration.log_holdout(test)
            version_tags = {**tags, "run_id": run.info.run_id, "holdout.auc": str(selected.metrics["auc"])}
            version, uri, aliases = registration.register_selected(
                client, selected, test.head(5), model_name, version_tags
            )
        report = _report(fitted, selected, model_name, version, uri, aliases, run.info.run_id, split)
        if self.report is not None:
            self.report.parent.mkdir(parents=True, exist_ok=True)
            self.report.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
        return report


def _loggable(params: dict[str, Any]) -> list[tuple[str, Any]]:
    simple = (str, int, float, bool, type(None))
    return [(k, v) for k, v in params.items() if k != "spec" and isinstance(v, simple)]


def _report(fitted, selected, model_name, version, uri, aliases, run_id, split) -> dict[str, Any]:
    families = {f.name: {**f.metrics, "fit_seconds": round(f.fit_seconds, 3)} for f in fitted}
    report: dict[str, Any] = {
        **families,
        "selected": selected.name,
        "model_name": model_name,
        "model_version": version,
        "model_uri": uri,
        "aliases": aliases,
        "run_id": run_id,
        "split": split.describe(),
    }
    baseline = next((f for f in fitted if f.baseline), None)
    if baseline is not None:
        report["auc_lift_vs_manual_sheet"] = selected.metrics["auc"] - baseline.metrics["auc"]
    return report
