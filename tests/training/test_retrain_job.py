"""The retraining job's refusals before any training: no champion to gate against, no rows to train on."""

from __future__ import annotations

import datetime as dt

import pytest

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
