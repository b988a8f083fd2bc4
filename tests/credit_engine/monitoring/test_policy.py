"""The monitoring policy: the shipped file loads, a bad one is refused naming the field; statuses at the thresholds."""

from __future__ import annotations

import pytest

from credit_engine.monitoring.policy import (
    MonitoringPolicyError,
    at_least,
    below,
    load_monitoring_policy,
    parse_policy,
    worst,
)


def test_the_shipped_policy_sets_the_issue_thresholds():
    policy = load_monitoring_policy()
    assert (policy.version, policy.stability.watch, policy.stability.act) == ("monitoring-2026.1", 0.10, 0.25)
    assert policy.fairness.approval_ratio_watch == 0.8
    assert policy.performance.early_mob == (3, 6)


@pytest.mark.parametrize(
    ("value", "expected"), [(0.0999, "green"), (0.10, "watch"), (0.2499, "watch"), (0.25, "act"), (None, "not_judged")]
)
def test_psi_thresholds_watch_and_act_are_inclusive(value, expected):
    assert at_least(value, 0.10, 0.25) == expected


@pytest.mark.parametrize(("value", "expected"), [(0.8, "green"), (0.7999, "watch"), (0.6, "watch"), (0.5999, "act")])
def test_low_figures_are_judged_below_their_floors(value, expected):
    assert below(value, 0.8, 0.6) == expected


def test_the_worst_status_wins_and_nothing_judged_is_green():
    assert worst(["green", "watch", "not_judged"]) == "watch"
    assert worst(["watch", "act", None]) == "act"
    assert worst(["not_judged", "info"]) == "green"


def test_a_policy_with_act_below_watch_is_refused_naming_the_field():
    text = load_monitoring_policy().model_dump_json().replace('"act":0.25', '"act":0.05')
    with pytest.raises(MonitoringPolicyError) as error:
        parse_policy(text, "bad.yaml")
    assert "stability" in str(error.value) and "act must be above watch" in str(error.value)
    assert "模型监控策略" in error.value.message_zh
