"""Fixtures of the workspace tests: a ledger with funds below the floor in the home county and one in another
county, and a browser-like client that signs in through the form (CSRF token and cookies as a browser keeps them)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

BELOW_FLOOR = ("F-WS-SMALL", "F-WS-LARGE")  # 1,000,000 and 3,000,000 yuan with one small loan each
OTHER = "F-WS-OTHER"
CLAIMED_LOAN = "WS-CLAIMED"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str):
    """GET the sign-in form, POST the key with its CSRF token; the response (not followed)."""
    form = client.get("/")
    return client.post("/", data={"api_key": key, "csrf_token": csrf_of(form.text)}, follow_redirects=False)


@pytest.fixture(scope="module")
def seeded(api):
    api.open_fund(BELOW_FLOOR[0], yuan="1000000")
    api.open_fund(BELOW_FLOOR[1], yuan="3000000")
    api.open_fund(OTHER, county=api.other_county, yuan="2000000")
    for fund_id, loan_id in ((BELOW_FLOOR[0], "WS-1"), (BELOW_FLOOR[1], "WS-2")):
        loan = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": f"hh-{loan_id}"}
        loan |= {"amount_yuan": "50000", "value_date": "2025-03-01", "maturity_date": "2030-03-01"}
        assert api.post(api.keys.officer, "/v1/loans", loan, key=loan_id).status_code == 201
    _claim_left_unpaid(api, BELOW_FLOOR[0], CLAIMED_LOAN)
    return api


def _claim_left_unpaid(api, fund_id: str, loan_id: str) -> None:
    """A loan 100 days past due on 2025-06-15, claimed the next day and never paid (deadline 2025-07-16)."""
    loan = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": "hh-claimed"}
    loan |= {"amount_yuan": "20000", "value_date": "2025-03-01", "maturity_date": "2026-03-01"}
    assert api.post(api.keys.officer, "/v1/loans", loan, key=loan_id).status_code == 201
    late = {"fund_id": fund_id, "value_date": "2025-06-15", "days_past_due": 100}
    assert (
        api.post(api.keys.officer, f"/v1/loans/{loan_id}/delinquencies", late, key=f"{loan_id}-late").status_code == 201
    )
    claim = {"fund_id": fund_id, "value_date": "2025-06-16"}
    response = api.post(api.keys.officer, f"/v1/loans/{loan_id}/compensation-claims", claim, key=f"{loan_id}-claim")
    assert response.status_code == 201, response.text


@pytest.fixture
def browser(seeded):
    """A fresh client of the same app (its own cookies): a browser that has not signed in yet."""
    with TestClient(seeded.client.app) as client:
        yield client
