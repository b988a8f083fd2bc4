"""Validation of household applications: every rule fires on the right row and field, good rows pass untouched."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from credit_engine.contract import (
    FIELD_BY_NAME,
    example_application,
    idnumber,
    validate_application,
    validate_applications,
)
from credit_engine.contract.columns import check_column
from credit_engine.contract.record import validate_record
from credit_engine.contract.syntax import RULES


def as_text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def application(**changes) -> dict[str, str]:
    """The example application as a spreadsheet gives it (all text), with some fields changed."""
    return {name: as_text(value) for name, value in {**example_application(), **changes}.items()}


def raw(*records) -> pd.DataFrame:
    """Records as a frame of text; each keeps the example's application_id only if the test set no other."""
    default = example_application()["application_id"]
    numbered = [
        {**r, "application_id": f"A{i}"} if r.get("application_id") == default and len(records) > 1 else r
        for i, r in enumerate(records)
    ]
    return pd.DataFrame(numbered, dtype=str)


def found(result) -> list[tuple]:
    return [(e.row, e.field, e.rule) for e in result.errors]


def test_a_good_application_passes_with_canonical_dtypes():
    result = validate_applications(raw(application()))
    assert result.ok and result.errors == [] and result.ignored_columns == []
    frame = result.frame
    assert list(frame.index) == [2] and frame.index.name == "row"
    assert frame["head_age"].dtype == np.int64
    assert frame["annual_net_income"].dtype == np.float64
    assert frame["housing_safe"].dtype == bool
    assert frame["application_date"].dtype == "datetime64[ns]"
    assert list(frame["registry_status"].cat.categories) == ["registered", "exited", "monitored", "none"]
    assert list(frame["purpose"].cat.categories) == list(FIELD_BY_NAME["purpose"].codes)
    assert frame["head_id_number"].iat[0] == example_application()["head_id_number"]
    assert frame["application_date"].iat[0] == pd.Timestamp("2024-03-01")


def test_values_outside_product_policy_are_valid_data():
    born = dt.date(1953, 6, 1)  # 70 on the application date
    record = application(
        requested_amount="80000",
        term_months="48",
        head_age="70",
        head_id_number=idnumber.make("140121", born, 121),
        registry_status="none",
        purpose="wedding",
        credit_record="adverse",
    )
    result = validate_applications(raw(record))
    assert result.ok, result.errors
    assert result.frame["requested_amount"].iat[0] == 80_000.0


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("household_id", "", "required"),
        ("village_code", "   ", "required"),
        ("head_age", "12.5", "type_int"),
        ("head_age", "forty", "type_int"),
        ("head_age", "-1", "min"),
        ("head_age", "121", "max"),
        ("household_size", "0", "min"),
        ("household_size", "21", "max"),
        ("neighbor_relations", "6", "max"),
        ("term_months", "0", "min"),
        ("term_months", "121", "max"),
        ("annual_net_income", "1,000", "yuan_format"),
        ("annual_net_income", "abc", "yuan_format"),
        ("total_liabilities", "-5", "yuan_format"),
        ("requested_amount", "1e2", "yuan_format"),
        ("requested_amount", "12.345", "yuan_decimals"),
        ("requested_amount", "１０００", "yuan_format"),
        ("arable_land_mu", "-5", "min"),
        ("village_code", "14012110100\x00", "control_character"),
        ("household_id", "H\u202e001", "control_character"),
        ("application_id", "A-110101199003074514", "id_number"),
        ("household_id", "140121101001023", "id_number"),
        ("village_code", "140121-101001", "code_format"),
        ("requested_amount", "0", "min"),
        ("requested_amount", "30000001", "max"),
        ("village_migration_rate", "1.5", "max"),
        ("housing_safe", "maybe", "type_bool"),
        ("application_date", "abc", "type_date"),
        ("application_date", "2024-02-30", "type_date"),
        ("application_date", "01/03/2024", "type_date"),
        ("application_date", "2999-01-01", "date_in_future"),
        ("registry_status", "poor", "choice"),
        ("purpose", "种地", "choice"),
        ("county_code", "14012", "county_code_format"),
        ("county_code", "14012a", "county_code_format"),
        ("head_id_number", "1401211980051712", "id_format"),
        ("head_id_number", "1401211980 0517123", "id_format"),
        ("head_id_number", "140121199902301230", "id_birth_date"),
        ("head_id_number", "11010519491231002Y", "id_format"),
        ("head_id_number", "110105194912310021", "id_checksum"),
    ],
)
def test_each_single_field_rule_fires_on_its_row_and_field(field, value, rule):
    result = validate_applications(raw(application(), application(**{field: value})))
    assert found(result) == [(3, field, rule)]
    assert list(result.frame.index) == [2]
    assert result.errors[0].message.count(" / ") == 1  # English / 中文


