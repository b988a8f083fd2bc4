"""The enterprise feature spec: every feature a contract field or a derived ratio, each speaking through an
enterprise reason, with the expert priors as monotone directions."""

from credit_engine.enterprise.fields import FIELD_BY_NAME, example_enterprise
from credit_engine.enterprise.ratios import derive_enterprise
from credit_engine.features import bundled_spec
from credit_engine.reasons import FALLBACK_CODE, reason, reason_for_feature


def test_every_feature_is_a_contract_field_or_a_ratio():
    spec = bundled_spec("enterprise")
    ratios = set(derive_enterprise(example_enterprise()))
    assert spec.name == "enterprise" and spec.derive == "enterprise"
    assert ratios <= set(spec.feature_names)
    assert all(name in FIELD_BY_NAME or name in ratios for name in spec.feature_names)
    assert all(name in FIELD_BY_NAME for name in spec.id_columns)


def test_expert_priors_are_monotone_directions():
    spec = bundled_spec("enterprise")
    increasing = {"leverage", "loan_to_revenue", "prior_overdue_times"}
    decreasing = {"current_ratio", "roa", "cash_flow_cover", "altman_z", "years_operating", "insured"}
    assert {f.name for f in spec.features if f.monotone == "increasing"} == increasing
    assert {f.name for f in spec.features if f.monotone == "decreasing"} == decreasing


def test_every_feature_speaks_through_a_reason_in_both_languages():
    for name in bundled_spec("enterprise").feature_names:
        code = reason_for_feature(name)
        assert code != FALLBACK_CODE, name
        assert reason(code).text_zh and reason(code).text_en
    assert reason(reason_for_feature("leverage")).text_zh == "资产负债率偏高"
