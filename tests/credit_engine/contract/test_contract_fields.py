"""The field table: names and order as in DESIGN.md, 中文 aliases, enum codes and labels."""

import pytest

from credit_engine.contract import (
    APPLICATION_FIELDS,
    FIELD_BY_NAME,
    HEADER_ALIASES,
    LABEL_FIELD,
    FieldDef,
    field_for_header,
    label_zh,
    normalise_headers,
)
from credit_engine.errors import InvalidInput

DESIGN_ORDER = [
    "application_id",
    "household_id",
    "head_id_number",
    "county_code",
    "village_code",
    "registry_status",
    "head_age",
    "head_gender",
    "head_education",
    "head_health",
    "household_size",
    "labor_count",
    "migrant_workers",
    "poverty_cause",
    "annual_net_income",
    "transfer_income",
    "total_assets",
    "total_liabilities",
    "arable_land_mu",
    "livestock_units",
    "housing_safe",
    "medical_insurance",
    "loan_insurance",
    "cooperative_member",
    "coop_share_capital",
    "ecommerce_sales",
    "village_evaluation",
    "neighbor_relations",
    "credit_record",
    "prior_loans",
    "prior_overdue_times",
    "requested_amount",
    "term_months",
    "purpose",
    "application_date",
    "village_road_hardened",
    "village_broadband",
    "village_migration_rate",
]


def test_every_contract_field_in_design_order():
    assert [f.name for f in APPLICATION_FIELDS] == DESIGN_ORDER
    assert [f.name for f in APPLICATION_FIELDS if not f.required] == ["application_id"]


def test_the_label_is_separate_and_zero_or_one():
    assert LABEL_FIELD.name == "defaulted" and LABEL_FIELD.zh == "是否违约"
    assert (LABEL_FIELD.minimum, LABEL_FIELD.maximum) == (0, 1)
    assert LABEL_FIELD not in APPLICATION_FIELDS
    assert FIELD_BY_NAME["defaulted"] is LABEL_FIELD


@pytest.mark.parametrize(
    ("name", "choices"),
    [
        (
            "registry_status",
            {"registered": "建档立卡", "exited": "已脱贫", "monitored": "监测户", "none": "非建档立卡"},
        ),
        ("head_gender", {"M": "男", "F": "女"}),
        ("village_evaluation", {"excellent": "优秀", "good": "较好", "fair": "一般", "poor": "差"}),
        ("credit_record", {"none": "无记录", "normal": "正常", "watch": "关注", "adverse": "不良"}),
    ],
)
def test_enum_codes_and_labels_as_in_the_design(name, choices):
    assert dict(FIELD_BY_NAME[name].choices) == choices
    assert FIELD_BY_NAME[name].codes == tuple(choices)


def test_purpose_and_poverty_cause_keep_table_order():
    assert FIELD_BY_NAME["purpose"].codes[:3] == ("crops", "livestock", "processing")
    assert FIELD_BY_NAME["purpose"].codes[-1] == "other"
    assert len(FIELD_BY_NAME["poverty_cause"].codes) == 13
    assert FIELD_BY_NAME["poverty_cause"].choices["motivation"] == "自身发展动力不足"


def test_village_traits_are_in_the_contract():
    assert FIELD_BY_NAME["village_road_hardened"].zh == "通硬化路"
    assert FIELD_BY_NAME["village_broadband"].zh == "通宽带"
    assert FIELD_BY_NAME["village_migration_rate"].zh == "村劳动力外出比例"


def test_sanity_ranges_are_wider_than_product_policy():
    amount = FIELD_BY_NAME["requested_amount"]
    assert amount.minimum == 0 and amount.minimum_exclusive and amount.maximum == 30_000_000
    assert FIELD_BY_NAME["term_months"].maximum == 120
    assert FIELD_BY_NAME["head_age"].maximum == 120


def test_headers_map_from_chinese_and_english():
    assert HEADER_ALIASES["户主年龄"] == "head_age"
    assert HEADER_ALIASES["head_age"] == "head_age"
    assert HEADER_ALIASES["耕地面积(亩)"] == "arable_land_mu"
    assert HEADER_ALIASES["耕地面积（亩）"] == "arable_land_mu"
    assert HEADER_ALIASES["是否违约"] == "defaulted"


@pytest.mark.parametrize("header", ["  户主年龄 ", "head_age", " Head_Age", "户主年龄\t"])
def test_headers_tolerate_blanks_and_case(header):
    assert field_for_header(header) == "head_age"


@pytest.mark.parametrize("header", ["耕地面积（亩）", "耕地面积 (亩)", " 耕地面积(亩) "])
def test_headers_tolerate_full_width_brackets(header):
    assert field_for_header(header) == "arable_land_mu"


def test_unknown_headers_are_kept_as_they_are():
    assert normalise_headers(["户主年龄", "备注", "county_code"]) == ["head_age", "备注", "county_code"]
    assert field_for_header("备注") is None


def test_two_headers_for_one_field_are_refused():
    with pytest.raises(InvalidInput) as caught:
        normalise_headers(["户主年龄", "head_age", "县代码"])
    [error] = caught.value.errors
    assert (error.row, error.field, error.rule) == (1, "head_age", "duplicate_column")


def test_label_zh_for_enums_and_flags():
    assert label_zh("head_gender", "M") == "男"
    assert label_zh("registry_status", "none") == "非建档立卡"
    assert label_zh("housing_safe", True) == "是"
    assert label_zh("housing_safe", False) == "否"
    with pytest.raises(KeyError):
        label_zh("head_gender", "X")


def test_field_definitions_check_themselves():
    with pytest.raises(ValueError, match="kind"):
        FieldDef("x", "叉", "decimal")
    with pytest.raises(ValueError, match="choices"):
        FieldDef("x", "叉", "enum")
    with pytest.raises(ValueError, match="choices"):
        FieldDef("x", "叉", "str", choices={"a": "甲"})