def test_nothing_is_coerced_beyond_trimming_blanks():
    result = validate_applications(raw(application(head_age=" 43 ", household_size="4.0", term_months="1e1")))
    assert found(result) == [(2, "household_size", "type_int"), (2, "term_months", "type_int")]


def test_messages_name_the_bounds_in_both_languages():
    [error] = validate_applications(raw(application(household_size="21"))).errors
    assert error.message == "must be between 1 and 20 / 必须在 1 到 20 之间"
    assert error.value == "21"


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"labor_count": "5"}, "labor_count", "labor_le_household_size"),
        ({"migrant_workers": "3"}, "migrant_workers", "migrant_le_labor"),
        ({"prior_loans": "1", "prior_overdue_times": "13"}, "prior_overdue_times", "overdue_le_loans_x12"),
        ({"prior_loans": "0", "prior_overdue_times": "1"}, "prior_overdue_times", "overdue_le_loans_x12"),
        ({"head_age": "45"}, "head_age", "age_matches_id"),
        ({"head_age": "41"}, "head_age", "age_matches_id"),
        ({"head_gender": "F"}, "head_gender", "gender_matches_id"),
    ],
)
def test_each_cross_field_rule_fires(changes, field, rule):
    result = validate_applications(raw(application(), application(**changes)))
    assert found(result) == [(3, field, rule)]


@pytest.mark.parametrize(
    "changes",
    [
        {"labor_count": "4", "migrant_workers": "4"},
        {"prior_loans": "1", "prior_overdue_times": "12"},
        {"head_age": "42"},
        {"head_age": "44"},
        {"head_gender": "男"},
    ],
)
def test_cross_field_rules_allow_the_edge(changes):
    assert validate_applications(raw(application(**changes))).ok


def test_cross_field_rules_skip_fields_that_failed_their_own_check():
    result = validate_applications(raw(application(household_size="x", labor_count="9", head_id_number="bad")))
    assert found(result) == [(2, "head_id_number", "id_format"), (2, "household_size", "type_int")]


def test_age_is_taken_at_the_application_date():
    record = application(head_age="44", application_date="2024-05-17")  # the birthday: 44 that day
    assert validate_applications(raw(record)).ok
    record = application(head_age="45", application_date="2024-05-16")  # still 43 that day
    assert found(validate_applications(raw(record))) == [(2, "head_age", "age_matches_id")]


def test_duplicate_application_ids_are_reported_on_every_row_that_has_them():
    result = validate_applications(
        raw(
            application(application_id="A1"),
            application(application_id="A2"),
            application(application_id="A1"),
            application(application_id=""),
            application(application_id=""),
        )
    )
    assert found(result) == [(2, "application_id", "duplicate_application_id"), (4, *found(result)[1][1:])]
    assert "row 4" in result.errors[0].message and "row 2" in result.errors[1].message
    assert list(result.frame.index) == [3, 5, 6]
    assert result.frame["application_id"].isna().tolist() == [False, True, True]


def test_every_bad_row_is_listed_sorted_by_row_then_field_order():
    result = validate_applications(
        raw(
            application(),
            application(purpose="gambling", head_age="x"),
            application(),
            application(county_code="1"),
        )
    )
    assert found(result) == [
        (3, "head_age", "type_int"),
        (3, "purpose", "choice"),
        (5, "county_code", "county_code_format"),
    ]
    assert list(result.frame.index) == [2, 4]


def test_id_numbers_in_errors_are_masked():
    bad = "110105194912310021"
    result = validate_applications(raw(application(head_id_number=bad)))
    [error] = result.errors
    assert error.value == idnumber.mask(bad) == "1101**********0021"
    assert bad not in str(error)


def test_id_numbers_are_trimmed_and_a_lower_case_x_upper_cased():
    born = dt.date(1949, 12, 31)
    record = application(head_id_number=" 11010519491231002x ", head_age="74", head_gender="F")
    record["application_date"] = "2024-03-01"
    assert idnumber.make("110105", born, 2) == "11010519491231002X"
    result = validate_applications(raw(record))
    assert result.ok, result.errors
    assert result.frame["head_id_number"].iat[0] == "11010519491231002X"


