"""An assessment as the audit log keeps it, written and read through one typed shape.

:func:`assessment_entry` builds the :class:`~credit_engine.audit.entry.AuditEntry` of one assessment: the inputs
with the ID number masked plus its keyed pseudonym (never raw), their hash, the model and policy versions and, in
``detail``, an :class:`AssessmentDetail` — the inputs, the full result, the knock-outs, the model's own reasons, the
policy's fingerprint and the bank of the key that asked. Readers (the record's route, a disbursement naming the
assessment that approved it) take a :class:`StoredAssessment` from the entry instead of reading ``detail`` by key;
entries written before this type existed read the same way (the JSON is unchanged).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credit_engine.access.principal import Principal
from credit_engine.assessment.decision import Assessment
from credit_engine.assessment.rating import RecordRating
from credit_engine.audit.entry import AuditEntry, input_sha256
from credit_engine.contract import idnumber

ACTION = "assessment"
FUMIN, QIANGNONG = "fumin", "qiangnong"  # the policies' products (credit_engine/policy/*.yaml ``product``)


@dataclass(frozen=True, slots=True)
class AssessmentDetail:
    """The ``detail`` of an assessment's audit entry: ``inputs`` as audited, ``result`` as the response body
    (:meth:`~credit_engine.assessment.decision.Assessment.as_result`), and what explains the decision."""

    inputs: Mapping[str, Any]
    result: Mapping[str, Any]
    knockouts: tuple[str, ...] = ()
    model_reasons: tuple[str, ...] = ()
    policy_fingerprint: str | None = None
    bank_code: str | None = None  # the bank of the key that asked (None: a key for every bank)
    product: str = FUMIN  # the policy's product: fumin (households) or qiangnong (enterprises)

    @property
    def decision(self) -> str | None:
        return self.result.get("decision")

    @property
    def credit_line_yuan(self) -> int:
        return int(self.result.get("credit_line_yuan", 0))

    def as_detail(self) -> dict[str, Any]:
        """Plain JSON values, as stored."""
        return {
            "inputs": self.inputs,
            "result": self.result,
            "knockouts": list(self.knockouts),
            "model_reasons": list(self.model_reasons),
            "policy_fingerprint": self.policy_fingerprint,
            "bank_code": self.bank_code,
            "product": self.product,
        }

    @classmethod
    def from_detail(cls, detail: Mapping[str, Any]) -> AssessmentDetail:
        return cls(
            inputs=detail.get("inputs", {}),
            result=detail.get("result", {}),
            knockouts=tuple(detail.get("knockouts", ())),
            model_reasons=tuple(detail.get("model_reasons", ())),
            policy_fingerprint=detail.get("policy_fingerprint"),
            bank_code=detail.get("bank_code"),
            product=detail.get("product") or _product_of_inputs(detail.get("inputs", {})),
        )


def _product_of_inputs(inputs: Mapping[str, Any]) -> str:
    """The product of an entry written before the product was kept: only an enterprise application names an
    enterprise (the household inputs never do)."""
    return QIANGNONG if "enterprise_id" in inputs else FUMIN


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """An assessment read back from the audit log."""

    assessment_id: str
    recorded_at: dt.datetime
    key_id: str
    county_code: str | None
    input_sha256: str
    model_version: str | None
    policy_version: str | None
    detail: AssessmentDetail

    @property
    def inputs(self) -> Mapping[str, Any]:
        return self.detail.inputs

    @property
    def result(self) -> Mapping[str, Any]:
        return self.detail.result

    @classmethod
    def from_entry(cls, entry: AuditEntry | None) -> StoredAssessment | None:
        """The assessment an audit entry records; None when there is no entry or it records something else."""
        if entry is None or entry.action != ACTION:
            return None
        return cls(
            assessment_id=entry.record_id,
            recorded_at=entry.recorded_at,
            key_id=entry.key_id,
            county_code=entry.county_code,
            input_sha256=entry.input_sha256,
            model_version=entry.model_version,
            policy_version=entry.policy_version,
            detail=AssessmentDetail.from_detail(entry.detail),
        )


def inputs_on_record(record: Mapping[str, Any], pseudonym_secret: str) -> dict[str, Any]:
    """The inputs as the audit log keeps them: JSON values, the ID number masked plus its keyed pseudonym."""
    inputs = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()}
    id_number = str(record["head_id_number"])
    inputs["head_id_number"] = idnumber.mask(id_number)
    inputs["head_id_pseudonym"] = idnumber.pseudonymise(id_number, pseudonym_secret)
    return inputs


def assessment_entry(
    principal: Principal,
    record: Mapping[str, Any],
    assessment: Assessment,
    rating: RecordRating,
    *,
    policy_fingerprint: str,
    pseudonym_secret: str,
    inputs: Mapping[str, Any] | None = None,
    product: str = FUMIN,
) -> AuditEntry:
    """The audit entry of ``assessment`` of the ``product``, asked for by ``principal`` and decided on the canonical
    ``record`` rated as ``rating``; ``inputs`` as audited (default: the household record, ID number masked and
    pseudonymised)."""
    inputs = inputs_on_record(record, pseudonym_secret) if inputs is None else inputs
    detail = AssessmentDetail(
        inputs=inputs,
        result=assessment.as_result(),
        knockouts=rating.knockouts,
        model_reasons=rating.model_reasons,
        policy_fingerprint=policy_fingerprint,
        bank_code=principal.scope.bank_code,
        product=product,
    )
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
        detail=detail.as_detail(),
    )
