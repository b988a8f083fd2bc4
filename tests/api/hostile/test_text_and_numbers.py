"""Hostile text and numbers over HTTP: control characters and ID numbers in identifiers, money written any way but
plainly, and what a 422 says about them (the field in English and 中文, the value with ID numbers masked)."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest

from credit_engine.contract import idnumber

pytestmark = pytest.mark.xdist_group("test_hostile_text_and_numbers")  # one worker: the module shares its app

RAW_ID = idnumber.make("110101", dt.date(1990, 3, 7), 451)
FULL_WIDTH_ID = "".join(chr(ord(c) + 0xFEE0) for c in RAW_ID)
INVISIBLE = ["\x00", "\x1f", "\x7f", "\t", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2060"]
ID_FORMS = [
    RAW_ID[:-1] + "0" if RAW_ID[-1] != "0" else RAW_ID[:-1] + "1",  # a mistyped check character
    f"hh-{RAW_ID}",
    FULL_WIDTH_ID,
    f"{RAW_ID[:6]}-{RAW_ID[6:14]}-{RAW_ID[14:]}",
    f"{RAW_ID[:6]} {RAW_ID[6:14]} {RAW_ID[14:]}",
    "hh-110101900307451",  # a first-generation 15-digit number
]
FUND = "F-HOSTILE"


@pytest.fixture(scope="module")
def fund(api) -> str:
    api.open_fund(FUND, yuan="1000000")
    return FUND


def loan(**changes) -> dict:
    body = {"fund_id": FUND, "loan_id": "L-H-1", "product": "fumin", "borrower_ref": "hh-1", "amount_yuan": 1000}
    return body | {"value_date": "2025-02-01", "maturity_date": "2026-02-01"} | changes


def fund_body(**changes) -> dict:
    body = {"fund_id": "F-H-NEW", "county_code": "140121", "bank_code": "RCC", "value_date": "2025-01-02"}
    return body | {"amount_yuan": "100000"} | changes


def one_detail(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    details = response.json()["details"]
    assert [d["field"] for d in details] == [field], details
    return details[0]


def balance(api, fund_id: str = FUND) -> float:
    return api.get(api.keys.fund_admin, f"/v1/funds/{fund_id}").json()["fund_balance_yuan"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("bank_code", lambda c: fund_body(bank_code=f"R{c}CC")),
        ("fund_id", lambda c: fund_body(fund_id=f"F-{c}1")),
        ("loan_id", lambda c: loan(loan_id=f"L{c}1")),
        ("borrower_ref", lambda c: loan(borrower_ref=f"hh{c}1")),
        ("fund_id", lambda c: loan(fund_id=f"{FUND}{c}")),
    ],
)
def test_an_invisible_character_in_an_identifier_is_a_422_naming_the_field(api, fund, field, body, char):
    path, token = ("/v1/funds", api.keys.fund_admin) if "bank_code" in body("") else ("/v1/loans", api.keys.officer)
    response = api.post(token, path, body(char), key=f"k-{field}-{ord(char)}")
    assert one_detail(response, field)["rule"] == "control_character"


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b"])
def test_an_invisible_character_in_a_reversal_assessment_or_path_is_a_422(api, fund, api_application, char):
    reversal = api.post(
        api.keys.fund_admin, f"/v1/funds/{FUND}/reversals", {"reverses_event_id": f"e{char}1"}, key="rev-x"
    )
    assert one_detail(reversal, "reverses_event_id")["rule"] == "control_character"
    money = {"value_date": "2025-02-01", "amount_yuan": 1}
    in_path = api.post(api.keys.fund_admin, f"/v1/funds/{quote(FUND + char)}/contributions", money, key="path-x")
    assert one_detail(in_path, "fund_id")["rule"] == "control_character"
    for field in ("village_code", "application_id", "household_id"):
        body = api_application | {field: api_application[field][:3] + char + api_application[field][3:]}
        assessed = api.post(api.keys.officer, "/v1/fumin/assessments", body)
        assert one_detail(assessed, field)["rule"] == "control_character"


def test_a_nul_in_a_bank_code_never_reaches_the_ledger_and_the_reports_still_answer(api, fund):
    response = api.post(api.keys.fund_admin, "/v1/funds", fund_body(fund_id="F-NUL", bank_code="R\x00C"), key="nul")
    assert one_detail(response, "bank_code")["value"] == "R\\u0000C"
    assert api.get(api.keys.fund_admin, "/v1/funds/F-NUL").status_code == 403  # scoped key: as if it never existed
    report = api.get(api.keys.province_admin, "/v1/reports/leverage", params={"format": "xlsx", "province": "14"})
    assert report.status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        (fund_body(bank_code="rcc"), "bank_code", "code_format"),
        (fund_body(bank_code="R" * 33), "bank_code", "code_format"),
        (fund_body(fund_id="F H"), "fund_id", "code_format"),
        (fund_body(county_code="14012x"), "county_code", "code_format"),
    ],
)
def test_codes_follow_their_documented_pattern(api, body, field, rule):
    response = api.post(api.keys.fund_admin, "/v1/funds", body, key="pattern")
    assert one_detail(response, field)["rule"] == rule


def test_a_village_code_outside_its_county_is_a_422(api, api_application):
    response = api.post(api.keys.officer, "/v1/fumin/assessments", api_application | {"village_code": "140122101001"})
    assert one_detail(response, "village_code")["rule"] == "village_in_county"


BAD_AMOUNTS = ["1e2", "1,000", "１０００", "1_000", "+1000", ".5", "1000.", "1e400", "NaN", "Infinity", "-5", "0x10"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_money_is_a_number_or_plain_decimal_text_and_nothing_else(api, fund, amount):
    before = balance(api)
    body = {"value_date": "2025-02-01", "amount_yuan": amount}
    response = api.post(
        api.keys.fund_admin, f"/v1/funds/{FUND}/contributions", body, key=f"money-{BAD_AMOUNTS.index(amount)}"
    )
    assert one_detail(response, "amount_yuan")["rule"] == "yuan_format"
    assert balance(api) == before


@pytest.mark.parametrize(
    ("path", "body", "rule"),
    [
        (f"/v1/funds/{FUND}/contributions", {"value_date": "2025-02-01", "amount_yuan": 1e16}, "yuan_range"),
        (
            f"/v1/funds/{FUND}/contributions",
            {"value_date": "2025-02-01", "amount_yuan": "10000000000.01"},
            "yuan_range",
        ),
        (f"/v1/funds/{FUND}/clawbacks", {"value_date": "2025-02-01", "amount_yuan": "12.345"}, "yuan_decimals"),
        ("/v1/funds", fund_body(amount_yuan=1e17), "yuan_range"),
    ],
)
def test_every_amount_has_an_upper_bound_and_two_decimals(api, fund, path, body, rule):
    response = api.post(api.keys.fund_admin, path, body, key="bound")
    assert one_detail(response, "amount_yuan")["rule"] == rule


def test_the_largest_contribution_is_accepted(api):
    api.open_fund("F-BIG", yuan="10000000000")
    assert balance(api, "F-BIG") == 10_000_000_000


def test_a_requested_amount_with_three_decimals_is_a_422(api, api_application):
    response = api.post(api.keys.officer, "/v1/fumin/assessments", api_application | {"requested_amount": 12.345})
    detail = one_detail(response, "requested_amount")
    assert (detail["rule"], detail["field_zh"], detail["value"]) == ("yuan_decimals", "申请金额", "12.345")


def test_a_retry_with_the_amount_as_a_number_instead_of_text_is_replayed(api, fund):
    before = balance(api)
    first = api.post(
        api.keys.fund_admin,
        f"/v1/funds/{FUND}/contributions",
        {"value_date": "2025-02-01", "amount_yuan": "1500"},
        key="same",
    )
    again = api.post(
        api.keys.fund_admin,
        f"/v1/funds/{FUND}/contributions",
        {"amount_yuan": 1500.0, "value_date": "2025-02-01"},
        key="same",
    )
    assert (first.status_code, again.status_code, again.headers.get("Idempotent-Replayed")) == (201, 201, "true")
    assert balance(api) == before + 1500
    other = api.post(
        api.keys.fund_admin,
        f"/v1/funds/{FUND}/contributions",
        {"value_date": "2025-02-01", "amount_yuan": 1501},
        key="same",
    )
    assert (other.status_code, other.json()["error"]) == (422, "IdempotencyConflict")


@pytest.mark.parametrize("given", ID_FORMS)
@pytest.mark.parametrize("field", ["borrower_ref", "loan_id"])
def test_an_id_number_in_any_form_in_an_identifier_is_refused_and_never_echoed(api, fund, field, given):
    response = api.post(api.keys.officer, "/v1/loans", loan(**{field: given}), key=f"id-{field}")
    detail = one_detail(response, field)
    assert detail["rule"] in ("id_number", "code_format") and "*" in detail["value"]
    assert RAW_ID not in response.text and RAW_ID[6:14] not in response.text
    assert api.get(api.keys.officer, f"/v1/funds/{FUND}/loans/{quote(given)}").status_code in (404, 422)


@pytest.mark.parametrize("given", ID_FORMS[1:])
@pytest.mark.parametrize("field", ["application_id", "household_id"])
def test_an_id_number_in_an_application_identifier_is_refused_and_never_echoed(api, api_application, field, given):
    response = api.post(api.keys.officer, "/v1/fumin/assessments", api_application | {field: given})
    detail = one_detail(response, field)
    assert detail["rule"] in ("id_number", "code_format") and RAW_ID not in response.text
    batch = api.post(api.keys.officer, "/v1/fumin/assessments:batch", [api_application | {field: given}])
    assert batch.status_code == 200 and RAW_ID not in batch.text
    assert [e["rule"] for e in batch.json()["rows"][0]["errors"]] in (["id_number"], ["code_format"])


def test_a_bare_id_number_as_borrower_is_still_pseudonymised(api, fund):
    response = api.post(api.keys.officer, "/v1/loans", loan(loan_id="L-H-PSEUDO", borrower_ref=RAW_ID), key="pseudo")
    assert response.status_code == 201, response.text
    assert response.json()["loan"]["borrower_ref"] == idnumber.pseudonymise(RAW_ID, "test-pseudonym-secret")


EVENT_HEADER = "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,maturity_date,amount_yuan\n"


@pytest.mark.parametrize(
    ("row", "field", "rule"),
    [
        (f"E-1,disbursement,2025-03-01,{FUND},L\u202e1,fumin,hh-1,2026-03-01,1000", "loan_id", "control_character"),
        (f"E-1,disbursement,2025-03-01,{FUND},L-{RAW_ID},fumin,hh-1,2026-03-01,1000", "loan_id", "id_number"),
        (f"E-1,disbursement,2025-03-01,{FUND},L-1,fumin,hh-{RAW_ID},2026-03-01,1000", "borrower_ref", "id_number"),
        (f"E\u200b1,contribution,2025-03-01,{FUND},,,,,1000", "event_id", "control_character"),
        (f"E-1,contribution,2025-03-01,{FUND},,,,,1e2", "amount_yuan", "yuan_format"),
        (f'E-1,contribution,2025-03-01,{FUND},,,,,"1,000"', "amount_yuan", "yuan_format"),
        (f"E-1,contribution,2025-03-01,{FUND},,,,,100000000000", "amount_yuan", "yuan_range"),
    ],
)
def test_an_event_file_row_obeys_the_same_rules(api, fund, row, field, rule):
    files = {"file": ("events.csv", io.BytesIO((EVENT_HEADER + row + "\n").encode()), "text/csv")}
    response = api.post(api.keys.fund_admin, "/v1/ledger/event-files", files=files, key="file-hostile")
    assert response.status_code == 422, response.text
    assert [(d["field"], d["rule"]) for d in response.json()["details"]] == [(field, rule)]
    assert RAW_ID not in response.text


def test_a_422_names_the_field_in_chinese_and_repeats_the_value_masked(api, api_application):
    body = api_application | {"head_age": "forty", "head_id_number": RAW_ID[:-1] + "Y"}
    response = api.post(api.keys.officer, "/v1/fumin/assessments", body)
    assert response.status_code == 422
    details = {d["field"]: d for d in response.json()["details"]}
    assert (details["head_age"]["field_zh"], details["head_age"]["value"]) == ("户主年龄", "forty")
    assert details["head_id_number"]["field_zh"] == "户主身份证号"
    assert details["head_id_number"]["value"] == idnumber.mask(RAW_ID[:-1] + "Y") and RAW_ID[:-1] not in response.text
    schema_error = api.post(api.keys.fund_admin, "/v1/funds", fund_body(value_date="yesterday"), key="zh")
    assert one_detail(schema_error, "value_date") | {"message": ""} == {
        "field": "value_date",
        "field_zh": "起息日",
        "rule": "date_format",
        "message": "",
        "value": "yesterday",
    }