def test_enums_accept_codes_in_any_case_and_chinese_labels():
    record = application(registry_status="已脱贫", head_gender="m", head_education="初中", purpose="LIVESTOCK")
    frame = validate_applications(raw(record)).frame
    assert frame[["registry_status", "head_gender", "head_education", "purpose"]].iloc[0].tolist() == [
        "exited",
        "M",
        "junior",
        "livestock",
    ]


@pytest.mark.parametrize(
    ("word", "meaning"),
    [("true", True), ("FALSE", False), ("1", True), ("0", False), ("yes", True), ("No", False)]
    + [("y", True), ("n", False), ("是", True), ("否", False)],
)
def test_booleans_accept_the_usual_words(word, meaning):
    result = validate_applications(raw(application(housing_safe=word)))
    assert result.frame["housing_safe"].iat[0] is np.bool_(meaning)


@pytest.mark.parametrize("text", ["2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", "2024-03-01 00:00:00"])
def test_dates_accept_unambiguous_year_first_forms(text):
    frame = validate_applications(raw(application(application_date=text))).frame
    assert frame["application_date"].iat[0] == pd.Timestamp("2024-03-01")


def test_a_missing_required_column_is_one_error_and_nothing_else_validates():
    record = application(head_age="x")
    del record["purpose"]
    result = validate_applications(raw(record))
    assert found(result) == [(None, "purpose", "missing_column")]
    assert result.frame.empty and not result.ok


def test_the_optional_application_id_may_be_absent():
    record = application()
    del record["application_id"]
    result = validate_applications(raw(record))
    assert result.ok and "application_id" not in result.frame.columns


def test_extra_columns_pass_through_untouched_and_are_never_errors():
    records = [{**application(), "备注": "村委推荐", "officer": ""}, {**application(household_size="0"), "备注": "x"}]
    result = validate_applications(raw(*records))
    assert result.ignored_columns == ["备注", "officer"]
    assert found(result) == [(3, "household_size", "min")]
    assert result.frame[["备注", "officer"]].iloc[0].tolist() == ["村委推荐", ""]
    assert list(result.frame.columns[-2:]) == ["备注", "officer"]


def test_chinese_headers_are_accepted():
    record = {FIELD_BY_NAME[name].zh: value for name, value in application().items()}
    result = validate_applications(raw(record))
    assert result.ok and result.frame.columns[0] == "application_id"


def test_typed_input_gives_the_same_frame_as_text():
    typed = pd.DataFrame([example_application(), example_application(application_id="A2")])
    typed["application_date"] = pd.to_datetime(typed["application_date"])
    typed["registry_status"] = pd.Categorical(typed["registry_status"])
    text = pd.DataFrame([application(), application(application_id="A2")], dtype=str)
    from_typed, from_text = validate_applications(typed), validate_applications(text)
    assert from_typed.ok and from_text.ok
    pd.testing.assert_frame_equal(from_typed.frame, from_text.frame)


@pytest.mark.parametrize(
    ("field", "values", "rules"),
    [
        ("head_age", [43.0, 43.5, np.nan], ["", "type_int", "required"]),
        ("housing_safe", [1, 0, 2], ["", "", "type_bool"]),
        ("annual_net_income", [1.5, np.inf, -1.0], ["", "yuan_format", "min"]),
        ("requested_amount", [12.34, 12.345, 1e16], ["", "yuan_decimals", "max"]),
        ("head_age", [True, False, True], ["type_int"] * 3),
        (
            "application_date",
            pd.to_datetime(["2024-03-01 00:00", "2024-03-01 12:00", None]),
            ["", "type_date", "required"],
        ),
        ("head_id_number", [float(example_application()["head_id_number"])] * 3, ["id_format"] * 3),
    ],
)
def test_typed_values_are_checked_without_coercion(field, values, rules):
    frame = pd.DataFrame([example_application()] * 3)
    frame[field] = values
    result = validate_applications(frame)
    by_row = {e.row: e.rule for e in result.errors if e.field == field}
    assert [by_row.get(row, "") for row in (2, 3, 4)] == rules


def test_the_label_is_int8_and_required_only_for_training():
    records = [application(defaulted="0"), application(defaulted="1")]
    result = validate_applications(raw(*records), require_label=True)
    assert result.ok and result.frame["defaulted"].dtype == np.int8
    assert found(validate_applications(raw(application()), require_label=True)) == [
        (None, "defaulted", "missing_column")
    ]
    bad = validate_applications(raw(application(defaulted="2"), application(defaulted="")), require_label=True)
    assert found(bad) == [(2, "defaulted", "max"), (3, "defaulted", "required")]
    scoring = validate_applications(raw(application(defaulted="")))
    assert scoring.ok and scoring.frame["defaulted"].isna().all()


