"""The retraining job's refusals before any training: no champion to gate against, no rows to train on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import credit_engine
from training.retrain_job import NoChampion, NoTrainingRows, RetrainJob


def test_without_a_champion_nothing_is_trained(engine_settings):
    with pytest.raises(NoChampion, match="no champion") as raised:
        RetrainJob(as_of=dt.date(2026, 6, 30)).run(engine_settings, [])
    assert "冠军" in raised.value.message_zh


def test_without_matured_loans_or_a_registry_nothing_is_trained(engine_settings, monkeypatch):
    import training.retrain_job as job

    monkeypatch.setattr(job.tracking, "alias_version", lambda client, name, alias: object())
    with pytest.raises(NoTrainingRows, match="nothing to train"):
        RetrainJob(as_of=dt.date(2026, 6, 30)).run(engine_settings, [])


class _Version:
    def __init__(self, version: int, **tags: str) -> None:
        self.version, self.tags = version, tags


class _Client:
    def __init__(self, *versions: _Version) -> None:
        self.versions = versions

    def search_model_versions(self, query: str):
        return list(self.versions)


def test_an_earlier_version_is_reused_only_for_the_same_as_of_data_and_training():
    from credit_engine.retraining.policy import load_retraining_policy
    from training.retrain_job import TRAINING_TAG

    as_of, digest = dt.date(2026, 6, 30), "d" * 64
    before = load_retraining_policy(Path(credit_engine.__file__).parent / "policy" / "retraining-2026.2.yaml")
    same = {"retrain.as_of": as_of.isoformat(), "retrain.data_sha256": digest}
    every_family = RetrainJob(as_of=as_of)
    tagged = _Version(3, **same, **{TRAINING_TAG: every_family._training_tag(before)})
    untagged = _Version(2, **same)  # registered before the training was tagged: the defaults'
    assert every_family._find(_Client(tagged), "household-pd", digest, before) == "3"
    assert every_family._find(_Client(untagged), "household-pd", digest, before) == "2"
    assert every_family._find(_Client(tagged), "household-pd", "e" * 64, before) is None
    lightgbm_only = RetrainJob(as_of=as_of, families=("lightgbm",))
    assert lightgbm_only._find(_Client(tagged, untagged), "household-pd", digest, before) is None
    assert RetrainJob(as_of=as_of, cv_folds=3)._find(_Client(tagged, untagged), "household-pd", digest, before) is None
    again = _Version(4, **same, **{TRAINING_TAG: lightgbm_only._training_tag(before)})
    assert lightgbm_only._find(_Client(tagged, again), "household-pd", digest, before) == "4"
    reordered = RetrainJob(as_of=as_of, families=tuple(reversed(every_family.families)))
    assert reordered._find(_Client(tagged), "household-pd", digest, before) == "3"
    # recalibrated by county (2026.3) is another training; other recalibration terms are another again
    shipped = load_retraining_policy()
    assert every_family._find(_Client(tagged, untagged), "household-pd", digest, shipped) is None
    recalibrated = _Version(5, **same, **{TRAINING_TAG: every_family._training_tag(shipped)})
    assert every_family._find(_Client(tagged, recalibrated), "household-pd", digest, shipped) == "5"
    wider = shipped.model_copy(update={"recalibration": shipped.recalibration.model_copy(update={"prior_sd": 1.0})})
    assert every_family._find(_Client(recalibrated), "household-pd", digest, wider) is None
