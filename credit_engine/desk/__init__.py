"""The fund ledger on behalf of an API key: the services the API routes call, each small and named for what it does.

- :mod:`.authorisation` — who may post what where and read which fund or report (:class:`Authorisation`);
- :mod:`.pseudonyms` — raw ID numbers given as borrowers replaced by their keyed hash (:class:`Pseudonyms`);
- :mod:`.recording` — one write and its audit entry in one transaction (:class:`AuditedLedger`);
- :mod:`.writing` — posting an event: authorise, pseudonymise, check the assessment, write (:class:`LedgerWrites`);
- :mod:`.reading` — positions, loans, the terms a policy change starts from (:class:`LedgerReads`);
- :mod:`.reports` — leverage, portfolio and subsidy reports (:class:`Reports`);
- :mod:`.imports` — a bank's event file (:class:`EventImports`).

:class:`LedgerDesk` holds the four services an entry point needs, built once over one engine, audit sink and fund
headrooms by :meth:`LedgerDesk.open`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.audit.sink import AuditSink
from credit_engine.clock import Clock, utc_now
from credit_engine.desk.authorisation import Authorisation
from credit_engine.desk.imports import EventImports
from credit_engine.desk.pseudonyms import Pseudonyms
from credit_engine.desk.reading import LedgerReads
from credit_engine.desk.recording import AuditedLedger
from credit_engine.desk.reports import ReportRequest, Reports
from credit_engine.desk.writing import LedgerWrites, Written

__all__ = ["EventImports", "LedgerDesk", "LedgerReads", "LedgerWrites", "ReportRequest", "Reports", "Written"]


@dataclass(frozen=True, slots=True)
class LedgerDesk:
    writes: LedgerWrites
    reads: LedgerReads
    reports: Reports
    imports: EventImports

    @classmethod
    def open(
        cls,
        engine: Engine,
        audit: AuditSink,
        fund_headrooms: FundHeadrooms,
        pseudonym_secret: str,
        clock: Clock = utc_now,
    ) -> LedgerDesk:
        authorisation = Authorisation(engine, fund_headrooms)
        pseudonyms = Pseudonyms(pseudonym_secret)
        ledger = AuditedLedger(engine, audit, clock)
        reads = LedgerReads(engine, authorisation, clock)
        return cls(
            writes=LedgerWrites(authorisation, pseudonyms, ledger, reads, fund_headrooms, audit),
            reads=reads,
            reports=Reports(engine, clock),
            imports=EventImports(authorisation, pseudonyms, ledger, fund_headrooms),
        )