def test_row_numbers_start_at_first_row():
    result = validate_applications(raw(application(head_age="x")), first_row=10)
    assert found(result) == [(10, "head_age", "type_int")]


def test_an_empty_frame_is_valid_and_empty():
    result = validate_applications(raw(application()).iloc[:0])
    assert result.ok and result.frame.empty
    assert result.frame["head_age"].dtype == np.int64


def test_a_single_application_returns_python_values():
    record, errors = validate_application(example_application())
    assert errors == []
    assert record["application_date"] == dt.date(2024, 3, 1)
    assert record["registry_status"] == "registered" and type(record["head_age"]) is int
    assert record == example_application()


def test_a_single_bad_application_returns_every_error_without_a_row():
    record, errors = validate_application(example_application(head_id_number="110105194912310021", term_months=0))
    assert record == {}
    assert [(e.row, e.field, e.rule) for e in errors] == [
        (None, "head_id_number", "id_checksum"),
        (None, "term_months", "min"),
    ]
    assert errors[0].value == "1101**********0021"


def test_a_large_file_reports_its_bad_rows_among_many_good_ones():
    records = [application(application_id=f"A{i}", annual_net_income=str(10_000 + i)) for i in range(3000)]
    records[10]["annual_net_income"] = "12.5.1"
    records[1500]["head_id_number"] = "110105194912310021"
    records[2999]["application_id"] = "A0"
    result = validate_applications(raw(*records))
    assert found(result) == [
        (2, "application_id", "duplicate_application_id"),
        (12, "annual_net_income", "yuan_format"),
        (1502, "head_id_number", "id_checksum"),
        (3001, "application_id", "duplicate_application_id"),
    ]
    assert len(result.frame) == 2996
    assert result.frame.loc[3, "annual_net_income"] == 10_001.0


def mutations(rng: np.random.Generator, n: int) -> list[str]:
    """Valid ID numbers and near misses: a digit changed, a wrong check character, odd dates, odd lengths."""
    numbers = []
    for _ in range(n):
        born = dt.date(1900, 1, 1) + dt.timedelta(days=int(rng.integers(0, 45_000)))
        number = idnumber.make("140121", born, int(rng.integers(0, 1000)))
        change = rng.integers(0, 6)
        if change == 1:
            position = int(rng.integers(0, 18))
            number = number[:position] + str(rng.integers(0, 10)) + number[position + 1 :]
        elif change == 2:
            body = f"140121{rng.integers(1890, 2100)}{rng.integers(0, 14):02d}{rng.integers(0, 33):02d}001"
            number = body + idnumber.check_char(body)
        elif change == 3:
            number = number[: int(rng.integers(0, 18))]
        elif change == 4:
            number = number[:17] + "x"
        numbers.append(number)
    return numbers


@pytest.mark.parametrize("n", [200, 2500])
def test_vectorised_id_checks_agree_with_idnumber_violation(n):
    numbers = mutations(np.random.default_rng(n), n)
    today = np.datetime64(dt.date.today(), "D")
    check = check_column(FIELD_BY_NAME["head_id_number"], pd.Series(numbers), required=True, today=today)
    expected = [
        "required" if not idnumber.normalise(x) else (idnumber.violation(idnumber.normalise(x)) or "") for x in numbers
    ]
    assert [RULES[code] for code in check.broken] == expected


def test_a_village_code_starts_with_its_county_code():
    result = validate_applications(raw(application(), application(village_code="140122101001")))
    assert found(result) == [(3, "village_code", "village_in_county")]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("requested_amount", 12.345, "yuan_decimals"),
        ("requested_amount", "1e2", "yuan_format"),
        ("village_code", "140122101001", "village_in_county"),
        ("household_id", "hh-１１０１０１１９９００３０７４５１４", "id_number"),
        ("application_id", "A\u200b1", "control_character"),
    ],
)
def test_one_record_obeys_the_same_text_and_money_rules(field, value, rule):
    _, errors = validate_record(application(**{field: value}))
    assert [(e.field, e.rule) for e in errors] == [(field, rule)]
    assert "110101199003074514" not in str(errors)


def test_counts_beyond_any_household_are_refused_not_overflowed():
    # prior_loans × 12 once overflowed int64 in the table path and reported a negative limit
    huge = str(2**63 // 12 + 1)
    result = validate_applications(raw(application(prior_loans=huge, prior_overdue_times="0")))
    assert found(result) == [(2, "prior_loans", "max")]
    assert validate_record({**application(prior_loans=huge), "prior_overdue_times": "0"})[1][0].rule == "max"
