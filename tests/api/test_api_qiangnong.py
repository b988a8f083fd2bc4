"""强农贷 over HTTP: one application and a batch (JSON, CSV, XLSX with Chinese headers) assessed by a small enterprise
model really trained and registered as ``enterprise-pd`` beside the household champion (``mlflow_store``); a
bilingual 422 naming field and row, 403 outside the key's counties, the audit entry, the fund's household-share rule
on each backend, and 503 while no enterprise model is registered."""

from __future__ import annotations

import datetime as dt
import io
import os

import pandas as pd
import pytest

from credit_engine.config import load_settings
from credit_engine.enterprise.fields import FIELD_BY_NAME, example_enterprise

ONE, BATCH = "/v1/qiangnong/assessments", "/v1/qiangnong/assessments:batch"


@pytest.fixture(scope="module")
def qn(api):
    """The API of the module (its store holds ``enterprise-pd`` beside the household champion) with a home fund."""
    api.open_fund("F-QN-HOME", yuan="50000000")
    return api


def body(**changes) -> dict:
    base = {"existing_bank_debt": 0.0, "operating_cash_flow": 2_000_000.0, "households_driven": 200,
            "poor_employees": 220}  # fmt: skip
    record = example_enterprise(**(base | changes))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def test_one_application_is_assessed_in_yuan_with_bilingual_reasons_and_audited(qn):
    response = qn.post(qn.keys.officer, ONE, body())
    assert response.status_code == 200, response.text
    made = response.json()
    assert made["decision"] in ("approve", "refer", "decline") and 0 <= made["pd"] <= 1
    assert made["model_version"] == "enterprise-pd/1" and made["policy_version"] == "qiangnong-2026.1"
    assert made["fund"]["fund_id"] == "F-QN-HOME" and made["credit_line_yuan"] % 10_000 == 0
    assert all(r["text_zh"] and r["text_en"] for r in made["reasons"])
    entry = qn.services.audit.get(made["assessment_id"])
    assert entry.action == "assessment" and entry.outcome == made["decision"]
    assert entry.detail["inputs"]["credit_code"] == body()["credit_code"] and entry.policy_version == "qiangnong-2026.1"
    stored = qn.get(qn.keys.auditor, f"/v1/assessments/{made['assessment_id']}")
    assert stored.status_code == 200 and stored.json()["result"]["decision"] == made["decision"]


def test_an_adverse_record_is_declined_with_its_knock_out_in_chinese(qn):
    made = qn.post(qn.keys.officer, ONE, body(credit_record="adverse")).json()
    assert made["decision"] == "decline" and made["reasons"][0]["code"] == "K11"
    assert made["reasons"][0]["text_zh"] == "征信有不良记录"


def test_a_bad_application_gets_a_bilingual_422_naming_each_field(qn):
    response = qn.post(qn.keys.officer, ONE, body(requested_amount=-5, industry="mining", head_age=40))
    assert response.status_code == 422
    error = response.json()
    assert error["message"] and error["message_zh"]
    found = {(d["field"], d["rule"]) for d in error["details"]}
    assert {("requested_amount", "min"), ("industry", "choice"), ("head_age", "unknown_field")} <= found


def test_another_countys_application_is_forbidden(qn):
    assert qn.post(qn.keys.officer, ONE, body(county_code=qn.other_county)).status_code == 403


def test_a_json_batch_names_the_bad_row(qn):
    rows = [body(application_id="E-1"), body(application_id="E-2", requested_amount="abc")]
    response = qn.post(qn.keys.officer, BATCH, rows)
    assert response.status_code == 200, response.text
    out = response.json()
    assert (out["assessed"], out["invalid"]) == (1, 1)
    assert out["rows"][1]["row"] == 1 and out["rows"][1]["errors"][0]["field"] == "requested_amount"


