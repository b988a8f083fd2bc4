"""The outcome's reads: every loan's recorded events, the assessment each disbursement named, and the assessments.

Three reads behind ``credit-engine outcomes build`` (:mod:`credit_engine.outcomes.build`), each "as known at" a
recording time (UTC; an event or an audit entry recorded later is not read) and answering plain values:
:func:`loan_histories` — every loan's transactions with value dates up to the as-of date, reversals included, with
its fund's county, as :class:`~credit_engine.outcomes.events.LoanHistory`; :func:`named_assessments` — the
assessment id a posted disbursement named (kept on its audit entry); :func:`recorded_assessments` — the assessments
of the audit log as :class:`~credit_engine.assessment.audit_record.StoredAssessment`. SQLAlchemy Core only, the same
statements on SQLite and PostgreSQL; JSON details are read in Python, never with a dialect's JSON operators.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from credit_engine.assessment.audit_record import ACTION as ASSESSMENT
from credit_engine.assessment.audit_record import StoredAssessment
from credit_engine.audit.repository import entry_from_row
from credit_engine.audit.tables import AuditRow
from credit_engine.ledger.tables import FundRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.outcomes.events import DISBURSEMENT, LedgerEvent, LoanHistory

POSTED_DISBURSEMENT = "ledger.disbursement"
Counties = Collection[str] | None


def loan_histories(
    uow: UnitOfWork, as_of: dt.date, known_at: dt.datetime, counties: Counties = None
) -> list[LoanHistory]:
    """Every loan disbursed by ``as_of`` as recorded by ``known_at`` (in funds of the ``counties``, None: all), with
    its events up to then (reversed ones and their reversals included:
    :func:`credit_engine.outcomes.events.standing_events` sorts them out)."""
    t = TransactionRow
    query = (
        select(t, FundRow.county_code)
        .join(FundRow, FundRow.fund_id == t.fund_id)
        .where(t.loan_id.is_not(None), t.value_date <= as_of, t.recorded_at <= known_at)
        .order_by(t.fund_id, t.loan_id, t.id)
    )
    query = query if counties is None else query.where(FundRow.county_code.in_(list(counties)))
    events: dict[tuple[str, str], list[LedgerEvent]] = defaultdict(list)
    opened: dict[tuple[str, str], tuple] = {}
    for row in uow.connection.execute(query):
        key = (row.fund_id, row.loan_id)
        events[key].append(
            LedgerEvent(
                id=row.id,
                event_type=row.event_type,
                value_date=row.value_date,
                recorded_at=row.recorded_at,
                amount_fen=row.amount_fen,
                days_past_due=row.days_past_due,
                reverses_id=row.reverses_id,
            )
        )
        if row.event_type == DISBURSEMENT:
            opened[key] = (row.county_code, row.product, row.borrower_ref, row.value_date, row.maturity_date)
            opened[key] += (int(row.amount_fen),)
    return [
        LoanHistory(fund_id, loan_id, *opened[(fund_id, loan_id)], events=tuple(found))
        for (fund_id, loan_id), found in events.items()
        if (fund_id, loan_id) in opened
    ]


def named_assessments(uow: UnitOfWork, known_at: dt.datetime, counties: Counties = None) -> dict[tuple[str, str], str]:
    """(fund id, loan id) → the assessment id its posted disbursement named, as recorded by ``known_at``."""
    a = AuditRow
    query = select(a.fund_id, a.resource_id, a.detail).where(
        a.action == POSTED_DISBURSEMENT, a.outcome == "posted", a.recorded_at <= known_at
    )
    query = query if counties is None else query.where(a.county_code.in_(list(counties)))
    named: dict[tuple[str, str], str] = {}
    for fund_id, loan_id, detail in uow.connection.execute(query):
        assessment_id = (detail or {}).get("assessment_id")
        if fund_id and loan_id and assessment_id:
            named[(fund_id, loan_id)] = str(assessment_id)
    return named


def recorded_assessments(
    uow: UnitOfWork, known_at: dt.datetime, counties: Counties = None, *, product: str
) -> list[StoredAssessment]:
    """Every assessment of the ``product`` (``fumin``, ``qiangnong``) in the audit log recorded by ``known_at`` (in
    the ``counties``; None: all), oldest first. The audit log keeps both products under one action; the product is
    read from each entry's detail (JSON is read in Python, see the module's docstring)."""
    a = AuditRow
    query = select(a).where(a.action == ASSESSMENT, a.recorded_at <= known_at).order_by(a.recorded_at, a.record_id)
    query = query if counties is None else query.where(a.county_code.in_(list(counties)))
    found = (StoredAssessment.from_entry(entry_from_row(row)) for row in uow.connection.execute(query))
    return [stored for stored in found if stored is not None and stored.detail.product == product]
