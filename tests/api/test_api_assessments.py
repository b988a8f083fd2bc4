"""Assessing applications over HTTP: the exact response, 422s that name every field, the stored record, batches."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from credit_engine.contract import example_application, idnumber

pytestmark = pytest.mark.xdist_group("test_api_assessments")  # one worker: the module shares its app and database

RESPONSE_FIELDS = {
    "assessment_id",
    "decision",
    "pd",
    "grade",
    "credit_line_yuan",
    "reasons",
    "fund",
    "model_version",
    "policy_version",
}


@pytest.fixture(scope="module")
def fund(api) -> str:
    api.open_fund("F-ASSESS-HOME")
    return "F-ASSESS-HOME"


def test_an_assessment_answers_with_exactly_the_contract_fields(api, fund):
    response = api.post(api.keys.officer, "/v1/fumin/assessments", api.application())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == RESPONSE_FIELDS
    assert body["decision"] in ("approve", "refer", "decline") and 0 <= body["pd"] <= 1
    assert set(body["fund"]) == {"fund_id", "status", "headroom_yuan"} and body["fund"]["fund_id"] == fund
    assert body["fund"]["headroom_yuan"] == 50_000_000.0  # 10 × 5,000,000 yuan, nothing lent yet
    assert body["model_version"] == "household-pd/1" and body["policy_version"] == "fumin-2026.1"
    assert 1 <= len(body["reasons"]) <= 4
    assert all(set(r) == {"code", "text_zh", "text_en"} for r in body["reasons"])


def test_a_bad_application_gets_a_422_naming_every_field_and_rule_in_both_languages(api):
    body = api.application(head_age="forty", purpose="fishing", county_code="1401", requested_amount=-5, extra=1)
    del body["household_id"]
    response = api.post(api.keys.officer, "/v1/fumin/assessments", body)
    assert response.status_code == 422
    error = response.json()
    assert error["error"] == "InvalidInput" and error["message"] and error["message_zh"]
    found = {(d["field"], d["rule"]) for d in error["details"]}
    assert found == {
        ("household_id", "required"),
        ("county_code", "county_code_format"),
        ("head_age", "type_int"),
        ("requested_amount", "min"),
        ("purpose", "choice"),
        ("extra", "unknown_field"),
    }
    assert all(" / " in d["message"] for d in error["details"])


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"text"', b'{"household_id": "\\ud800"}'])
def test_a_body_that_is_not_an_application_is_a_422(api, raw):
    headers = {"Content-Type": "application/json"} | api.keys.header(api.keys.officer)
    response = api.client.post("/v1/fumin/assessments", content=raw, headers=headers)
    assert response.status_code == 422 and response.json()["error"] == "InvalidInput"


def test_the_stored_assessment_has_its_inputs_with_the_id_number_masked(api, fund):
    raw_id = example_application()["head_id_number"]
    made = api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()
    response = api.get(api.keys.officer, f"/v1/assessments/{made['assessment_id']}")
    assert response.status_code == 200
    stored = response.json()
    assert stored["result"] == made
    assert stored["inputs"]["head_id_number"] == idnumber.mask(raw_id)
    assert stored["inputs"]["head_id_pseudonym"] == idnumber.pseudonymise(raw_id, "test-pseudonym-secret")
    assert raw_id not in response.text
    assert api.get(api.keys.auditor, f"/v1/assessments/{made['assessment_id']}").status_code == 200


def test_another_county_or_bank_sees_nothing_of_it(api, fund):
    made = api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()
    for token in (api.keys.other_officer, api.keys.other_bank_officer):
        response = api.get(token, f"/v1/assessments/{made['assessment_id']}")
        unknown = api.get(token, "/v1/assessments/does-not-exist")
        assert response.status_code == unknown.status_code == 403
        assert response.json() == unknown.json()  # the 403 says nothing about what exists
    assert api.get(api.keys.auditor, "/v1/assessments/does-not-exist").status_code == 404


def test_an_officer_cannot_assess_for_another_county_and_other_roles_cannot_assess(api):
    body = api.application(county_code=api.other_county, head_id_number=idnumber.make(api.other_county, _born(), 123))
    assert api.post(api.keys.officer, "/v1/fumin/assessments", body).status_code == 403
    for token in (api.keys.auditor, api.keys.fund_admin, api.keys.model_admin):
        assert api.post(token, "/v1/fumin/assessments", api.application()).status_code == 403


@pytest.mark.parametrize("header", [None, "Bearer nope", "Bearer ce_000000000000_" + "a" * 43, "Basic abc"])
def test_without_a_valid_key_the_answer_is_401(api, header):
    headers = {} if header is None else {"Authorization": header}
    response = api.client.post("/v1/fumin/assessments", json=api.application(), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert set(response.json()) == {"error", "message", "message_zh", "details"}


def test_a_county_without_a_fund_at_this_bank_is_referred_with_the_fund_reason(api, fund):
    response = api.post(api.keys.other_bank_officer, "/v1/fumin/assessments", api.application())
    body = response.json()
    assert body["fund"] == {"fund_id": None, "status": "no_fund", "headroom_yuan": None}
    assert body["decision"] in ("refer", "decline")
    if body["decision"] == "refer":
        assert "F04" in [r["code"] for r in body["reasons"]]


def test_an_oversized_body_is_refused_with_413(api):
    body = api.application(village_code="x" * 400_000)
    response = api.post(api.keys.officer, "/v1/fumin/assessments", body)
    assert response.status_code == 413 and response.json()["error"] == "PayloadTooLarge"


def test_a_json_batch_gives_one_result_per_row_and_bad_rows_never_fail_good_ones(api, fund):
    rows = [
        api.application(application_id="B-1"),
        api.application(application_id="B-2", head_age="x"),
        api.application(),
    ]
    rows[2]["application_id"] = "B-1"  # a duplicate id: both rows are named
    rows.append(api.application(application_id="B-4"))
    response = api.post(api.keys.officer, "/v1/fumin/assessments:batch", rows)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["assessed"], body["invalid"]) == (1, 3)
    by_row = {r["row"]: r for r in body["rows"]}
    assert [d["rule"] for d in by_row[1]["errors"]] == ["type_int"]
    assert by_row[0]["errors"][0]["rule"] == "duplicate_application_id"
    assert by_row[3]["assessment"]["decision"] in ("approve", "refer", "decline")


def test_a_spreadsheet_batch_is_read_with_chinese_headers_and_answered_as_xlsx(api, fund):
    frame = pd.DataFrame([example_application(application_id=f"X-{i}") for i in range(3)]).astype(str)
    frame.loc[1, "head_age"] = "abc"
    frame = frame.rename(columns={"head_age": "户主年龄", "requested_amount": "申请金额"})
    frame["备注"] = "extra column, ignored"
    buffer = io.BytesIO(frame.to_csv(index=False).encode("utf-8-sig"))
    files = {"file": ("registry.csv", buffer, "text/csv")}
    response = api.post(api.keys.officer, "/v1/fumin/assessments:batch?format=xlsx", files=files)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = pd.read_excel(io.BytesIO(response.content), dtype=str)
    assert "审批结论" in sheet.columns and "原因1" in sheet.columns and "行号" in sheet.columns
    assert list(sheet["行号"]) == ["2", "3", "4"]
    assert sheet.loc[1, "审批结论"] == "invalid"


def test_a_batch_of_more_than_1000_is_refused(api):
    rows = [{"application_id": str(i)} for i in range(1001)]
    response = api.post(api.keys.officer, "/v1/fumin/assessments:batch", rows)
    assert response.status_code == 422 and response.json()["details"][0]["rule"] == "max_rows"


def test_every_assessment_is_on_the_audit_record_with_versions_and_input_hash(api, fund):
    made = api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()
    entry = api.services.audit.get(made["assessment_id"])
    assert entry is not None and entry.action == "assessment" and entry.outcome == made["decision"]
    assert (entry.model_version, entry.policy_version) == (made["model_version"], made["policy_version"])
    assert len(entry.input_sha256) == 64 and entry.county_code == api.home_county
    assert entry.detail["bank_code"] == api.bank


def _born():
    import datetime as dt

    return dt.date(1980, 5, 17)
