"""Assessing 强农贷 applications, one or a batch: the 富民贷 assessment's flow (:class:`~credit_engine.assessment.
service.Assessor`: scope, batch limits, duplicates, fund headroom, audit before the answer) with the enterprise
contract, the enterprise rating (:mod:`credit_engine.enterprise.decision`) and the fund's household-share rule.

The fund rule: 强农贷 is not household lending, so a loan the policy would approve or refer is referred (``F05``) when
it would push the county fund's 富民贷 share of covered principal below the fund policy's ``household_min_share``
(the share :class:`~credit_engine.ledger.position.FundPosition` reports). The audit entry keeps the inputs as they
are: the credit code identifies a company, not a person, and the contract holds no personal ID number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from credit_engine.access.principal import Principal
from credit_engine.assessment.audit_record import assessment_entry
from credit_engine.assessment.decision import Assessment, reason
from credit_engine.assessment.headroom import FundHeadroom
from credit_engine.assessment.rating import RecordRating
from credit_engine.assessment.service import Assessor
from credit_engine.audit.entry import AuditEntry
from credit_engine.contract.fields import field_for_header
from credit_engine.enterprise.decision import rate_enterprise, rate_enterprises, ratings
from credit_engine.enterprise.fields import FIELD_BY_NAME, HEADER_KEYS
from credit_engine.enterprise.table import score_enterprises
from credit_engine.enterprise.validation import validate_enterprise
from credit_engine.errors import RowError
from credit_engine.rating import merge_reasons
from credit_engine.scoring import Champion

SHARE_REASON = "F05"
UNKNOWN_FIELD = "is not a field of the enterprise application / 不是强农贷申请表的字段"


def household_share_finding(assessment: Assessment, headroom: FundHeadroom) -> bool:
    """Whether a 强农贷 assessment the fund would otherwise take breaks the household-share rule."""
    if assessment.decision == "decline" or headroom.fund_id is None:
        return False
    return not headroom.keeps_household_share(assessment.credit_line_yuan * 100)


def with_household_share(assessment: Assessment, headroom: FundHeadroom) -> Assessment:
    """The assessment, referred with ``F05`` leading its reasons when the loan breaks the household-share rule."""
    if not household_share_finding(assessment, headroom):
        return assessment
    codes = merge_reasons([SHARE_REASON], [r.code for r in assessment.reasons])
    return dataclasses.replace(assessment, decision="refer", reasons=tuple(reason(code) for code in codes))


@dataclass
class EnterpriseAssessor(Assessor):
    """The 强农贷 assessor (the policy is an :class:`~credit_engine.enterprise.policy.EnterprisePolicy`)."""

    def _validate(self, body: Mapping[str, Any], *, strict: bool) -> tuple[dict[str, Any], list[RowError]]:
        """The enterprise contract's record and errors; ``strict`` (a JSON body): unknown fields are errors too,
        a file's extra columns are ignored."""
        record, errors = validate_enterprise(body)
        if strict:
            unknown = [
                str(key) for key in body if key not in FIELD_BY_NAME and field_for_header(key, HEADER_KEYS) is None
            ]
            errors = [*errors, *(RowError(None, key, "unknown_field", UNKNOWN_FIELD) for key in unknown)]
        return (record, []) if not errors else ({}, errors)

    def _rate_one(self, record: Mapping[str, Any], pd_value: float, model_reasons: list[str]) -> RecordRating:
        return rate_enterprise(record, pd_value, model_reasons, self.policy)  # type: ignore[arg-type]

    def _rate_table(self, records: list[dict[str, Any]], champion: Champion) -> list[RecordRating]:
        if not records:
            return []
        frame = pd.DataFrame(records)
        pds, reasons = score_enterprises(frame, champion.scorer, with_reasons=True)
        rated = rate_enterprises(frame, pds, self.policy)  # type: ignore[arg-type]
        return ratings(rated, pds.tolist(), reasons, self.policy)  # type: ignore[arg-type]

    def _with_product_rules(self, assessment: Assessment, headroom: FundHeadroom) -> Assessment:
        return with_household_share(assessment, headroom)

    def _entry(
        self, principal: Principal, record: Mapping[str, Any], assessment: Assessment, rating: RecordRating
    ) -> AuditEntry:
        """The 富民贷 audit entry with the enterprise inputs as they are (no personal ID number to mask)."""
        inputs = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in record.items()}
        return assessment_entry(
            principal,
            record,
            assessment,
            rating,
            policy_fingerprint=self._fingerprint,
            pseudonym_secret=self.pseudonym_secret,
            inputs=inputs,
            product=self.policy.product,
        )
