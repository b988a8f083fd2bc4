"""The promotion job: a challenger becomes ``champion`` only if it is better on the same holdout, or if forced.

The gate scores the current champion on the candidate's own holdout (logged with its training run) and compares
AUCs. A candidate refitted on every row has seen its holdout, so its side of the comparison is the holdout AUC of the
same family fitted without the holdout (the version's ``holdout.auc`` tag, written by the training job).
A forced promotion needs a reason. Every decision is recorded as tags on the model versions
(``promotion.*``), so the registry tells who replaced whom, when, on which evidence.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

import mlflow
import pandas as pd
from pydantic import BaseModel, ConfigDict

from credit_engine.config import Settings
from credit_engine.errors import CreditEngineError
from credit_engine.features import FeatureSpec
from models.store import load_estimator
from training import tracking
from training.evaluation import holdout_metrics


class PromotionRefused(CreditEngineError):
    """The challenger is not better than the champion on the same holdout."""


class PromoteJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    model_name: str
    version: str
    force: bool = False
    reason: str | None = None
    min_auc_gain: float = 0.0

    def run(self, settings: Settings) -> dict[str, Any]:
        if self.force and not (self.reason and self.reason.strip()):
            raise ValueError("a forced promotion needs --reason")
        client = tracking.configure(settings)
        candidate = client.get_model_version(self.model_name, self.version)
        champion = tracking.alias_version(client, self.model_name, tracking.CHAMPION)
        outcome: dict[str, Any] = {"model_name": self.model_name, "version": self.version}
        if champion is not None and str(champion.version) == str(self.version):
            return {**outcome, "promoted": False, "decision": "already champion"}
        evidence = self._evidence(settings, candidate, champion)
        outcome.update(evidence)
        better = champion is None or evidence["candidate_auc"] > evidence["champion_auc"] + self.min_auc_gain
        if not better and not self.force:
            self._tag(client, "refused", evidence)
            raise PromotionRefused(
                f"version {self.version} (AUC {evidence['candidate_auc']:.4f}) is not better than champion "
                f"version {champion.version} (AUC {evidence['champion_auc']:.4f}) on the same holdout / "
                "挑战者模型在同一验证集上不优于现任冠军模型"
            )
        client.set_registered_model_alias(self.model_name, tracking.CHAMPION, self.version)
        self._tag(client, "forced" if not better else "promoted", evidence)
        return {
            **outcome,
            "promoted": True,
            "decision": "forced" if not better else "better on the same holdout",
        }

    def _evidence(self, settings: Settings, candidate: Any, champion: Any) -> dict[str, Any]:
        holdout, spec = _candidate_holdout(candidate.run_id)
        y = spec.labels(holdout)
        evidence: dict[str, Any] = {
            "holdout_run_id": candidate.run_id,
            "holdout_rows": len(holdout),
            "candidate_auc": self._candidate_auc(settings, candidate, holdout, y),
        }
        if champion is not None:
            champ = load_estimator(f"models:/{self.model_name}/{champion.version}", settings.mlflow_tracking_uri)
            evidence["champion_version"] = str(champion.version)
            evidence["champion_auc"] = holdout_metrics(y, champ.estimator.predict_pd(holdout))["auc"]
        return evidence

    def _candidate_auc(self, settings: Settings, candidate: Any, holdout: pd.DataFrame, y: Any) -> float:
        if candidate.tags.get("registered.fitted_on") == "all_rows":
            return float(candidate.tags["holdout.auc"])
        cand = load_estimator(f"models:/{self.model_name}/{self.version}", settings.mlflow_tracking_uri)
        return holdout_metrics(y, cand.estimator.predict_pd(holdout))["auc"]

    def _tag(self, client: Any, decision: str, evidence: dict[str, Any]) -> None:
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        tags = {
            "promotion.decision": decision,
            "promotion.at": stamp,
            "promotion.candidate_auc": f"{evidence['candidate_auc']:.6f}",
            "promotion.champion_auc": f"{evidence.get('champion_auc', float('nan')):.6f}",
            "promotion.previous_champion": evidence.get("champion_version", ""),
        }
        if self.reason:
            tags["promotion.reason"] = self.reason
        for key, value in tags.items():
            client.set_model_version_tag(self.model_name, self.version, key, value)


def _candidate_holdout(run_id: str) -> tuple[pd.DataFrame, FeatureSpec]:
    with tempfile.TemporaryDirectory() as tmp:
        path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=tracking.HOLDOUT_ARTIFACT, dst_path=tmp)
        holdout = pd.read_parquet(path)
        spec_dict = mlflow.artifacts.load_dict(f"runs:/{run_id}/spec/feature_spec.json")
    return holdout, FeatureSpec.from_dict(spec_dict, name=spec_dict.get("name", "custom"))
