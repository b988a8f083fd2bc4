"""The 强农贷 assessor on fakes (no model, no database): the 富民贷 flow with the enterprise contract, the fund's
headroom and its household share, what goes on the audit record, scope, and batches."""

from __future__ import annotations

import datetime as dt

import pytest

from credit_engine.access.principal import AccessDenied, Principal, Role, Scope
from credit_engine.assessment import FundHeadroom
from credit_engine.enterprise.assessment import EnterpriseAssessor
from credit_engine.enterprise.fields import example_enterprise
from credit_engine.enterprise.policy import load_enterprise_policy
from credit_engine.errors import InvalidInput
from credit_engine.scoring import Champion

OFFICER = Principal("k-officer", "o", Role.OFFICER, Scope("RCC", frozenset({"140121"})))
ROOM = FundHeadroom("F-1", "ok", 10**10, household_fen=9 * 10**9, covered_fen=10**10, household_min_share_bps=6000)


class FakeScorer:
    def __init__(self, pd_value: float = 0.005) -> None:
        self.pd_value = pd_value

    def predict_pd(self, frame):
        return [self.pd_value] * len(frame)

    def pd_and_reasons(self, frame, top_n=4):
        return self.predict_pd(frame), [["R26"] for _ in range(len(frame))]

    def score_record(self, record, top_n=4):
        return self.pd_value, ["R26"]


class FakeHeadrooms:
    def __init__(self, headroom: FundHeadroom) -> None:
        self.headroom = headroom

    def for_county(self, county_code, bank_code):
        return self.headroom


class FakeAudit:
    def __init__(self) -> None:
        self.entries = {}

    def record(self, entry):
        self.entries[entry.record_id] = entry

    def record_many(self, entries):
        for entry in entries:
            self.record(entry)


def assessor(headroom: FundHeadroom = ROOM) -> EnterpriseAssessor:
    champion = Champion(FakeScorer(), "enterprise-pd/2")
    return EnterpriseAssessor(load_enterprise_policy(), lambda: champion, FakeHeadrooms(headroom), FakeAudit(), "s")


def body(**changes) -> dict:
    base = {"existing_bank_debt": 0.0, "operating_cash_flow": 2_000_000.0, "households_driven": 200,
            "poor_employees": 220}  # fmt: skip
    record = example_enterprise(**(base | changes))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in record.items()}


def test_an_approved_application_is_on_the_audit_record_with_its_credit_code_as_is():
    service = assessor()
    made = service.assess(OFFICER, body())
    assert (made.decision, made.credit_line_yuan, made.policy_version) == ("approve", 2_000_000, "qiangnong-2026.1")
    entry = service.audit.entries[made.assessment_id]
    assert entry.detail["inputs"]["credit_code"] == body()["credit_code"]
    assert entry.policy_version == "qiangnong-2026.1" and entry.model_version == "enterprise-pd/2"
    assert entry.detail["result"]["credit_line_yuan"] == 2_000_000 and "head_id_number" not in entry.detail["inputs"]
    assert entry.resource_id == "E-140121-000001" and entry.county_code == "140121"


def test_a_loan_that_would_push_the_household_share_below_the_minimum_is_referred_with_its_reason():
    # 6,000,000 of 9,000,000 yuan covered is 富民贷: 1,000,000 yuan more of 强农贷 keeps 60 %, 2,000,000 does not
    tight = FundHeadroom("F-1", "ok", 10**10, household_fen=600_000_000, covered_fen=900_000_000,
                         household_min_share_bps=6000)  # fmt: skip
    referred = assessor(tight).assess(OFFICER, body())
    assert referred.decision == "refer" and [r.code for r in referred.reasons] == ["F05", "R26"]
    assert "富民贷" in referred.reasons[0].text_zh and "share" in referred.reasons[0].text_en
    kept = assessor(tight).assess(OFFICER, body(requested_amount=1_000_000.0))
    assert kept.decision == "approve"


def test_a_fund_without_headroom_refers_as_for_households():
    made = assessor(FundHeadroom("F-1", "ok", 100_000)).assess(OFFICER, body())
    assert made.decision == "refer" and made.reasons[0].code == "F01"


def test_bad_and_unknown_fields_are_named_in_both_languages():
    code = body()["credit_code"]
    wrong = code[:-1] + ("Y" if code[-1] != "Y" else "X")
    with pytest.raises(InvalidInput) as raised:
        assessor().assess(OFFICER, body(credit_code=wrong, head_age=40))
    found = {(e.field, e.rule) for e in raised.value.errors}
    assert ("credit_code", "credit_code_check") in found and ("head_age", "unknown_field") in found
    assert all("/" in e.message for e in raised.value.errors)


def test_another_county_is_refused():
    with pytest.raises(AccessDenied):
        assessor().assess(OFFICER, body(county_code="140122"))


def test_a_batch_rates_good_rows_and_names_the_bad_ones():
    service = assessor()
    rows = service.assess_batch(OFFICER, [body(), body(households_driven=50, application_id="E-2"),
                                          body(requested_amount=-1, application_id="E-3")], 0)  # fmt: skip
    assert [r.assessment.decision if r.assessment else None for r in rows] == ["approve", "approve", None]
    assert rows[1].assessment.credit_line_yuan == 500_000 and rows[1].assessment.reasons[0].code == "L03"
    assert rows[2].errors[0].row == 2 and rows[2].errors[0].field == "requested_amount"
    assert len(service.audit.entries) == 2
