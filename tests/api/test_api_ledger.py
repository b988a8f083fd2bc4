"""The fund ledger over HTTP: disbursements and their refusals, the loan lifecycle, idempotency, scope, event files."""

from __future__ import annotations

import io
import threading
import time

import pytest

from credit_engine.contract import example_application, idnumber

pytestmark = pytest.mark.xdist_group("test_api_ledger")  # one worker: the module shares its app and database


def loan_body(fund_id: str, loan_id: str, yuan=30000, **changes) -> dict:
    body = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": f"hh-{loan_id}"}
    return body | {"amount_yuan": yuan, "value_date": "2025-02-01", "maturity_date": "2026-02-01"} | changes


@pytest.fixture(scope="module")
def fund(api) -> str:
    api.open_fund("F-LEDGER", yuan="100000")  # cap 10× = 1,000,000 yuan
    return "F-LEDGER"


def test_a_disbursement_answers_201_with_the_loan_and_the_funds_new_position(api, fund):
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-1", "30000.50"), key="L-1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["loan"]["loan_id"] == "L-1" and body["loan"]["principal_yuan"] == 30000.5
    assert body["loan"]["state"] == "active"
    assert body["fund"]["covered_principal_yuan"] == 30000.5
    assert body["fund"]["headroom_yuan"] == 1_000_000 - 30000.5
    assert body["event"]["event_type"] == "disbursement" and body["event"]["duplicate"] is False


def test_the_same_disbursement_posted_twice_is_booked_once(api, fund):
    before = api.get(api.keys.officer, f"/v1/funds/{fund}").json()["covered_principal_yuan"]
    first = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-2"), key="L-2")
    again = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-2"), key="L-2")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    position = api.get(api.keys.officer, f"/v1/funds/{fund}").json()
    loans = api.get(api.keys.officer, f"/v1/funds/{fund}/loans/L-2").json()
    assert loans["principal_yuan"] == 30000
    assert position["covered_principal_yuan"] == before + 30000  # L-2 booked once


def test_the_same_key_with_another_body_is_422(api, fund):
    api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-3"), key="L-3")
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-3", 20000), key="L-3")
    assert response.status_code == 422 and response.json()["error"] == "IdempotencyConflict"


