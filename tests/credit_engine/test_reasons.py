from credit_engine.features import household_spec
from credit_engine.policy import KNOCKOUT_CODES
from credit_engine.reasons import FALLBACK_CODE, REASONS, reason, reason_for_feature


def test_every_household_feature_speaks_through_a_business_reason():
    for name in household_spec().feature_names:
        code = reason_for_feature(name)
        assert code != FALLBACK_CODE, name
        assert code.startswith("R")


def test_several_income_features_read_as_one_reason():
    assert reason_for_feature("annual_net_income") == reason_for_feature("income_per_capita") == "R01"
    assert reason("R01").text_zh == "家庭收入偏低"
    assert reason("R01").text_en == "low household income"


def test_every_reason_has_chinese_and_english_text_and_a_unique_code():
    for code, item in REASONS.items():
        assert item.code == code
        assert item.text_zh and item.text_en
        assert any("\u4e00" <= ch <= "\u9fff" for ch in item.text_zh)


def test_unknown_features_fall_back_and_every_knockout_code_is_in_the_table():
    assert reason_for_feature("a_bank_specific_column") == FALLBACK_CODE
    assert set(KNOCKOUT_CODES) <= set(REASONS)
