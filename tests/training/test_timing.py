"""The stage clock: seconds per named stage, the progress line, MLflow metric names."""

from __future__ import annotations

import pytest

from training.timing import StageClock


def test_stages_add_up_and_report_their_description():
    steps: list[str] = []
    clock = StageClock(steps.append)
    with clock.stage("refit", "refit lightgbm on all rows"):
        pass
    with clock.stage("holdout_fits"):
        pass
    clock.add("refit", 1.5)

    assert steps == ["refit lightgbm on all rows", "holdout fits"]
    assert list(clock.seconds) == ["refit", "holdout_fits"] and clock.seconds["refit"] >= 1.5
    report = clock.report()
    assert report["total"] >= 0 and set(report) == {"refit", "holdout_fits", "total"}
    assert set(clock.metrics()) == {"time.refit_seconds", "time.holdout_fits_seconds", "time.total_seconds"}


def test_a_failing_stage_is_still_timed():
    clock = StageClock()
    with pytest.raises(RuntimeError), clock.stage("cross_validation"):
        raise RuntimeError("boom")
    assert "cross_validation" in clock.seconds
