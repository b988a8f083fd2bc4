"""The assessment service in its own words, on fakes (no model, no database): decisions with the fund's headroom,
what goes on the audit record, who may read it back, and batches."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from credit_engine.access.principal import AccessDenied, Principal, Role, Scope
from credit_engine.assessment import AssessmentNotFound, Assessor, FundHeadroom
from credit_engine.audit.entry import AuditUnavailable, input_sha256
from credit_engine.contract import example_application, idnumber
from credit_engine.errors import InvalidInput
from credit_engine.policy import load_policy
from credit_engine.scoring import Champion, Scorer

OFFICER = Principal("k-officer", "o", Role.OFFICER, Scope("RCC", frozenset({"140121"})))
AUDITOR = Principal("k-audit", "a", Role.AUDITOR, Scope())


class FakeScorer:
    def __init__(self, pd_value: float = 0.004, reasons=("R06", "R01")) -> None:
        self.pd_value, self.reasons = pd_value, list(reasons)

    def predict_pd(self, frame):
        return [self.pd_value] * len(frame)

    def pd_and_reasons(self, frame, top_n=4):
        return self.predict_pd(frame), [self.reasons for _ in range(len(frame))]

    def score_record(self, record, top_n=4):
        return self.pd_value, self.reasons


class FakeHeadrooms:
    def __init__(self, headroom: FundHeadroom) -> None:
        self.headroom = headroom

    def for_county(self, county_code, bank_code):
        return self.headroom


class FakeAudit:
    timeout = 1.0

    def __init__(self) -> None:
        self.entries = {}

    def record(self, entry):
        self.entries[entry.record_id] = entry

    def record_many(self, entries):
        for entry in entries:
            self.record(entry)

    def get(self, record_id):
        return self.entries.get(record_id)


def assessor(headroom=FundHeadroom("F-1", "ok", 10_000_000), scorer=None) -> Assessor:
    champion = Champion(scorer or FakeScorer(), "household-pd/9")
    return Assessor(load_policy(), lambda: champion, FakeHeadrooms(headroom), FakeAudit(), "secret")


def body(**changes) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in example_application(**changes).items()}


def test_the_fake_is_a_scorer():
    assert isinstance(FakeScorer(), Scorer)


def test_a_low_pd_with_room_in_the_fund_is_approved_with_the_models_reasons():
    made = assessor().assess(OFFICER, body())
    assert made.decision == "approve" and made.grade == "AAA" and made.credit_line_yuan > 0
    assert [r.code for r in made.reasons] == ["R06", "R01"] and made.model_version == "household-pd/9"


@pytest.mark.parametrize(
    ("headroom", "reason"),
    [
        (FundHeadroom("F-1", "at_cap", 50_000), "F01"),
        (FundHeadroom("F-1", "ok", 100_000), "F01"),  # 1,000 yuan of headroom, less than the line
        (FundHeadroom("F-1", "suspended", 10_000_000), "F02"),
        (FundHeadroom(None, "unknown", None), "F03"),
        (FundHeadroom(None, "no_fund", None), "F04"),
    ],
)
def test_an_approval_the_fund_cannot_take_is_referred_with_the_funds_reason(headroom, reason):
    made = assessor(headroom).assess(OFFICER, body())
    assert made.decision == "refer" and made.reasons[0].code == reason
    assert made.reasons[0].text_zh and made.reasons[0].text_en and len(made.reasons) <= 4


def test_a_decline_stays_a_decline_whatever_the_fund():
    made = assessor(FundHeadroom(None, "unknown", None)).assess(OFFICER, body(credit_record="adverse"))
    assert made.decision == "decline" and made.reasons[0].code == "K03" and made.credit_line_yuan == 0


def test_the_audit_record_keeps_the_id_number_masked_and_pseudonymised_only():
    service = assessor()
    raw = example_application()["head_id_number"]
    made = service.assess(OFFICER, body())
    entry = service.audit.get(made.assessment_id)
    inputs = entry.detail["inputs"]
    assert inputs["head_id_number"] == idnumber.mask(raw)
    assert inputs["head_id_pseudonym"] == idnumber.pseudonymise(raw, "secret")
    assert raw not in json.dumps(entry.as_json(), ensure_ascii=False)
    assert entry.input_sha256 == input_sha256(inputs) and entry.outcome == "approve"
    assert entry.key_id == OFFICER.key_id and entry.detail["result"] == made.as_result()


def test_assess_and_record_hands_the_entry_to_the_callers_sink_and_returns_its_receipt():
    service = assessor()
    submitted = []

    def submit(entry):
        submitted.append(entry)
        return f"receipt of {entry.record_id}"

    made, receipt = service.assess_and_record(OFFICER, body(), submit)
    assert [e.record_id for e in submitted] == [made.assessment_id] and receipt == f"receipt of {made.assessment_id}"
    assert service.audit.get(made.assessment_id) is None  # the caller's sink, not the service's own, took it


def test_an_assessment_the_audit_log_refuses_is_not_answered():
    service = assessor()

    def refuse(entry):
        raise AuditUnavailable()

    service.audit.record = refuse
    with pytest.raises(AuditUnavailable):
        service.assess(OFFICER, body())


def test_the_stored_assessment_is_shown_to_its_county_and_bank_and_to_auditors_only():
    service = assessor()
    made = service.assess(OFFICER, body())
    assert service.stored(AUDITOR, made.assessment_id).assessment_id == made.assessment_id
    other_county = Principal("k2", "o2", Role.OFFICER, Scope("RCC", frozenset({"140122"})))
    other_bank = Principal("k3", "o3", Role.OFFICER, Scope("ABC", frozenset({"140121"})))
    for principal in (other_county, other_bank):
        with pytest.raises(AccessDenied):
            service.stored(principal, made.assessment_id)
        with pytest.raises(AccessDenied):
            service.stored(principal, "no-such-assessment")
    with pytest.raises(AssessmentNotFound):
        service.stored(AUDITOR, "no-such-assessment")


def test_an_invalid_or_out_of_scope_application_is_refused_before_scoring():
    with pytest.raises(InvalidInput) as refused:
        assessor().assess(OFFICER, body(head_age="x", labor_count=9))
    assert {e.field for e in refused.value.errors} == {"head_age", "labor_count"}
    other = body(county_code="140122", head_id_number=idnumber.make("140122", dt.date(1980, 5, 17), 123))
    with pytest.raises(AccessDenied):
        assessor().assess(OFFICER, other)
    with pytest.raises(AccessDenied):
        assessor().assess(AUDITOR, body())


def test_a_batch_numbers_its_rows_and_names_duplicates_scope_and_shape_errors():
    other = body(county_code="140122", head_id_number=idnumber.make("140122", dt.date(1980, 5, 17), 123))
    rows = [body(application_id="A"), body(application_id="A"), other | {"application_id": "C"}, "not an object"]
    service = assessor()
    found = service.assess_batch(OFFICER, rows, first_row=2, from_file=True)
    assert [r.row for r in found] == [2, 3, 4, 5]
    assert [e.rule for e in found[0].errors] == ["duplicate_application_id"] and found[0].errors[0].row == 2
    assert [e.rule for e in found[2].errors] == ["forbidden"] and [e.rule for e in found[3].errors] == ["type_object"]
    assert all(r.assessment is None for r in found) and not service.audit.entries


class IncomeScorer:
    """PDs and reasons that differ from row to row (by net income), so every band and reason path is exercised."""

    codes = ("R01", "R02", "R03", "R06", "R09", "R12")

    def predict_pd(self, frame):
        income = frame["annual_net_income"].to_numpy(dtype=float)
        return np.minimum(0.6, 1500.0 / (income + 2000.0))

    def pd_and_reasons(self, frame, top_n=4):
        pds = self.predict_pd(frame)
        return pds, [[self.codes[int(p * 1000) % 6], self.codes[int(p * 7000) % 6]] for p in pds]

    def score_record(self, record, top_n=4):
        pds, reasons = self.pd_and_reasons(pd.DataFrame([record]), top_n)
        return float(pds[0]), reasons[0]


def test_the_api_batch_and_the_registry_rating_give_the_same_pd_grade_line_decision_and_reasons(tmp_path):
    from credit_engine.assessment.spreadsheets import read_applications
    from credit_engine.batch import rate_file
    from training.generator import generate_registry

    frame = generate_registry(300, seed=5)[0].drop(columns=["defaulted"])
    frame["labor_count"] = frame["labor_count"].astype(object)
    frame.loc[7, "labor_count"] = "two"  # a bad row: its own error in both, never the others'
    frame.to_csv(tmp_path / "registry.csv", index=False)
    policy = load_policy()
    rate_file(tmp_path / "registry.csv", tmp_path / "out.csv", IncomeScorer(), policy, model_version="m/1")
    registry = pd.read_csv(tmp_path / "out.csv", keep_default_na=False, dtype=str)
    champion = Champion(IncomeScorer(), "m/1")
    api = Assessor(policy, lambda: champion, FakeHeadrooms(FundHeadroom("F-1", "ok", 10**12)), FakeAudit(), "secret")
    bank = Principal("k-bank", "b", Role.OFFICER, Scope())

    rows = api.assess_batch(bank, read_applications(tmp_path / "registry.csv"), 2, from_file=True)

    assert [row.errors[0].field for row in rows if row.errors] == ["labor_count"]
    assert registry.loc[7, "decision"] == "invalid" and rows[7].assessment is None
    assert len(api.audit.entries) == 299  # one audit entry per assessed application
    assert {a.decision for a in (row.assessment for row in rows) if a} == {"approve", "refer", "decline"}
    for row, rated in zip(rows, registry.to_dict("records"), strict=True):
        if row.assessment is None:
            continue
        a = row.assessment
        assert a.pd == pytest.approx(float(rated["pd"]), rel=1e-12, abs=0)
        assert (a.grade, a.credit_line_yuan, a.decision) == (
            rated["grade"],
            int(rated["credit_line_yuan"]),
            rated["decision"],
        )
        assert [r.code for r in a.reasons] == [rated[f"reason_{n}"] for n in range(1, 5) if rated[f"reason_{n}"]]