def test_a_batch_keeps_the_fumin_limits_and_scope(qn):
    too_many = qn.post(qn.keys.officer, BATCH, [{"application_id": str(i)} for i in range(1001)])
    assert too_many.status_code == 422 and too_many.json()["details"][0]["rule"] == "max_rows"
    elsewhere = qn.post(qn.keys.officer, BATCH, [body(county_code=qn.other_county)]).json()
    assert elsewhere["rows"][0]["errors"][0]["rule"] == "forbidden" and elsewhere["assessed"] == 0
    not_a_table = {"file": ("enterprises.xlsx", io.BytesIO(b"PK not a workbook"), "application/octet-stream")}
    refused = qn.post(qn.keys.officer, BATCH, files=not_a_table)
    assert refused.status_code == 422 and refused.json()["message_zh"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_spreadsheet_with_chinese_headers_is_assessed_and_answered_as_xlsx(qn, suffix):
    frame = pd.DataFrame([body(application_id=f"E-{i}") for i in range(3)]).astype(str)
    frame.loc[1, "households_driven"] = "many"
    frame = frame.rename(columns={name: FIELD_BY_NAME[name].zh for name in frame.columns})
    buffer = io.BytesIO()
    if suffix == ".csv":
        buffer.write(frame.to_csv(index=False).encode("utf-8-sig"))
    else:
        frame.to_excel(buffer, index=False)
    buffer.seek(0)
    files = {"file": (f"enterprises{suffix}", buffer, "application/octet-stream")}
    response = qn.post(qn.keys.officer, f"{BATCH}?format=xlsx", files=files)
    assert response.status_code == 200, response.text
    sheet = pd.read_excel(io.BytesIO(response.content), dtype=str)
    assert list(sheet["行号"]) == ["2", "3", "4"] and sheet.loc[1, "审批结论"] == "invalid"
    assert "households_driven" in sheet.loc[1, "数据错误"] and sheet.loc[0, "审批结论"] != "invalid"


def test_the_openapi_document_carries_the_enterprise_application_schema(qn):
    document = qn.client.get("/openapi.json").json()
    schema = document["components"]["schemas"]["QiangnongApplication"]
    assert "households_driven" in schema["properties"] and "credit_code" in schema["required"]
    assert "head_id_number" not in schema["properties"]


def test_without_an_enterprise_model_the_routes_answer_503_in_both_languages(tmp_path, api_for, mlflow_store):
    settings = load_settings(home=tmp_path, mlflow_tracking_uri=mlflow_store[0], enterprise_model_name="no-such-model")
    with api_for(settings) as bare:
        for path, payload in ((ONE, body()), (BATCH, [body()])):
            response = bare.post(bare.keys.officer, path, payload)
            assert response.status_code == 503
            error = response.json()
            assert "enterprise" in error["message"] and "强农贷" in error["message_zh"]
        assert bare.post(bare.keys.officer, "/v1/fumin/assessments", bare.application()).status_code == 200
        ready = bare.client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["enterprise_model_version"] is None


BACKENDS = ["sqlite", *(["postgresql"] if os.environ.get("CREDIT_ENGINE_TEST_DATABASE_URL") else [])]


@pytest.fixture(scope="module", params=BACKENDS)
def lent(request, empty_database, tmp_path_factory, api_for, settings_factory, mlflow_store):
    """An API over a ledger (each backend) whose home fund has lent 500,000 yuan of 富民贷 in ten loans."""
    with empty_database(request.param, "qnshare") as url:
        settings = settings_factory(tmp_path_factory.mktemp("qn-share"), mlflow_store[0], url)
        with api_for(settings) as api:
            api.open_fund("F-QN-SHARE", yuan="5000000")
            for n in range(10):
                loan = {"fund_id": "F-QN-SHARE", "loan_id": f"L-{n}", "product": "fumin", "borrower_ref": f"hh-{n}",
                        "amount_yuan": 50_000, "value_date": "2025-02-01", "maturity_date": "2026-02-01"}  # fmt: skip
                assert api.post(api.keys.officer, "/v1/loans", loan, key=f"L-{n}").status_code == 201
            api.services.fund_headrooms.refresh()
            yield api


def test_the_household_share_rule_refers_a_loan_that_would_take_the_share_below_60_percent(lent):
    # 500,000 yuan of 富民贷 covered: 300,000 of 强农贷 leaves 62.5 %, 400,000 would leave 55.6 %
    kept = lent.post(lent.keys.officer, ONE, body(requested_amount=300_000.0)).json()
    referred = lent.post(lent.keys.officer, ONE, body(requested_amount=400_000.0)).json()
    assert kept["pd"] < 0.05, "the example enterprise should be a good risk for this test to mean anything"
    assert (kept["decision"], kept["credit_line_yuan"]) == ("approve", 300_000)
    assert "F05" not in [r["code"] for r in kept["reasons"]]
    assert referred["decision"] == "refer" and referred["reasons"][0]["code"] == "F05"
    assert "富民贷" in referred["reasons"][0]["text_zh"]
