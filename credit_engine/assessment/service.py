"""Assessing 富民贷 applications: validate → knock-outs → PD and reasons → grade → line → fund room → decision →
audit record. One application (the officer at the counter) or a batch (a bank's system), the same rules: a batch's
valid applications are scored and rated as one table (:func:`credit_engine.rating.score_and_rate`, the pipeline of
``credit-engine rate``), then each gets its fund check and its own audit entry.

The scorer is whatever champion is being served when the request starts (``champion()`` is read once per request,
so a model reload never changes a decision half-way). A decision the policy would approve is referred when the
county's fund cannot take the loan — at its cap, suspended, with less room than the line, no fund for the bank, or
room unknown because the ledger database is down — with an ``F`` reason. Every assessment is in the audit log
before it is returned: inputs with the ID number masked and pseudonymised (never raw), the input hash, the model
and policy versions and the full result, so it can be explained and replayed later.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from credit_engine.access.principal import AccessDenied, Permission, Principal
from credit_engine.assessment.fund_room import FundRoom, FundRooms
from credit_engine.assessment.rating import RecordRating, rate_record, table_ratings
from credit_engine.audit.entry import AuditEntry, input_sha256
from credit_engine.audit.sink import AuditSink
from credit_engine.contract import idnumber
from credit_engine.contract.record import validate_record
from credit_engine.errors import CreditEngineError, InvalidInput, RowError
from credit_engine.policy.config import RatingPolicy
from credit_engine.rating import merge_reasons, score_and_rate
from credit_engine.reasons import MAX_REASONS, REASONS, Reason
from credit_engine.scoring import Champion

ACTION = "assessment"
MAX_BATCH_ROWS = 1000
FUND_REASONS: dict[str, Reason] = {
    "F01": Reason(
        "F01", "县级风险补偿金剩余额度不足以覆盖本笔授信", "the county fund has too little room left for this line"
    ),
    "F02": Reason("F02", "县级风险补偿金已暂停新增放款", "the county fund has suspended new lending"),
    "F03": Reason("F03", "县级风险补偿金额度暂时无法确认", "the county fund's room cannot be confirmed right now"),
    "F04": Reason("F04", "本县在本行没有风险补偿金", "no risk-compensation fund covers this county at this bank"),
}
_NOT_AN_OBJECT = "an application is a JSON object / 申请须为 JSON 对象"
_FUND_STATUS_REASON = {"at_cap": "F01", "over_cap": "F01", "suspended": "F02", "unknown": "F03", "no_fund": "F04"}
Receipt = TypeVar("Receipt")


class AssessmentNotFound(CreditEngineError):
    code = "not_found"

    def __init__(self, assessment_id: str) -> None:
        self.message_en = f"no assessment {assessment_id}"
        self.message_zh = f"没有评估记录 {assessment_id}"
        super().__init__(f"{self.message_en} / {self.message_zh}")


def reason(code: str) -> Reason:
    return REASONS.get(code) or FUND_REASONS[code]


def fund_finding(room: FundRoom, line_yuan: int) -> str | None:
    """The F reason why the fund cannot take a loan of ``line_yuan`` (None: it can)."""
    if room.status in _FUND_STATUS_REASON:
        return _FUND_STATUS_REASON[room.status]
    return None if room.fits(line_yuan * 100) else "F01"


@dataclass(frozen=True, slots=True)
class Assessment:
    assessment_id: str
    recorded_at: dt.datetime
    county_code: str
    decision: str
    pd: float
    grade: str
    credit_line_yuan: int
    reasons: tuple[Reason, ...]
    fund: FundRoom
    model_version: str
    policy_version: str

    def as_result(self) -> dict[str, Any]:
        """The response body (plain JSON values; money in yuan)."""
        headroom = self.fund.headroom_fen
        return {
            "assessment_id": self.assessment_id,
            "decision": self.decision,
            "pd": self.pd,
            "grade": self.grade,
            "credit_line_yuan": self.credit_line_yuan,
            "reasons": [r.as_dict() for r in self.reasons],
            "fund": {
                "fund_id": self.fund.fund_id,
                "status": self.fund.status,
                "headroom_yuan": None if headroom is None else headroom / 100,
            },
            "model_version": self.model_version,
            "policy_version": self.policy_version,
        }


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One row of a batch: its number (list position or spreadsheet line), and an assessment or its errors."""

    row: int
    application_id: str | None
    assessment: Assessment | None = None
    errors: tuple[RowError, ...] = ()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Assessor:
    policy: RatingPolicy
    champion: Callable[[], Champion]
    fund_rooms: FundRooms
    audit: AuditSink
    pseudonym_secret: str
    clock: Callable[[], dt.datetime] = _utc_now
    on_decision: Callable[[str], None] | None = None
    _fingerprint: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self._fingerprint = self.policy.fingerprint()

    def assess(self, principal: Principal, body: Mapping[str, Any]) -> Assessment:
        """Assess one application for ``principal`` (``InvalidInput`` names every bad field); the assessment is on
        the audit record when this returns."""
        assessment, _ = self.assess_and_record(principal, body, self.audit.record)
        return assessment

    def assess_and_record(
        self, principal: Principal, body: Mapping[str, Any], submit: Callable[[AuditEntry], Receipt]
    ) -> tuple[Assessment, Receipt]:
        """The assessment, and what ``submit`` answered for its audit entry: a caller that gets a receipt still
        pending (the API's writer hands the route an awaitable) must wait for it before answering."""
        principal.require(Permission.ASSESS)
        if not isinstance(body, Mapping):
            raise InvalidInput([RowError(None, "body", "type_object", _NOT_AN_OBJECT)])
        record, errors = validate_record(body, report_unknown=True)
        if errors:
            raise InvalidInput(errors)
        principal.require_county(Permission.ASSESS, record["county_code"])
        champion = self.champion()
        pd_value, model_reasons = champion.scorer.score_record(record, MAX_REASONS)
        assessment, entry = self._decide(principal, record, pd_value, model_reasons, champion.model_version)
        recorded = submit(entry)
        self._observe([assessment])
        return assessment, recorded

    def assess_batch(
        self, principal: Principal, bodies: Sequence[Any], first_row: int, *, from_file: bool = False
    ) -> list[BatchRow]:
        """Assess each application; a bad row gets its errors and never fails the others. Rows are numbered from
        ``first_row`` (0 for a JSON list, 2 for a spreadsheet whose header is line 1); a file's extra columns are
        ignored, a JSON application's unknown fields are errors."""
        principal.require(Permission.ASSESS)
        if len(bodies) > MAX_BATCH_ROWS:
            message = f"at most {MAX_BATCH_ROWS} applications per request / 每次最多 {MAX_BATCH_ROWS} 笔"
            raise InvalidInput([RowError(None, "applications", "max_rows", message, str(len(bodies)))])
        checked = [self._check_row(principal, body, not from_file) for body in bodies]
        ids = [_application_id(body) for body in bodies]
        duplicates = _duplicate_ids(ids, first_row)
        good = [i for i, (record, errors) in enumerate(checked) if not errors and i not in duplicates]
        champion = self.champion()
        ratings = self._rate_table([checked[i][0] for i in good], champion)
        rows: list[BatchRow] = []
        entries = []
        decided = {}
        for i, rating in zip(good, ratings, strict=True):
            decided[i], entry = self._decide_rated(principal, checked[i][0], rating, champion.model_version)
            entries.append(entry)
        for i, (_, errors) in enumerate(checked):
            number = first_row + i
            found = [*([duplicates[i]] if i in duplicates else []), *errors]
            rows.append(BatchRow(number, ids[i], decided.get(i), tuple(_numbered(found, number))))
        if entries:
            self.audit.record_many(entries)
        self._observe(list(decided.values()))
        return rows

    def stored(self, principal: Principal, assessment_id: str) -> AuditEntry:
        """The audit record of an assessment, if the key may see its county (and bank)."""
        principal.require(Permission.READ_ASSESSMENTS)
        entry = self.audit.get(assessment_id) if len(assessment_id) <= 64 else None
        if entry is None or entry.action != ACTION:
            if principal.scope.everywhere and principal.scope.bank_code is None:
                raise AssessmentNotFound(assessment_id)
            raise AccessDenied()
        bank = entry.detail.get("bank_code")
        if not principal.scope.covers_county(entry.county_code or "") or principal.scope.bank_code not in (None, bank):
            raise AccessDenied()
        return entry

    def _observe(self, assessments: list[Assessment]) -> None:
        if self.on_decision is not None:
            for assessment in assessments:
                self.on_decision(assessment.decision)

    def _check_row(self, principal: Principal, body: Any, strict: bool) -> tuple[dict[str, Any], list[RowError]]:
        if not isinstance(body, Mapping):
            return {}, [RowError(None, "application", "type_object", _NOT_AN_OBJECT)]
        record, errors = validate_record(body, report_unknown=strict)
        if not errors and not principal.scope.covers_county(record["county_code"]):
            message = f"{AccessDenied.message_en} / {AccessDenied.message_zh}"
            errors = [RowError(None, "county_code", "forbidden", message)]
        return record, errors

    def _rate_table(self, records: list[dict[str, Any]], champion: Champion) -> list[RecordRating]:
        """The valid applications of a batch rated as one table, vectorised (the pipeline ``credit-engine rate``
        runs on a registry), one rating per application."""
        if not records:
            return []
        scored = score_and_rate(pd.DataFrame(records), champion.scorer, self.policy, with_reasons=True)
        return table_ratings(scored, self.policy)

    def _decide(
        self, principal: Principal, record: Mapping[str, Any], pd_value: float, model_reasons: list[str], version: str
    ) -> tuple[Assessment, AuditEntry]:
        return self._decide_rated(principal, record, rate_record(record, pd_value, model_reasons, self.policy), version)

    def _decide_rated(
        self, principal: Principal, record: Mapping[str, Any], rating: RecordRating, version: str
    ) -> tuple[Assessment, AuditEntry]:
        """The assessment of a rated application once its county fund's room is known, and its audit entry."""
        model_reasons = rating.model_reasons
        room = self.fund_rooms.for_county(record["county_code"], principal.scope.bank_code)
        decision, codes = _with_fund(rating, room, model_reasons)
        assessment = Assessment(
            assessment_id=os.urandom(16).hex(),  # 128 random bits, as a uuid4 but cheaper
            recorded_at=self.clock(),
            county_code=record["county_code"],
            decision=decision,
            pd=rating.pd,
            grade=rating.grade,
            credit_line_yuan=rating.credit_line_yuan,
            reasons=tuple(reason(code) for code in codes),
            fund=room,
            model_version=version,
            policy_version=rating.policy_version,
        )
        return assessment, self._entry(principal, record, assessment, rating, model_reasons)

    def _entry(self, principal: Principal, record, assessment: Assessment, rating: RecordRating, model_reasons):
        inputs = self.inputs_on_record(record)
        detail = {
            "inputs": inputs,
            "result": assessment.as_result(),
            "knockouts": list(rating.knockouts),
            "model_reasons": list(model_reasons),
            "policy_fingerprint": self._fingerprint,
            "bank_code": principal.scope.bank_code,
        }
        return AuditEntry(
            record_id=assessment.assessment_id,
            action=ACTION,
            recorded_at=assessment.recorded_at,
            key_id=principal.key_id,
            input_sha256=input_sha256(inputs),
            outcome=assessment.decision,
            county_code=assessment.county_code,
            fund_id=assessment.fund.fund_id,
            resource_id=record.get("application_id"),
            model_version=assessment.model_version,
            policy_version=assessment.policy_version,
            detail=detail,
        )

    def inputs_on_record(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The inputs as the audit log keeps them: JSON values, the ID number masked plus its keyed pseudonym."""
        inputs = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()}
        id_number = str(record["head_id_number"])
        inputs["head_id_number"] = idnumber.mask(id_number)
        inputs["head_id_pseudonym"] = idnumber.pseudonymise(id_number, self.pseudonym_secret)
        return inputs


def _with_fund(rating: RecordRating, room: FundRoom, model_reasons: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The decision and reasons once the fund's room is known: an approval the fund cannot take is referred."""
    if rating.decision == "decline":
        return rating.decision, rating.reasons
    finding = fund_finding(room, rating.credit_line_yuan)
    if finding is None:
        return rating.decision, rating.reasons
    leading = [rating.decision_code, finding] if rating.decision_code else [finding]
    return "refer", merge_reasons(leading, model_reasons)


def _application_id(body: Any) -> str | None:
    value = body.get("application_id") if isinstance(body, Mapping) else None
    if value is None or isinstance(value, list | dict) or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None


def _numbered(errors: Sequence[RowError], row: int) -> list[RowError]:
    return [RowError(row, e.field, e.rule, e.message, e.value) for e in errors]


def _duplicate_ids(ids: Sequence[str | None], first_row: int) -> dict[int, RowError]:
    """Rows whose application_id appears more than once in the batch, as the file rule words it."""
    lines: dict[str, list[int]] = {}
    for i, application_id in enumerate(ids):
        if application_id:
            lines.setdefault(application_id, []).append(i)
    found = {}
    for application_id, positions in lines.items():
        for i in positions if len(positions) > 1 else ():
            others = [first_row + p for p in positions if p != i]
            shown = ", ".join(map(str, others[:5])) + (" …" if len(others) > 5 else "")
            text = f"appears more than once in the file (also row {shown}) / 申请编号重复 (另见第 {shown} 行)"
            found[i] = RowError(None, "application_id", "duplicate_application_id", text, application_id)
    return found
