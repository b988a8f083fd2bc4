"""The shipped 强农贷 policy loads; a bad one is refused naming the key, as the 富民贷 policy is."""

import pytest
import yaml

from credit_engine.enterprise.policy import EnterprisePolicy, load_enterprise_policy
from credit_engine.policy import PolicyError, parse_policy
from credit_engine.policy.scale import scale_arrays


def shipped() -> dict:
    return load_enterprise_policy().model_dump(mode="json")


def refused(raw: dict) -> PolicyError:
    with pytest.raises(PolicyError) as raised:
        parse_policy(yaml.safe_dump(raw, allow_unicode=True), "test.yaml", EnterprisePolicy)
    return raised.value


def test_the_shipped_policy():
    policy = load_enterprise_policy()
    assert policy.version == "qiangnong-2026.1" and policy.product == "qiangnong"
    assert policy.product_limits.max_amount_yuan == 30_000_000
    assert policy.household_quota.per_household_yuan == 10_000
    assert policy.grades == ("AAA", "AA", "A", "B", "C")
    assert scale_arrays(policy).capped_line_yuan.tolist() == [30e6, 20e6, 10e6, 3e6, 0.0]
    assert policy.fingerprint() == parse_policy(yaml.safe_dump(shipped()), "copy", EnterprisePolicy).fingerprint()


def test_a_changed_value_changes_the_fingerprint():
    raw = shipped()
    raw["household_quota"]["per_household_yuan"] = 50_000
    changed = parse_policy(yaml.safe_dump(raw), "changed", EnterprisePolicy)
    assert changed.fingerprint() != load_enterprise_policy().fingerprint()


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda raw: raw["grade_limits_yuan"].update(B=40_000_000), ""),
        (lambda raw: raw["grade_limits_yuan"].pop("C"), ""),
        (lambda raw: raw["collateral"]["advance_rates"].update(gold=0.9), "collateral.advance_rates"),
        (lambda raw: raw["collateral"]["advance_rates"].update(none=0.5), "collateral"),
        (lambda raw: raw["collateral"].update(waived_by_guarantors=["bank"]), "collateral.waived_by_guarantors"),
        (lambda raw: raw["master_scale"][1].update(max_pd=0.005), "master_scale"),
        (lambda raw: raw["product_limits"].update(min_amount_yuan=50_000_000), "product_limits"),
        (lambda raw: raw.update(surprise={}), "surprise"),
        (
            lambda raw: raw["eligibility"].update(excluded_credit_records=["bankrupt"]),
            "eligibility.excluded_credit_records",
        ),
        (lambda raw: raw["eligibility"].update(max_term_months=120), "eligibility"),
        (lambda raw: raw["decision"].update(approve_max_pd=0.5), "decision"),
    ],
)
def test_a_bad_policy_is_refused_naming_the_key(change, key):
    raw = shipped()
    change(raw)
    error = refused(raw)
    assert any(problem_key == key for problem_key, _ in error.problems), error.problems
    assert "评级政策配置有误" in str(error)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(PolicyError):
        load_enterprise_policy(tmp_path / "none.yaml")
