"""Which assessment approved each loan: the audit log's posted disbursements that named one, read back.

A disbursement posted with an ``assessment_id`` leaves an entry ``ledger.disbursement`` (outcome ``posted``) whose
``detail`` names the assessment; :func:`approving_assessments` pairs every such loan of the funds asked for with the
assessment's own entry (read it with :class:`credit_engine.assessment.audit_record.StoredAssessment`). A database
whose service tables were never migrated has no audit log: then no loan has one.
"""

from __future__ import annotations

from sqlalchemy import Engine, inspect, select

from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import entry_from_row
from credit_engine.audit.tables import AuditRow

DISBURSEMENT = "ledger.disbursement"
CHUNK = 500


def approving_assessments(engine: Engine, fund_ids: list[str]) -> dict[tuple[str, str], AuditEntry]:
    """(fund id, loan id) → the audit entry of the assessment its posted disbursement named."""
    if not fund_ids or not inspect(engine).has_table(AuditRow.__tablename__):
        return {}
    named: dict[tuple[str, str], str] = {}
    query = select(AuditRow.fund_id, AuditRow.resource_id, AuditRow.detail).where(
        AuditRow.action == DISBURSEMENT, AuditRow.outcome == "posted", AuditRow.fund_id.in_(list(fund_ids))
    )
    with engine.connect() as connection:
        for fund_id, loan_id, detail in connection.execute(query):
            assessment_id = (detail or {}).get("assessment_id")
            if assessment_id and loan_id:
                named[(fund_id, loan_id)] = str(assessment_id)
        ids = sorted(set(named.values()))
        entries: dict[str, AuditEntry] = {}
        for start in range(0, len(ids), CHUNK):
            rows = connection.execute(select(AuditRow).where(AuditRow.record_id.in_(ids[start : start + CHUNK])))
            entries.update({row.record_id: entry_from_row(row) for row in rows})
    return {key: entries[assessment_id] for key, assessment_id in named.items() if assessment_id in entries}
