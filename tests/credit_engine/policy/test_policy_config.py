"""The rating policy file: the shipped one loads, bad files are refused naming the key, edits change the print."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import pydantic
import pytest
import yaml

from credit_engine.policy import PolicyError, RatingPolicy, load_policy, parse_policy


def shipped_raw() -> dict:
    text = resources.files("credit_engine.policy").joinpath("fumin-2026.1.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def as_yaml(raw: dict) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def problem_keys(raw: dict) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(as_yaml(raw), source="test.yaml")
    assert "test.yaml" in str(caught.value)
    return [key for key, _ in caught.value.problems]


def test_shipped_policy_loads_with_the_fumin_rules():
    policy = load_policy()

    assert isinstance(policy, RatingPolicy)
    assert policy.version == "fumin-2026.1"
    assert policy.product == "fumin"
    assert policy.effective_from == dt.date(2026, 1, 1)
    assert policy.grades == ("AAA", "AA", "A", "B", "C")
    assert [band.max_pd for band in policy.master_scale] == [0.01, 0.025, 0.05, 0.10, 1.0]
    assert policy.grade_lines_yuan == {"AAA": 50_000, "AA": 30_000, "A": 10_000, "B": 0, "C": 0}
    assert policy.grade_labels_zh["AAA"] == "优秀"
    assert policy.product_limits.max_amount_yuan == 50_000
    assert policy.product_limits.forestry_max_term_months == 60
    assert policy.eligibility.min_age == 18 and policy.eligibility.max_age == 65
    assert policy.decision.approve_max_pd == 0.05 and policy.decision.decline_min_pd == 0.15
    assert policy.line_rounding_yuan == 1_000


def test_policy_is_frozen():
    policy = load_policy()
    with pytest.raises(pydantic.ValidationError):
        policy.version = "edited"  # type: ignore[misc]


def test_a_scale_that_does_not_increase_is_refused():
    raw = shipped_raw()
    raw["master_scale"][2]["max_pd"] = 0.02  # A below AA

    with pytest.raises(PolicyError, match="strictly increasing"):
        parse_policy(as_yaml(raw))
    assert problem_keys(raw) == ["master_scale"]


def test_a_scale_that_does_not_end_at_one_is_refused():
    raw = shipped_raw()
    raw["master_scale"][-1]["max_pd"] = 0.5

    with pytest.raises(PolicyError, match="max_pd 1.0"):
        parse_policy(as_yaml(raw))


def test_a_grade_without_a_line_is_refused():
    raw = shipped_raw()
    del raw["grade_lines_yuan"]["B"]

    with pytest.raises(PolicyError, match=r"grade_lines_yuan: grades \['B'\]"):
        parse_policy(as_yaml(raw))


def test_lines_that_grow_down_the_scale_are_refused():
    raw = shipped_raw()
    raw["grade_lines_yuan"]["A"] = 40_000

    assert problem_keys(raw) == ["grade_lines_yuan"]


def test_a_line_below_the_product_minimum_is_refused():
    raw = shipped_raw()
    raw["grade_lines_yuan"]["A"] = 500

    with pytest.raises(PolicyError, match="grade_lines_yuan: lines of grades"):
        parse_policy(as_yaml(raw))


def test_a_label_for_an_unknown_grade_is_refused():
    raw = shipped_raw()
    raw["grade_labels_zh"]["D"] = "很差"

    assert problem_keys(raw) == ["grade_labels_zh"]


def test_unknown_keys_and_enum_typos_are_named():
    raw = shipped_raw()
    raw["product_limits"]["max_amount"] = 60_000
    raw["eligibility"]["productive_purposes"][0] = "crop"

    assert sorted(problem_keys(raw)) == ["eligibility.productive_purposes", "product_limits.max_amount"]
    with pytest.raises(PolicyError, match=r"\['crop'\] are not purpose codes of the data contract"):
        parse_policy(as_yaml(raw))


def test_bands_in_the_wrong_order_are_refused():
    raw = shipped_raw()
    raw["decision"] = {"approve_max_pd": 0.2, "decline_min_pd": 0.15}

    with pytest.raises(PolicyError, match="decision: approve_max_pd is above decline_min_pd"):
        parse_policy(as_yaml(raw))


def test_a_key_given_twice_is_refused():
    text = as_yaml(shipped_raw()) + "line_rounding_yuan: 500\n"

    with pytest.raises(PolicyError, match="keys given twice: line_rounding_yuan"):
        parse_policy(text)


def test_unreadable_and_non_yaml_files_are_refused(tmp_path: Path):
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "missing.yaml")
    with pytest.raises(PolicyError, match="not valid YAML"):
        parse_policy("version: [unclosed")
    with pytest.raises(PolicyError, match="is a mapping"):
        parse_policy("- just a list")


def test_fingerprint_ignores_layout_but_sees_every_value(tmp_path: Path):
    raw = shipped_raw()
    original = tmp_path / "policy.yaml"
    original.write_text(as_yaml(raw), encoding="utf-8")
    relaid = tmp_path / "relaid.yaml"
    relaid.write_text("# same rules, other layout\n" + yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    raw["repayment_capacity"]["annual_rate"] = 0.0475  # same version, different content
    edited = tmp_path / "edited.yaml"
    edited.write_text(as_yaml(raw), encoding="utf-8")

    fingerprint = load_policy(original).fingerprint()

    assert len(fingerprint) == 64
    assert fingerprint == load_policy().fingerprint()
    assert load_policy(relaid).fingerprint() == fingerprint
    assert load_policy(edited).version == "fumin-2026.1"
    assert load_policy(edited).fingerprint() != fingerprint