def test_a_retry_while_the_first_is_running_is_409(api, fund, monkeypatch):
    writes = api.services.desk.writes
    release, entered = threading.Event(), threading.Event()
    original = writes.post

    def slow_write(*args, **kwargs):
        entered.set()
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(writes, "post", slow_write)
    results = {}
    first = threading.Thread(
        target=lambda: results.update(first=api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-4"), key="L-4"))
    )
    first.start()
    assert entered.wait(10)
    second = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-4"), key="L-4")
    release.set()
    first.join(10)
    assert second.status_code == 409 and second.json()["error"] == "RequestInFlight"
    assert results["first"].status_code == 201
    monkeypatch.setattr(writes, "post", original)
    assert api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-4"), key="L-4").json() == results["first"].json()


def test_writes_without_an_idempotency_key_are_422(api, fund):
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-5"))
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "Idempotency-Key"


def test_money_with_three_decimals_is_422_never_rounded(api, fund):
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-6", 1000.005), key="L-6")
    assert response.status_code == 422
    assert {(d["field"], d["rule"]) for d in response.json()["details"]} == {("amount_yuan", "yuan_decimals")}


def test_an_unknown_product_is_422_naming_the_field_and_the_known_products(api, fund):
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-P", product="xiaowei"), key="L-P")
    assert response.status_code == 422
    (detail,) = response.json()["details"]
    assert (detail["field"], "fumin/富民贷, qiangnong/强农贷" in detail["message"]) == ("product", True)
    body = loan_body(fund, "L-Q", product="强农贷", households_driven=30)
    chinese = api.post(api.keys.officer, "/v1/loans", body, key="L-Q")
    assert (chinese.status_code, chinese.json()["loan"]["product"]) == (201, "qiangnong")
    assert chinese.json()["loan"]["households_driven"] == 30


@pytest.mark.parametrize(
    ("product", "households", "rule"),
    [("qiangnong", None, "households_driven_required"), ("fumin", 4, "not_for_household_product")],
)
def test_households_driven_unfit_for_the_product_is_422_naming_the_field(api, fund, product, households, rule):
    body = loan_body(fund, f"L-HD-{product}", product=product, households_driven=households)
    response = api.post(api.keys.officer, "/v1/loans", body, key=f"L-HD-{product}")
    assert response.status_code == 422
    (detail,) = response.json()["details"]
    assert (detail["field"], detail["rule"]) == ("households_driven", rule)
    assert "带贫户数" in detail["message"]


def test_a_disbursement_beyond_the_cap_is_409_insufficient_capacity(api):
    api.open_fund("F-SMALL", yuan="10000")  # cap 100,000 yuan
    api.post(api.keys.officer, "/v1/loans", loan_body("F-SMALL", "S-1", 50000), key="S-1")
    api.post(api.keys.officer, "/v1/loans", loan_body("F-SMALL", "S-2", 50000), key="S-2")
    response = api.post(api.keys.officer, "/v1/loans", loan_body("F-SMALL", "S-3", 1000), key="S-3")
    assert response.status_code == 409 and response.json()["error"] == "InsufficientFundHeadroom"
    assert response.json()["message_zh"]
    entry = _last_audit(api, "ledger.disbursement")
    assert entry.outcome == "insufficient_headroom" and entry.fund_id == "F-SMALL"


def test_a_disbursement_while_the_fund_is_suspended_is_409_fund_suspended(api):
    api.open_fund("F-SUSP", yuan="100000")
    policy = {"effective_from": "2025-01-02", "lending_suspended": True}
    assert api.post(api.keys.fund_admin, "/v1/funds/F-SUSP/policies", policy, key="susp").status_code == 201
    response = api.post(api.keys.officer, "/v1/loans", loan_body("F-SUSP", "X-1"), key="X-1")
    assert response.status_code == 409 and response.json()["error"] == "FundSuspended"
    api.services.fund_headrooms.refresh()
    assessed = api.post(api.keys.officer, "/v1/fumin/assessments", api.application()).json()
    if assessed["fund"]["fund_id"] == "F-SUSP":
        assert assessed["decision"] != "approve"


def test_the_loan_lifecycle_assess_disburse_delinquency_compensation(api):
    api.open_fund("F-LIFE", yuan="1000000")
    assessment = api.post(api.keys.officer, "/v1/fumin/assessments", api.application(requested_amount=10000.0)).json()
    body = loan_body("F-LIFE", "LL-1", 10000, value_date="2025-01-10", maturity_date="2025-07-10")
    if assessment["decision"] == "approve" and assessment["fund"]["fund_id"] == "F-LIFE":
        body["assessment_id"] = assessment["assessment_id"]
    assert api.post(api.keys.officer, "/v1/loans", body, key="LL-1").status_code == 201
    steps = [
        ("delinquencies", {"value_date": "2025-08-01", "days_past_due": 22}),
        ("delinquencies", {"value_date": "2025-10-15", "days_past_due": 97}),
        ("compensation-claims", {"value_date": "2025-10-16"}),
    ]
    for n, (event, fields) in enumerate(steps):
        response = api.post(api.keys.officer, f"/v1/loans/LL-1/{event}", {"fund_id": "F-LIFE", **fields}, key=f"e{n}")
        assert response.status_code == 201, response.text
    paid = api.post(
        api.keys.fund_admin, "/v1/loans/LL-1/compensation-payments", {"fund_id": "F-LIFE", "value_date": "2025-10-20"}
    )
    assert paid.status_code == 422  # no Idempotency-Key
    paid = api.post(
        api.keys.fund_admin,
        "/v1/loans/LL-1/compensation-payments",
        {"fund_id": "F-LIFE", "value_date": "2025-10-20"},
        key="pay-1",
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["loan"]["state"] == "compensated"
    officer_pays = api.post(
        api.keys.officer,
        "/v1/loans/LL-1/recoveries",
        {"fund_id": "F-LIFE", "value_date": "2025-11-01", "amount_yuan": 100},
        key="rec-1",
    )
    assert officer_pays.status_code == 201


def test_a_loan_event_that_does_not_fit_the_state_is_409(api, fund):
    api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-7"), key="L-7")
    response = api.post(
        api.keys.officer,
        "/v1/loans/L-7/repayments",
        {"fund_id": fund, "value_date": "2025-03-01", "amount_yuan": 99999},
        key="r7",
    )
    assert response.status_code == 409 and response.json()["error"] == "LoanStateError"


def test_another_countys_officer_gets_403_everywhere_and_learns_nothing(api, fund):
    token = api.keys.other_officer
    calls = [
        api.get(token, f"/v1/funds/{fund}"),
        api.get(token, "/v1/funds/NO-SUCH-FUND"),
        api.get(token, f"/v1/funds/{fund}/loans/L-1"),
        api.post(token, "/v1/loans", loan_body(fund, "Z-1"), key="z1"),
        api.post(token, "/v1/loans", loan_body("NO-SUCH-FUND", "Z-2"), key="z2"),
        api.post(
            token, "/v1/loans/L-1/repayments", {"fund_id": fund, "value_date": "2025-03-01", "amount_yuan": 1}, key="z3"
        ),
        api.post(token, f"/v1/funds/{fund}/contributions", {"value_date": "2025-03-01", "amount_yuan": 1}, key="z4"),
        api.get(api.keys.other_bank_officer, f"/v1/funds/{fund}"),
    ]
    assert [c.status_code for c in calls] == [403] * len(calls)
    assert len({c.text for c in calls}) == 1
    assert fund not in [f["fund_id"] for f in api.get(token, "/v1/funds").json()]


def test_officers_cannot_write_fund_events_and_auditors_write_nothing(api, fund):
    money = {"value_date": "2025-03-01", "amount_yuan": 100}
    assert api.post(api.keys.officer, f"/v1/funds/{fund}/contributions", money, key="c1").status_code == 403
    assert api.post(api.keys.auditor, f"/v1/funds/{fund}/contributions", money, key="c2").status_code == 403
    assert api.post(api.keys.fund_admin, f"/v1/funds/{fund}/contributions", money, key="c3").status_code == 201
    assert api.get(api.keys.auditor, f"/v1/funds/{fund}").status_code == 200
    assert api.get(api.keys.auditor, "/v1/funds/NO-SUCH-FUND").status_code == 404


def test_a_raw_id_number_as_borrower_is_pseudonymised_on_arrival(api, fund):
    raw = example_application()["head_id_number"]
    response = api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-8", borrower_ref=raw), key="L-8")
    assert response.status_code == 201
    assert raw not in response.text
    assert response.json()["loan"]["borrower_ref"] == idnumber.pseudonymise(raw, "test-pseudonym-secret")


def test_an_event_file_is_posted_once_and_every_row_gets_an_outcome(api, fund):
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,days_past_due,maturity_date\n"
        f"EV-1,disbursement,2025-03-01,{fund},FL-1,fumin,hh-9,20000,,2026-03-01\n"
        f"EV-2,repayment,2025-04-01,{fund},FL-1,,,5000,,\n"
        f"EV-3,repayment,2025-04-02,{fund},FL-1,,,999999,,\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key="file-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["posted"], body["duplicate"], body["refused"]) == (2, 0, 1)
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    again = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key="file-2")
    assert (again.json()["posted"], again.json()["duplicate"]) == (0, 2)


