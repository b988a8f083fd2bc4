"""The retraining job (模型重训): matured outcomes → weighted training set → the training job → the promotion gate
on the most recent matured vintages out of time → champion only when the gate passes; idempotent per as-of.

The training set and the holdout are :mod:`credit_engine.retraining.training_set`'s; the training rows are written
to ``<data_dir>/retraining/train-<as-of>-<digest>.parquet`` (the version's ``data.path``) and trained by the same
:class:`training.train_job.TrainJob` as ``credit-engine train``, every family, with the recency weights drawn by
rejection sampling (``weight_column``). When the policy recalibrates, the matured loans of the latest vintages before
the gate's are kept out of the training rows and the selected family is recalibrated by county on them
(:class:`models.county_offsets.CountyRecalibratedPD`, a log-odds offset per county): that is the registered
challenger the gate judges; its offsets go into the report (``training.recalibration``) and the run's artifacts. The
rows were validated by the data contract when they were assessed (their
ID numbers are not kept), so :class:`OutcomeTrainJob` checks them with the spec's checks only. The new version gets
the alias ``challenger`` (never ``champion`` directly: a champion must exist before retraining). The gate
(:func:`credit_engine.retraining.gate.gate`) compares it with the champion re-scored on the same out-of-time rows
(the approval ratios on the applicants of the held-out months, when the recorded assessments are given);
its table goes into the version's tags (``retrain.gate`` as JSON, ``retrain.gate.<criterion>`` one line each), the
run's artifacts and the report. A second run with the same as-of and the same data (``retrain.as_of`` and
``retrain.data_sha256`` tags) finds that version and registers nothing new: it reuses the gate's result when the
version was gated under the same retraining policy (``retrain.gate.policy_fingerprint``), gates it again under a
changed policy, and never promotes a version twice (``promotion.decision``).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from mlflow import MlflowClient
from pydantic import BaseModel, ConfigDict, Field

from credit_engine.config import Settings
from credit_engine.errors import BilingualError
from credit_engine.features import FeatureSpec, household_spec
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.policy import load_policy
from credit_engine.retraining.gate import COLUMN_LABELS, Applicants, GateResult, gate
from credit_engine.retraining.policy import Recalibration, RetrainingPolicy, load_retraining_policy
from credit_engine.retraining.training_set import (
    LABEL,
    WEIGHT,
    RetrainingSet,
    holdout_applicants,
    retraining_set,
)
from models.county_offsets import CountyRecalibratedPD
from models.store import load_estimator
from training import tracking
from training.data import load_frame, validate_generic
from training.families import CANDIDATES, FittedFamily
from training.selection import DEFAULT_FOLDS
from training.train_job import TrainJob

PROMOTED, ALREADY, REFUSED = "promoted", "already_champion", "refused"
DECISION_LABELS = {PROMOTED: "已晋级 promoted", ALREADY: "已是冠军 already champion", REFUSED: "闸门拒绝 refused"}
EXIT_CODES = {PROMOTED: 0, ALREADY: 0, REFUSED: 4}
WEIGHT_RULE = (
    "weight = 0.5 ** (age in years / half_life_years), age = as-of − application date; drawn by rejection sampling "
    "/ 权重 = 0.5 ^ (样本年龄(年) / 半衰期)，按权重拒绝抽样"
)


class NoChampion(BilingualError):
    code = "no_champion"


class NoTrainingRows(BilingualError):
    code = "no_training_rows"


class OutcomeTrainJob(TrainJob):
    """The training job on the retraining file: rows validated when assessed, checked by the spec's rules here;
    with ``recalibration`` (a file of matured loans the training rows leave out), the registered model is the
    selected family recalibrated by county on those loans (:class:`models.county_offsets.CountyRecalibratedPD`)."""

    recalibration: Path | None = None
    recalibration_policy: Recalibration | None = None

    def read_frame(self, spec: FeatureSpec) -> pd.DataFrame:
        return validate_generic(pd.read_parquet(self.data), spec)

    def finish(self, registered: FittedFamily) -> FittedFamily:
        if self.recalibration is None or self.recalibration_policy is None:
            return registered
        rows = validate_generic(pd.read_parquet(self.recalibration), household_spec())
        if len(rows) == 0:
            return registered
        terms = self.recalibration_policy
        model = CountyRecalibratedPD(
            registered.estimator, terms.prior_sd, terms.reason_min_offset, direction=terms.direction
        )
        return replace(registered, estimator=model.fit(rows, rows[LABEL].astype(int).to_numpy()))


TRAINING_TAG = "retrain.training"


def training_tag(
    families: Sequence[str],
    cv_folds: int,
    seed: int,
    params: Mapping[str, Any],
    recalibration: Recalibration | None = None,
) -> str:
    """Canonical JSON of how a challenger is trained: rerunning with the same as-of and data but another ``--family``,
    ``--cv-folds`` or recalibration (the policy's terms) trains a new version instead of reusing the earlier one."""
    chosen = {"families": sorted(families), "cv_folds": cv_folds, "seed": seed, "params": params}
    if recalibration is not None:  # absent before recalibration existed: earlier versions keep their tag
        chosen["recalibration"] = recalibration.model_dump(mode="json")
    return json.dumps(chosen, sort_keys=True, separators=(",", ":"), default=str)


DEFAULT_TRAINING_TAG = training_tag(CANDIDATES, DEFAULT_FOLDS, 0, {})


class RetrainJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: dt.date
    registry: Path | None = None
    policy: Path | None = None
    model_name: str | None = None
    seed: int = 0
    families: tuple[str, ...] = CANDIDATES
    params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cv_folds: int = Field(default=DEFAULT_FOLDS, ge=2)

    def run(
        self,
        settings: Settings,
        rows: list[dict],
        on_step: Callable[[str], None] = lambda _: None,
        applicants: Sequence[Mapping[str, object]] = (),
    ) -> dict:
        """Retrain on the outcome ``rows`` and gate the challenger; the report (``decision``, ``exit_code``).
        ``applicants`` are the inputs of every recorded assessment (the gate judges the approval ratios on those of
        the held-out months; none given: on the held-out loans)."""
        policy, spec = load_retraining_policy(self.policy), household_spec()
        client = tracking.configure(settings)
        name = self.model_name or settings.model_name
        champion = tracking.alias_version(client, name, tracking.CHAMPION)
        if champion is None:
            raise NoChampion(f"model {name} has no champion to gate a retrained model against; train one first",
                             f"模型 {name} 尚无冠军版本，无法比较；请先训练")  # fmt: skip
        registry = load_frame(self.registry, spec) if self.registry is not None else None
        data = retraining_set(rows, registry, self.as_of, policy)
        if len(data.train) == 0:
            en = f"no matured loan before the held-out vintages as of {self.as_of} and no registry: nothing to train"
            raise NoTrainingRows(en, f"截至 {self.as_of} 没有可训练的已成熟贷款，也未提供原始样本")
        digest = data.digest()
        version, trained = self._find(client, name, digest, policy), None
        if version is None:
            on_step("training every family / 训练各模型族")
            trained = self._train(settings, data, digest, policy, name)
            version = trained["model_version"]
        tags = tracking.version_tags(client, name, version)
        if "retrain.gate" in tags and tags.get("retrain.gate.policy_fingerprint") == policy.fingerprint():
            result = GateResult(tags["retrain.gate.decision"] == "pass", json.loads(tags["retrain.gate"]))
            compared = tags.get("retrain.champion_version", "")
        else:  # not gated yet, or gated under another policy: gate (again) and tag the version with the result
            on_step("promotion gate / 晋级闸门")
            found = holdout_applicants(applicants, data.holdout_vintages)
            result, compared = self._gate(settings, client, (name, version, str(champion.version)), data, policy, found)
        decision = self._decide(client, name, version, str(champion.version), result, tags)
        after = tracking.alias_version(client, name, tracking.CHAMPION)
        return {
            "as_of": self.as_of.isoformat(), "model_name": name, "version": version,
            "registered_now": trained is not None, "champion_compared": compared,
            "champion_before": str(champion.version), "champion_after": str(after.version) if after else None,
            "decision": decision, "decision_label": DECISION_LABELS[decision], "exit_code": EXIT_CODES[decision],
            "gate": {**result.as_dict(), "columns": COLUMN_LABELS}, "training_set": data.describe(),
            "data_sha256": digest,
            "policy": {"version": policy.version, "fingerprint": policy.fingerprint()}, "weights": WEIGHT_RULE,
            "training": _training_summary(trained),
        }  # fmt: skip

    def _find(self, client: MlflowClient, name: str, digest: str, policy: RetrainingPolicy) -> str | None:
        """The version an earlier run registered for this as-of, these data and this training (families, folds,
        seed, parameters), if any; a version registered before the training was tagged counts as the defaults'."""
        training = self._training_tag(policy)
        for found in client.search_model_versions(f"name = '{name}'"):
            tags = found.tags or {}
            if tags.get("retrain.as_of") == self.as_of.isoformat() and tags.get("retrain.data_sha256") == digest:
                if tags.get(TRAINING_TAG, DEFAULT_TRAINING_TAG) == training:
                    return str(found.version)
        return None

    def _training_tag(self, policy: RetrainingPolicy) -> str:
        """How the challenger is trained, as the canonical JSON its version is tagged with."""
        return training_tag(self.families, self.cv_folds, self.seed, self.params, policy.recalibration)

    def _train(self, settings: Settings, data: RetrainingSet, digest: str, policy: RetrainingPolicy, name: str):
        folder = settings.data_dir / "retraining"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"train-{self.as_of.isoformat()}-{digest[:12]}.parquet"
        data.train.to_parquet(path, index=False)
        recalibration = None
        if data.recalibration is not None:
            recalibration = folder / f"recalibration-{self.as_of.isoformat()}-{digest[:12]}.parquet"
            data.recalibration.to_parquet(recalibration, index=False)
        report = OutcomeTrainJob(
            data=path, model_name=name, seed=self.seed, families=self.families, params=self.params,
            cv_folds=self.cv_folds, weight_column=WEIGHT, recalibration=recalibration,
            recalibration_policy=policy.recalibration,
        ).run(settings)  # fmt: skip
        client = tracking.configure(settings)
        tags = {"retrain.as_of": self.as_of.isoformat(), "retrain.data_sha256": digest,
                "retrain.policy_version": policy.version, "retrain.policy_fingerprint": policy.fingerprint(),
                "retrain.holdout_vintages": ",".join(data.holdout_vintages),
                TRAINING_TAG: self._training_tag(policy)}  # fmt: skip
        for key, value in tags.items():
            client.set_model_version_tag(name, report["model_version"], key, value)
        with tempfile.TemporaryDirectory() as tmp:
            holdout = Path(tmp) / "oot_holdout.parquet"
            data.holdout.to_parquet(holdout, index=False)
            client.log_artifact(report["run_id"], str(holdout), "retraining")
        if "recalibration" in report:
            client.log_dict(report["run_id"], report["recalibration"], "retraining/recalibration.json")
        return report

    def _gate(self, settings, client, names, data, policy, applicants) -> tuple[GateResult, str]:  # noqa: ANN001
        name, version, champion = names
        spec = household_spec()
        holdout = validate_generic(data.holdout, spec)
        population = validate_generic(applicants, spec, require_label=False) if len(applicants) else None
        models = {v: load_estimator(f"models:/{name}/{v}", settings.mlflow_tracking_uri).estimator
                  for v in (champion, version)}  # fmt: skip
        scores = {v: model.predict_pd(holdout) for v, model in models.items()}
        judged = (
            None
            if population is None
            else Applicants(population, *(models[v].predict_pd(population) for v in (champion, version)))
        )
        approve_max_pd = load_policy(settings.policy_file).decision.approve_max_pd
        result = gate(holdout, scores[champion], scores[version], policy, approve_max_pd, load_monitoring_policy(),
                      judged)  # fmt: skip
        tags = {"retrain.champion_version": champion, "retrain.gate.decision": result.as_dict()["decision"],
                "retrain.gate.policy_version": policy.version, "retrain.gate.policy_fingerprint": policy.fingerprint(),
                **{f"retrain.gate.{r['criterion']}": _line(r) for r in result.rows},
                "retrain.gate": json.dumps(result.rows, ensure_ascii=False, separators=(",", ":"))}  # fmt: skip
        for key, value in tags.items():
            client.set_model_version_tag(name, version, key, value)
        run_id = client.get_model_version(name, version).run_id
        client.log_dict(run_id, result.as_dict(), "retraining/gate.json")
        return result, champion

    def _decide(self, client, name: str, version: str, champion: str, result: GateResult, tags: dict) -> str:  # noqa: ANN001
        if champion == version or tags.get("promotion.decision") == PROMOTED:
            return ALREADY
        if not result.passed:
            client.set_model_version_tag(name, version, "promotion.decision", REFUSED)
            return REFUSED
        client.set_registered_model_alias(name, tracking.CHAMPION, version)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        tags = {"promotion.decision": PROMOTED, "promotion.at": stamp, "promotion.previous_champion": champion,
                "promotion.reason": f"retraining gate passed as of {self.as_of.isoformat()}"}  # fmt: skip
        for key, value in tags.items():
            client.set_model_version_tag(name, version, key, value)
        return PROMOTED


def _line(row: dict) -> str:
    """One gate row as a tag value: status, both figures and the rule."""
    if row["criterion"] == "evidence":
        return f"{row['status']}: {row['loans']} loans, {row['bads']} bads ({row['rule']})"
    return f"{row['status']}: champion {row['champion']} → challenger {row['challenger']} ({row['rule']})"


def _training_summary(report: dict | None) -> dict | None:
    if report is None:
        return None
    keys = ("selected", "model_uri", "run_id", "aliases", "registered_model", "recalibration")
    return {key: report.get(key) for key in keys}
