"""An assessment on the audit record: one typed shape written and read back, the JSON of older entries still read."""

from __future__ import annotations

import datetime as dt
import json

from credit_engine.access.principal import Principal, Role, Scope
from credit_engine.assessment import AssessmentDetail, Assessor, FundHeadroom, StoredAssessment
from credit_engine.audit.entry import AuditEntry
from credit_engine.contract import example_application
from credit_engine.policy import load_policy
from credit_engine.scoring import Champion

OFFICER = Principal("k-officer", "o", Role.OFFICER, Scope("RCC", frozenset({"140121"})))
# The detail of an assessment exactly as the audit log stored it before the type existed (a JSON round trip).
OLD_DETAIL = {
    "inputs": {"county_code": "140121", "head_id_number": "1401**********123X", "head_id_pseudonym": "p"},
    "result": {"assessment_id": "a1", "decision": "approve", "credit_line_yuan": 30000, "grade": "AA"},
    "knockouts": [],
    "model_reasons": ["R06", "R01"],
    "policy_fingerprint": "f" * 64,
    "bank_code": "RCC",
}


class Scorer:
    def score_record(self, record, top_n=4):
        return 0.004, ["R06", "R01"]


class Headrooms:
    def for_county(self, county_code, bank_code):
        return FundHeadroom("F-1", "ok", 10_000_000)


class Audit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def record(self, entry):
        self.entries.append(entry)


def test_what_the_service_writes_reads_back_as_the_same_assessment_and_the_same_json():
    audit = Audit()
    champion = Champion(Scorer(), "household-pd/9")
    service = Assessor(load_policy(), lambda: champion, Headrooms(), audit, "secret")
    body = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in example_application().items()}
    made = service.assess(OFFICER, body)
    (written,) = audit.entries
    stored = StoredAssessment.from_entry(AuditEntry.from_json(json.loads(json.dumps(written.as_json()))))
    assert stored is not None and stored.assessment_id == made.assessment_id
    assert stored.detail.result == made.as_result() and stored.detail.decision == made.decision
    assert stored.detail.credit_line_yuan == made.credit_line_yuan and stored.detail.bank_code == "RCC"
    assert stored.detail.model_reasons == ("R06", "R01") and stored.detail.knockouts == ()
    assert stored.detail.as_detail() == written.detail


def test_an_entry_written_before_the_type_reads_with_its_json_unchanged(entry):
    # unchanged but for the product, which entries written before it was kept get from their inputs (a household's)
    stored = StoredAssessment.from_entry(entry(detail=OLD_DETAIL))
    assert stored is not None
    detail = stored.detail
    assert (detail.decision, detail.credit_line_yuan, detail.bank_code) == ("approve", 30000, "RCC")
    assert stored.detail.as_detail() == OLD_DETAIL | {"product": "fumin"}
    assert json.dumps(stored.detail.as_detail(), sort_keys=True) == json.dumps(
        OLD_DETAIL | {"product": "fumin"}, sort_keys=True
    )


def test_an_entry_missing_the_explaining_fields_still_reads():
    detail = AssessmentDetail.from_detail({"inputs": {}, "result": {"decision": "refer"}})
    assert (detail.decision, detail.credit_line_yuan, detail.bank_code, detail.knockouts) == ("refer", 0, None, ())


def test_an_entry_of_another_action_is_no_assessment(entry):
    assert StoredAssessment.from_entry(entry(action="ledger.disbursement", detail={"command": {}})) is None
    assert StoredAssessment.from_entry(None) is None
