"""The audit record of a ledger write, and the checks on the assessment a disbursement names.

:func:`ledger_entry` builds the :class:`~credit_engine.audit.entry.AuditEntry` of one attempt (posted, duplicate or
the refusal's code): the key, the command's canonical body and hash, the receipt, and the model and policy versions
of the approving assessment when one is named. :func:`link_problem` says why a named assessment cannot back a
disbursement (not an approval in the fund's county at its bank, a line below the amount, or — for 强农贷 — other
households driven than the assessed application's), or None.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from credit_engine.access.principal import Principal
from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.audit.entry import AuditEntry
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt, body_hash, canonical_body
from credit_engine.ledger.domain import Fund


def ledger_entry(
    key_id: str,
    command: c.Command,
    fund: Fund | None,
    outcome: str,
    receipt: Receipt | None,
    linked: AuditEntry | None,
    at: dt.datetime,
) -> AuditEntry:
    """The audit record of one ledger write attempt by ``key_id``."""
    detail: dict[str, Any] = {"command": canonical_body(command)}
    if receipt is not None:
        detail["receipt"] = receipt.as_dict()
    if linked is not None:
        detail["assessment_id"] = linked.record_id
    return AuditEntry(
        record_id=uuid.uuid4().hex,
        action=f"ledger.{command.event_type}",
        recorded_at=at,
        key_id=key_id,
        input_sha256=body_hash(command),
        outcome=outcome,
        county_code=fund.county_code if fund is not None else None,
        fund_id=command.fund_id[:64],
        resource_id=(getattr(command, "loan_id", None) or command.idempotency_key)[:128],
        model_version=linked.model_version if linked is not None else None,
        policy_version=linked.policy_version if linked is not None else None,
        detail=detail,
    )


def link_problem(entry: AuditEntry | None, principal: Principal, fund: Fund | None, command) -> tuple[str, str] | None:
    """Why the audit ``entry`` a disbursement names cannot back it, as (rule, bilingual message); None when it can."""
    if not isinstance(command, c.Disburse) or fund is None:
        return "not_a_disbursement", "only a disbursement names an assessment / 仅放款可关联评估"
    stored = StoredAssessment.from_entry(entry)
    if stored is None or stored.county_code != fund.county_code:
        return "unknown_assessment", "no such assessment in this fund's county / 该县无此评估记录"
    if stored.detail.bank_code not in (None, fund.bank_code) or not principal.scope.covers_county(fund.county_code):
        return "unknown_assessment", "no such assessment in this fund's county / 该县无此评估记录"
    if stored.detail.decision != "approve":
        return "assessment_not_approved", "the assessment did not approve the loan / 该评估未批准"
    if command.amount_fen > stored.detail.credit_line_yuan * 100:
        return "amount_above_line", "the amount exceeds the approved credit line / 金额超过核定授信额度"
    assessed = stored.detail.inputs.get("households_driven")
    if assessed is not None and command.households_driven != int(assessed):
        return "households_driven_mismatch", (
            f"带贫户数须与评估一致（{assessed} 户） / households_driven must match the assessment's {assessed}"
        )
    return None
