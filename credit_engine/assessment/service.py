"""Assessing 富民贷 applications: validate → knock-outs → PD and reasons → grade → line → fund headroom → decision →
audit record. One application (the officer at the counter) or a batch (a bank's system), the same rules: a batch's
valid applications are scored and rated as one table (:func:`credit_engine.rating.score_and_rate`, the pipeline of
``credit-engine rate``), then each gets its fund check and its own audit entry.

The scorer is whatever champion is being served when the request starts (``champion()`` is read once per request,
so a model reload never changes a decision half-way). A decision the policy would approve is referred when the
county's fund cannot take the loan — at its cap, suspended, with less headroom than the line, no fund for the bank, or
headroom unknown because the ledger database is down — with an ``F`` reason (:mod:`.decision`). Every assessment is in
the audit log before it is returned: inputs with the ID number masked and pseudonymised (never raw), the input
hash, the model and policy versions and the full result (:mod:`.audit_record`), so it can be explained and replayed
later.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from credit_engine.access.principal import AccessDenied, Permission, Principal
from credit_engine.assessment.audit_record import StoredAssessment, assessment_entry
from credit_engine.assessment.decision import Assessment, BatchRow, decide
from credit_engine.assessment.headroom import FundHeadroom, FundHeadrooms
from credit_engine.assessment.rating import RecordRating, rate_record, table_ratings
from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.sink import AuditSink
from credit_engine.clock import Clock, utc_now
from credit_engine.contract.record import validate_record
from credit_engine.errors import BilingualError, InvalidInput, RowError
from credit_engine.policy.config import RatingPolicy
from credit_engine.rating import score_and_rate
from credit_engine.reasons import MAX_REASONS
from credit_engine.scoring import Champion

MAX_BATCH_ROWS = 1000
_NOT_AN_OBJECT = "an application is a JSON object / 申请须为 JSON 对象"
Receipt = TypeVar("Receipt")


class AssessmentNotFound(BilingualError):
    code = "not_found"

    def __init__(self, assessment_id: str) -> None:
        super().__init__(f"no assessment {assessment_id}", f"没有评估记录 {assessment_id}")


@dataclass
class Assessor:
    policy: RatingPolicy
    champion: Callable[[], Champion]
    fund_headrooms: FundHeadrooms
    audit: AuditSink
    pseudonym_secret: str
    clock: Clock = utc_now
    on_decision: Callable[[str], None] | None = None
    on_assessment: Callable[[Assessment], None] | None = None  # e.g. the service's live PSI (api/metrics.py)
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
        record, errors = self._validate(body, strict=True)
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
        assessed: dict[int, Assessment] = {}
        for i, rating in zip(good, ratings, strict=True):
            assessed[i], entry = self._decide_rated(principal, checked[i][0], rating, champion.model_version)
            entries.append(entry)
        for i, (_, errors) in enumerate(checked):
            number = first_row + i
            found = [*([duplicates[i]] if i in duplicates else []), *errors]
            rows.append(BatchRow(number, ids[i], assessed.get(i), tuple(_numbered(found, number))))
        if entries:
            self.audit.record_many(entries)
        self._observe(list(assessed.values()))
        return rows

    def stored(self, principal: Principal, assessment_id: str) -> StoredAssessment:
        """The assessment as recorded, if the key may see its county (and bank)."""
        principal.require(Permission.READ_ASSESSMENTS)
        entry = self.audit.get(assessment_id) if len(assessment_id) <= 64 else None
        stored = StoredAssessment.from_entry(entry)
        if stored is None:
            if principal.scope.everywhere and principal.scope.bank_code is None:
                raise AssessmentNotFound(assessment_id)
            raise AccessDenied()
        county, bank = stored.county_code or "", stored.detail.bank_code
        if not principal.scope.covers_county(county) or principal.scope.bank_code not in (None, bank):
            raise AccessDenied()
        return stored

    def _observe(self, assessments: list[Assessment]) -> None:
        if self.on_decision is not None:
            for assessment in assessments:
                self.on_decision(assessment.decision)
        if self.on_assessment is not None:
            for assessment in assessments:
                self.on_assessment(assessment)

    def _check_row(self, principal: Principal, body: Any, strict: bool) -> tuple[dict[str, Any], list[RowError]]:
        if not isinstance(body, Mapping):
            return {}, [RowError(None, "application", "type_object", _NOT_AN_OBJECT)]
        record, errors = self._validate(body, strict=strict)
        if not errors and not principal.scope.covers_county(record["county_code"]):
            message = f"{AccessDenied.message_en} / {AccessDenied.message_zh}"
            errors = [RowError(None, "county_code", "forbidden", message)]
        return record, errors

    def _validate(self, body: Mapping[str, Any], *, strict: bool) -> tuple[dict[str, Any], list[RowError]]:
        """The canonical record and every error (``strict``: unknown fields are errors too)."""
        return validate_record(body, report_unknown=strict)

    def _rate_one(self, record: Mapping[str, Any], pd_value: float, model_reasons: list[str]) -> RecordRating:
        return rate_record(record, pd_value, model_reasons, self.policy)

    def _with_product_rules(self, assessment: Assessment, headroom: FundHeadroom) -> Assessment:
        """The product's own fund rules after the fund's headroom (富民贷: none)."""
        return assessment

    def _entry(
        self, principal: Principal, record: Mapping[str, Any], assessment: Assessment, rating: RecordRating
    ) -> AuditEntry:
        return assessment_entry(
            principal,
            record,
            assessment,
            rating,
            policy_fingerprint=self._fingerprint,
            pseudonym_secret=self.pseudonym_secret,
            product=self.policy.product,
        )

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
        return self._decide_rated(principal, record, self._rate_one(record, pd_value, model_reasons), version)

    def _decide_rated(
        self, principal: Principal, record: Mapping[str, Any], rating: RecordRating, version: str
    ) -> tuple[Assessment, AuditEntry]:
        """The assessment of a rated application once its county fund's headroom is known, and its audit entry."""
        county_code = record["county_code"]
        headroom = self.fund_headrooms.for_county(county_code, principal.scope.bank_code)
        assessment_id = os.urandom(16).hex()  # 128 random bits, as a uuid4 but cheaper
        assessment = decide(assessment_id, self.clock(), county_code, rating, headroom, version)
        assessment = self._with_product_rules(assessment, headroom)
        return assessment, self._entry(principal, record, assessment, rating)


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
