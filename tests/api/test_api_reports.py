"""Fund reports over HTTP: the ledger's JSON leverage report, the other formats, and who may read what."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

pytestmark = pytest.mark.xdist_group("test_api_reports")  # one worker: the module shares its app and database


@pytest.fixture(scope="module")
def funds(api):
    api.open_fund("F-REP-HOME", yuan="1000000")
    api.open_fund("F-REP-OTHER", county=api.other_county, yuan="2000000")
    loan = {"fund_id": "F-REP-HOME", "loan_id": "R-1", "product": "fumin", "borrower_ref": "hh-r"}
    loan |= {"amount_yuan": 40000, "value_date": "2025-03-01", "maturity_date": "2026-03-01"}
    assert api.post(api.keys.officer, "/v1/loans", loan, key="R-1").status_code == 201
    return "F-REP-HOME", "F-REP-OTHER"


def test_the_leverage_report_is_the_ledgers_json_report(api, funds, leverage_contract):
    response = api.get(api.keys.auditor, "/v1/reports/leverage?as_of=2025-12-31&format=json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    rows = {row["fund_id"]: row for row in response.json()}
    assert set(funds) <= set(rows)
    assert list(rows["F-REP-HOME"])[: len(leverage_contract)] == leverage_contract
    assert rows["F-REP-HOME"]["covered_principal_yuan"] == 40_000
    assert rows["F-REP-HOME"]["fund_balance_yuan"] == 1_000_000


def test_a_fund_administrator_reads_its_own_county_only(api, funds):
    own = api.get(api.keys.fund_admin, "/v1/reports/leverage?as_of=2025-12-31")
    assert own.status_code == 200
    assert {row["county_code"] for row in own.json()} == {api.home_county}
    other = api.get(api.keys.fund_admin, f"/v1/reports/leverage?as_of=2025-12-31&county={api.other_county}")
    province = api.get(api.keys.fund_admin, "/v1/reports/portfolio?as_of=2025-12-31&province=14")
    assert other.status_code == province.status_code == 403
    whole = api.get(api.keys.province_admin, "/v1/reports/leverage?as_of=2025-12-31")
    assert {row["county_code"] for row in whole.json()} >= {api.home_county, api.other_county}


def test_officers_and_model_administrators_read_no_reports(api, funds):
    for token in (api.keys.officer, api.keys.model_admin):
        assert api.get(token, "/v1/reports/leverage?as_of=2025-12-31").status_code == 403


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("csv", "text/csv"), ("html", "text/html"), ("xlsx", "application/vnd.openxmlformats")],
)
def test_every_format_of_the_portfolio_report(api, funds, fmt, media):
    response = api.get(api.keys.province_admin, f"/v1/reports/portfolio?as_of=2025-12-31&format={fmt}")
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.content)).sheetnames
    else:
        assert "F-REP-HOME" in response.content.decode("utf-8-sig")


def test_the_subsidy_report_needs_a_period(api, funds):
    assert api.get(api.keys.auditor, "/v1/reports/subsidy").status_code == 422
    response = api.get(api.keys.auditor, "/v1/reports/subsidy?from=2025-03-01&to=2025-12-31")
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_a_report_as_known_at_an_earlier_time_does_not_see_later_writes(api, funds):
    early = api.get(api.keys.auditor, "/v1/reports/leverage?as_of=2025-12-31&known_at=2020-01-01T00:00:00Z")
    assert early.status_code == 200 and early.json() == []
