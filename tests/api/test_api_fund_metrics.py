"""Fund gauges for Prometheus: today's figures of the funds a key may read, with a bearer key, in text format."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families


@pytest.fixture(scope="module")
def funds(api):
    api.open_fund("F-GAUGE-HOME", yuan="1000000")
    api.open_fund("F-GAUGE-OTHER", county=api.other_county, yuan="2000000")
    loan = {"fund_id": "F-GAUGE-HOME", "loan_id": "G-1", "product": "fumin", "borrower_ref": "hh-g"}
    loan |= {"amount_yuan": "40000.50", "value_date": "2025-03-01", "maturity_date": "2030-03-01"}
    assert api.post(api.keys.officer, "/v1/loans", loan, key="G-1").status_code == 201
    return "F-GAUGE-HOME", "F-GAUGE-OTHER"


def _gauges(response) -> dict[tuple[str, str], float]:
    """(metric name, fund_id[/status]) → value."""
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            key = sample.labels["fund_id"] + (f"/{sample.labels['status']}" if "status" in sample.labels else "")
            found[(sample.name, key)] = sample.value
    return found


def test_an_auditor_scrapes_every_funds_gauges_in_yuan_and_multiples(api, funds):
    response = api.get(api.keys.auditor, "/v1/metrics/funds")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    gauges = _gauges(response)
    home = funds[0]
    assert gauges[("credit_engine_fund_balance_yuan", home)] == 1_000_000
    assert gauges[("credit_engine_fund_covered_principal_yuan", home)] == 40_000.5
    assert gauges[("credit_engine_fund_multiple", home)] == pytest.approx(0.0400005)
    assert gauges[("credit_engine_fund_floor_multiple", home)] == 8.0
    assert gauges[("credit_engine_fund_floor_shortfall_yuan", home)] == 8_000_000 - 40_000.5
    assert gauges[("credit_engine_fund_npl_ratio", home)] == 0.0
    statuses = {
        k[1].split("/")[1]: v
        for k, v in gauges.items()
        if k[0] == "credit_engine_fund_status" and k[1].startswith(home)
    }
    assert statuses == {"ok": 0, "below_floor": 1, "at_cap": 0, "over_cap": 0, "suspended": 0}
    assert ("credit_engine_fund_balance_yuan", funds[1]) in gauges


def test_a_fund_administrator_scrapes_its_own_county_only_and_no_key_scrapes_nothing(api, funds):
    own = _gauges(api.get(api.keys.fund_admin, "/v1/metrics/funds"))
    assert ("credit_engine_fund_balance_yuan", funds[0]) in own
    assert ("credit_engine_fund_balance_yuan", funds[1]) not in own
    assert api.client.get("/v1/metrics/funds").status_code == 401
    assert api.get(api.keys.model_admin, "/v1/metrics/funds").status_code == 403
