"""The outcome definition: the shipped file loads, a bad value is refused naming its field in English and 中文, every
value changes the fingerprint, and a command's overrides are validated like the file."""

from __future__ import annotations

import pytest

from credit_engine.outcomes.definition import OutcomeDefinitionError, load_definition, parse_definition

GOOD = """
version: outcomes-test.1
product: fumin
effective_from: 2026-01-01
window_months: 12
dpd_threshold: 90
bad_events: [dpd, compensation_claim, write_off]
link_tolerance_days: 90
"""


def test_the_shipped_definition_is_twelve_months_and_ninety_days_past_due():
    definition = load_definition()
    assert (definition.product, definition.window_months, definition.dpd_threshold) == ("fumin", 12, 90)
    assert definition.bad_events == ("dpd", "compensation_claim", "write_off")
    assert len(definition.fingerprint()) == 64


@pytest.mark.parametrize(
    ("text", "field", "zh"),
    [
        ("window_months: 12", "window_months: 0", "表现期(月)（window_months）"),
        ("dpd_threshold: 90", "dpd_threshold: ninety", "逾期天数阈值（dpd_threshold）"),
        ("[dpd, compensation_claim, write_off]", "[dpd, restructuring]", "坏样本事件（bad_events）"),
        ("link_tolerance_days: 90", "link_tolerance_days: -1", "关联容差(天)（link_tolerance_days）"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_in_both_languages(text, field, zh):
    with pytest.raises(OutcomeDefinitionError) as refused:
        parse_definition(GOOD.replace(text, field), "bad.yaml")
    name = zh.split("（")[1].rstrip("）")
    assert [problem[0] for problem in refused.value.problems] == [name]
    assert f"bad.yaml is invalid: {name}" in refused.value.message_en and zh in refused.value.message_zh


def test_an_unknown_key_and_a_key_given_twice_are_refused():
    with pytest.raises(OutcomeDefinitionError, match="extra_key"):
        parse_definition(GOOD + "extra_key: 1\n")
    with pytest.raises(OutcomeDefinitionError, match="keys given twice: window_months"):
        parse_definition(GOOD + "window_months: 6\n")


def test_every_value_changes_the_fingerprint_and_comments_do_not():
    base = parse_definition(GOOD)
    assert parse_definition(GOOD + "# a comment\n").fingerprint() == base.fingerprint()
    assert parse_definition(GOOD.replace("dpd_threshold: 90", "dpd_threshold: 60")).fingerprint() != base.fingerprint()


def test_overrides_are_validated_like_the_file():
    definition = parse_definition(GOOD)
    assert definition.with_overrides(window_months=6, dpd_threshold=None).window_months == 6
    assert definition.with_overrides(window_months=None) is definition
    with pytest.raises(OutcomeDefinitionError) as refused:
        definition.with_overrides(window_months=0, dpd_threshold=0)
    assert [field for field, _ in refused.value.problems] == ["window_months", "dpd_threshold"]


def test_a_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(OutcomeDefinitionError, match="nowhere.yaml"):
        load_definition(tmp_path / "nowhere.yaml")
