"""The audit log's table: one append-only row per assessment and per ledger write (triggers refuse UPDATE/DELETE).

A row says who (``key_id``), when (``recorded_at``, UTC), what (``action``, the county, fund and resource), with
which model and policy versions, on which input (``input_sha256``: SHA-256 of the canonical input, in which an ID
number appears only pseudonymised) and with which outcome (a decision, ``posted``, ``duplicate`` or the code of
the refusal). ``detail`` keeps what is needed to explain or replay it: for an assessment the inputs (ID number
masked and pseudonymised, never raw) and the response; for a ledger write the command and the receipt.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from credit_engine.ledger.tables import UtcDateTime
from credit_engine.service_db.base import ServiceBase


class AuditRow(ServiceBase):
    __tablename__ = "audit_record"
    __table_args__ = (Index(None, "recorded_at"), Index(None, "county_code", "recorded_at"))
    record_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    action: Mapped[str] = mapped_column(String(48))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    key_id: Mapped[str] = mapped_column(String(32))
    county_code: Mapped[str | None] = mapped_column(String(12))
    fund_id: Mapped[str | None] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    model_version: Mapped[str | None] = mapped_column(String(128))
    policy_version: Mapped[str | None] = mapped_column(String(64))
    input_sha256: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(48))
    detail: Mapped[dict] = mapped_column(JSON)
