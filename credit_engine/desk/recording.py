"""A ledger write and its audit entry: one write is one transaction, and every attempt is audited with its outcome.

When the audit log lives in the ledger's database (the default) a posted write's entry is inserted in the write's
own transaction (the unit of work's ``on_write`` hook): both commit or neither, so no crash leaves a posted event
without its audit record, nor an audit record of nothing. Duplicates, refusals and (with the audit log elsewhere)
posts are recorded through the audit sink once the ledger has answered. The entry itself is
:func:`credit_engine.ledger_audit.ledger_entry`.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from credit_engine.access.principal import Principal
from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.audit.sink import AuditSink
from credit_engine.clock import Clock, utc_now
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import Fund
from credit_engine.ledger.eventfile import EventRow
from credit_engine.ledger.importer import SERVICE_OF, apply_event
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger_audit import ledger_entry


class AuditedLedger:
    def __init__(self, engine: Engine, audit: AuditSink, clock: Clock = utc_now) -> None:
        self.engine = engine
        self.audit = audit
        self.clock = clock
        self.audit_in_write = audit.shares_database(engine)

    def post(self, principal: Principal, command: c.Command, fund: Fund | None, linked: AuditEntry | None) -> Receipt:
        """Post ``command`` (refusals raise, unaudited: the caller audits them with what it knows)."""
        return SERVICE_OF[type(command)](self._unit_of_work(principal, command, fund, linked), command)

    def confirm(
        self, principal: Principal, command: c.Command, fund: Fund | None, receipt: Receipt, linked: AuditEntry | None
    ) -> None:
        """Audit a write whose entry did not commit with it: a duplicate, or any write with the audit log elsewhere."""
        if receipt.duplicate or not self.audit_in_write:
            self.record(principal, command, fund, "duplicate" if receipt.duplicate else "posted", receipt, linked)

    def apply_event(self, principal: Principal, event: EventRow, command: c.Command, fund: Fund | None) -> dict:
        """Post one event of a file (``command`` is the event's); its outcome row, audited."""
        outcome = apply_event(self._unit_of_work(principal, command, fund, None), event, principal.key_id)
        if outcome["status"] != "posted" or not self.audit_in_write:
            self.record(principal, command, fund, outcome["error_code"] or str(outcome["status"]))
        return outcome

    def record(
        self,
        principal: Principal,
        command: c.Command,
        fund: Fund | None,
        outcome: str,
        receipt: Receipt | None = None,
        linked: AuditEntry | None = None,
    ) -> None:
        """Audit one attempt through the sink: ``outcome`` is posted, duplicate or the refusal's code."""
        self.audit.record(ledger_entry(principal.key_id, command, fund, outcome, receipt, linked, self.clock()))

    def _unit_of_work(
        self, principal: Principal, command: c.Command, fund: Fund | None, linked: AuditEntry | None
    ) -> UnitOfWork:
        """The write's unit of work: with the audit log in the ledger's database, the "posted" entry is inserted
        in the write's transaction (an insert that fails rolls the write back)."""
        if not self.audit_in_write:
            return UnitOfWork(self.engine, self.clock)

        def posted(connection: Connection, receipt: Receipt) -> None:
            entry = ledger_entry(principal.key_id, command, fund, "posted", receipt, linked, self.clock())
            AuditRepository.append_in(connection, [entry])

        return UnitOfWork(self.engine, self.clock, on_write=posted)