def test_an_event_file_with_a_bad_row_posts_nothing_and_names_the_row(api, fund):
    csv = (
        "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan\n"
        f"EV-9,disbursement,2025-03-01,{fund},FL-9,fumin,hh-9,20000.123\n"
    )
    files = {"file": ("events.csv", io.BytesIO(csv.encode()), "text/csv")}
    response = api.post(api.keys.officer, "/v1/ledger/event-files", files=files, key="file-3")
    assert response.status_code == 422 and response.json()["details"]
    assert api.get(api.keys.officer, f"/v1/funds/{fund}/loans/FL-9").status_code == 404


def test_every_ledger_write_is_audited_with_the_key(api, fund):
    before = time.time()
    api.post(api.keys.officer, "/v1/loans", loan_body(fund, "L-9"), key="L-9")
    entry = _last_audit(api, "ledger.disbursement")
    assert entry.resource_id == "L-9" and entry.outcome == "posted" and entry.recorded_at.timestamp() >= before - 1
    assert entry.key_id == api.keys.officer.split("_")[1]


def _last_audit(api, action: str):
    from sqlalchemy import select

    from credit_engine.audit.repository import entry_from_row
    from credit_engine.audit.tables import AuditRow

    with api.services.engine.connect() as connection:
        query = select(AuditRow).where(AuditRow.action == action).order_by(AuditRow.recorded_at.desc()).limit(1)
        return entry_from_row(connection.execute(query).one())
