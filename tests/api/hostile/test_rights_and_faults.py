"""Hostile callers and faults: a key reverses only what it may post, the audit never misses a ledger write, a
database that is down at start-up locks no valid key out, and a fund left over its cap refuses loans.

Every test runs against an app on each backend (SQLite always, PostgreSQL when configured) with its own database
objects (funds and keys of their own), so the tests do not depend on one another.
"""

from __future__ import annotations

import io
import uuid

import pytest

pytestmark = pytest.mark.xdist_group("test_rights_and_faults")  # one worker: the module shares its apps


@pytest.fixture(scope="module")
def api(api_for, settings_factory, mlflow_store, database_url, tmp_path_factory):
    """The app on the parametrised backend (overrides the SQLite-only ``api`` of tests/api/conftest.py)."""
    settings = settings_factory(tmp_path_factory.mktemp("hostile"), mlflow_store[0], database_url)
    with api_for(settings) as api:
        yield api


def _fund(api, yuan="100000") -> str:
    fund_id = f"F-{uuid.uuid4().hex[:8]}"
    api.open_fund(fund_id, yuan=yuan)  # cap 10× the balance
    return fund_id


def _loan(fund_id: str, loan_id: str, yuan=30000) -> dict:
    body = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": f"hh-{loan_id}"}
    return body | {"amount_yuan": yuan, "value_date": "2025-02-01", "maturity_date": "2026-02-01"}


def _reverse(api, token: str, fund_id: str, event_id: str):
    body = {"reverses_event_id": event_id}
    return api.post(token, f"/v1/funds/{fund_id}/reversals", body, key=f"rev-{uuid.uuid4().hex[:8]}")


def _balance(api, fund_id: str) -> float:
    return api.get(api.keys.auditor, f"/v1/funds/{fund_id}").json()["fund_balance_yuan"]


# ------------------------------------------------------------------------------------------ item 3: reversals
@pytest.mark.parametrize("kind", ["clawbacks", "contributions"])
def test_an_officer_cannot_reverse_a_fund_administrators_event(api, kind):
    fund_id = _fund(api)
    money, event = {"value_date": "2025-03-01", "amount_yuan": 1000}, f"money-{fund_id}"
    assert api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/{kind}", money, key=event).status_code == 201
    before = _balance(api, fund_id)
    refused = _reverse(api, api.keys.officer, fund_id, event)
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    assert _balance(api, fund_id) == before
    assert _reverse(api, api.keys.fund_admin, fund_id, event).status_code == 201


def test_a_fund_administrator_cannot_reverse_an_officers_disbursement(api):
    fund_id = _fund(api)
    assert api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "RL-1"), key=f"RL-1-{fund_id}").status_code == 201
    refused = _reverse(api, api.keys.fund_admin, fund_id, f"RL-1-{fund_id}")
    assert refused.status_code == 403
    assert api.get(api.keys.officer, f"/v1/funds/{fund_id}/loans/RL-1").json()["state"] == "active"
    reversed_ = _reverse(api, api.keys.officer, fund_id, f"RL-1-{fund_id}")
    assert reversed_.status_code == 201, reversed_.text


def test_an_officers_event_file_cannot_reverse_a_contribution(api):
    fund_id = _fund(api)
    money = {"value_date": "2025-03-01", "amount_yuan": 1000}
    event = f"money-{fund_id}"
    assert api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/contributions", money, key=event).status_code == 201
    before = _balance(api, fund_id)
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,reverses_event_id\n"
        f"EV-R1,reversal,2025-03-01,{fund_id},,,,,{event}\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    assert response.status_code == 403, response.text
    assert _balance(api, fund_id) == before


def test_an_officers_event_file_may_reverse_a_loan_it_disburses_in_the_same_file(api):
    fund_id = _fund(api)
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date,"
        "reverses_event_id\n"
        f"EV-D1,disbursement,2025-03-01,{fund_id},FL-R1,fumin,hh-1,20000,2026-03-01,\n"
        f"EV-R2,reversal,2025-03-01,{fund_id},,,,,,EV-D1\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key=f"file-{fund_id}")
    assert response.status_code == 200, response.text
    assert response.json()["posted"] == 2


# ------------------------------------------------------------------------------------- item 11: over the cap
def test_a_fund_a_clawback_left_over_its_cap_says_over_cap_and_refuses_loans_with_409(api):
    fund_id = _fund(api, yuan="10000")  # cap 100,000 yuan
    for loan in ("OC-1", "OC-2"):
        response = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, loan, 45000), key=f"{loan}-{fund_id}")
        assert response.status_code == 201
    money = {"value_date": "2025-03-01", "amount_yuan": 2000}
    assert (
        api.post(api.keys.fund_admin, f"/v1/funds/{fund_id}/clawbacks", money, key=f"claw-{fund_id}").status_code == 201
    )
    position = api.get(api.keys.auditor, f"/v1/funds/{fund_id}").json()
    assert (position["status"], position["over_cap_yuan"], position["cap_headroom_yuan"]) == ("over_cap", 10000, 0)
    refused = api.post(api.keys.officer, "/v1/loans", _loan(fund_id, "OC-3", 1000), key=f"OC-3-{fund_id}")
    assert refused.status_code == 409 and refused.json()["error"] == "InsufficientFundCapacity"
    assert "超上限" in refused.json()["message_zh"]
