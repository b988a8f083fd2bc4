"""The fund ledger on behalf of an API key: who may post what where, the write itself, its audit record, and reads.

:class:`LedgerDesk` runs every ledger service for a :class:`~credit_engine.access.principal.Principal`: fund events
(opening, policies, contributions, clawbacks, interest, compensation payments) need ``write_funds`` (fund
administrators), loan events ``write_loans`` (bank officers, only at funds of their own bank), and a reversal the
permission of the event it reverses (an officer cannot cancel a clawback, nor a fund administrator a loan); the
fund must lie in the key's scope — a fund outside it and a fund that does not exist are refused alike. The key id
becomes the ledger's ``recorded_by``; a raw ID number given as a borrower is pseudonymised with the keyed hash first.
Every attempt that reaches the ledger is audited with its outcome (posted, duplicate or the refusal's code); when
the audit log lives in the ledger's database (the default) a posted write's entry commits in the write's own
transaction, so no crash can leave a posted event without its audit record, nor an audit record of nothing. A
disbursement may name the assessment that approved it: it must be an approval in the fund's county at the same
bank, with a line covering the amount, and its model and policy versions go on the audit record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from credit_engine.access.principal import AccessDenied, Permission, Principal
from credit_engine.assessment.fund_room import FundRooms
from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.audit.sink import AuditSink
from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import CHINA, Fund, PolicyTerms, ledger_date, policy_in_force
from credit_engine.ledger.errors import LedgerError, UnknownFund, UnknownLoan
from credit_engine.ledger.importer import SERVICES, apply_event, command_for
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.position import FundPosition, fund_positions
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger_audit import ledger_entry, link_problem
from credit_engine.ledger_rights import permissions_for, reversal_permission
from credit_engine.reports.build import Report, Scope, build_report

_SERVICES: dict[type[c.Command], Callable[[UnitOfWork, Any], Receipt]] = {
    command: service for service, command in SERVICES.values()
} | {c.CreateFund: services.create_fund, c.SetPolicy: services.set_policy}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class ReportRequest:
    kind: str
    as_of: dt.date | None = None
    known_at: dt.datetime | None = None
    county: str | None = None
    province: str | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def report_scope(principal: Principal, county: str | None, province: str | None) -> tuple[str | None, str | None]:
    """The county or province a report covers: the one asked for if the key may read it, else the key's own."""
    principal.require(Permission.READ_REPORTS)
    scope = principal.scope
    if county is not None:
        principal.require_county(Permission.READ_REPORTS, county)
        return county, None
    if province is not None:
        if not (scope.everywhere or scope.province == province):
            raise AccessDenied()
        return None, province
    if scope.everywhere:
        return None, None
    if scope.province is not None and not scope.counties:
        return None, scope.province
    if len(scope.counties) == 1 and scope.province is None:
        return next(iter(scope.counties)), None
    message = "this key covers several counties: name one / 该密钥覆盖多个县，请指定 county"
    raise InvalidInput([RowError(None, "county", "required", message)])


@dataclass(frozen=True, slots=True)
class Written:
    """A write's receipt, the fund's position right after it (as of today, everything recorded) and the loan."""

    receipt: Receipt
    position: FundPosition | None
    loan: Loan | None = None


class LedgerDesk:
    def __init__(
        self,
        engine: Engine,
        audit: AuditSink,
        fund_rooms: FundRooms,
        pseudonym_secret: str,
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.engine = engine
        self.audit = audit
        self.fund_rooms = fund_rooms
        self.pseudonym_secret = pseudonym_secret
        self.clock = clock
        self.audit_in_write = audit.shares_database(engine)

    def today(self) -> dt.date:
        return ledger_date(self.clock())

    # ----------------------------------------------------------------------------------------------- writes
    def write(self, principal: Principal, command: c.Command, assessment_id: str | None = None) -> Written:
        """Post one event for ``principal``; refusals raise after they are audited."""
        permission = self._permission(principal, command)
        command = dataclasses.replace(command, recorded_by=principal.key_id)
        if isinstance(command, c.Disburse):
            command = dataclasses.replace(command, borrower_ref=self._pseudonym(command.borrower_ref))
        fund, linked = None, None
        try:
            fund = self._fund_in_scope(principal, permission, command)
            if isinstance(command, c.Reverse):
                self._may_reverse(principal, fund, command)
            if assessment_id is not None:
                linked = self._linked_assessment(principal, fund, command, assessment_id)
            receipt = _SERVICES[type(command)](self._unit_of_work(principal, command, fund, linked), command)
        except (LedgerError, InvalidInput, AccessDenied) as error:
            self._audit(principal, command, fund, getattr(error, "code", "invalid_input"), None, linked)
            raise
        self.fund_rooms.refresh([command.fund_id])
        if receipt.duplicate or not self.audit_in_write:
            self._audit(principal, command, fund, "duplicate" if receipt.duplicate else "posted", receipt, linked)
        loan_id = getattr(command, "loan_id", None) or receipt.details.get("loan_id")
        return Written(receipt, self._position(command.fund_id), self._loan(command.fund_id, loan_id))

    def import_events(self, principal: Principal, path: Path) -> list[dict[str, object]]:
        """A bank's event file: validated whole (``InvalidInput``: nothing posted), every event's fund checked
        against the scope before any is posted, then each event applied and audited; per-event outcomes."""
        from credit_engine.ledger.eventfile import read_events

        try:
            events = read_events(Path(path), self.pseudonym_secret)
        except InvalidInput:
            raise
        except Exception as error:  # an uploaded file can be anything: whatever breaks the reader, it is not a table
            message = f"the file cannot be read as an event table / 无法读取该事件文件: {type(error).__name__}"
            raise InvalidInput([RowError(None, "file", "file_unreadable", message)]) from None
        commands = [command_for(event, principal.key_id)[1] for event in events]
        in_file = {(command.fund_id, command.idempotency_key): type(command).__name__ for command in commands}
        for command in commands:
            fund = self._fund_in_scope(principal, self._permission(principal, command), command)
            if isinstance(command, c.Reverse):
                self._may_reverse(principal, fund, command, in_file)
        outcomes = []
        for event, command in zip(events, commands, strict=True):
            fund = self._known_fund(command.fund_id)
            outcome = apply_event(self._unit_of_work(principal, command, fund, None), event, principal.key_id)
            if outcome["status"] != "posted" or not self.audit_in_write:
                self._audit(principal, command, fund, outcome["error_code"] or str(outcome["status"]), None, None)
            outcomes.append(outcome)
        self.fund_rooms.refresh({command.fund_id for command in commands})
        return outcomes

    # ------------------------------------------------------------------------------------------------ reads
    def position(self, principal: Principal, fund_id: str, as_of: dt.date | None, known_at=None) -> FundPosition:
        fund = self._readable_fund(principal, fund_id)
        found = self._positions(as_of or self.today(), known_at, [fund.fund_id])
        if not found:  # not opened yet on as_of, or not known at known_at
            raise UnknownFund(fund_id)
        return found[0]

    def positions(self, principal: Principal, as_of: dt.date | None, known_at=None) -> list[FundPosition]:
        """Every fund the key may see."""
        principal.require(Permission.READ_FUNDS)
        found = self._positions(as_of or self.today(), known_at, None)
        return [p for p in found if principal.scope.covers_fund(p.county_code, p.bank_code)]

    def loan(self, principal: Principal, fund_id: str, loan_id: str) -> Loan:
        self._readable_fund(principal, fund_id)
        found = self._loan(fund_id, loan_id)
        if found is None:
            raise UnknownLoan(fund_id, loan_id)
        return found

    def terms_on(self, principal: Principal, fund_id: str, on: dt.date) -> PolicyTerms:
        """The fund's terms in force on ``on`` (the first ones before that): the base of a policy change."""
        fund = self._readable_fund(principal, fund_id)
        with UnitOfWork(self.engine, read_only=True) as uow:
            versions = uow.funds.policies(fund.fund_id)
        current = policy_in_force(versions, on) or min(versions, key=lambda v: v.effective_from, default=None)
        if current is None:
            raise UnknownFund(fund_id)
        return current.terms

    def report(self, principal: Principal, request: ReportRequest, *, with_series: bool) -> Report:
        """A leverage, portfolio or subsidy report of the funds the key may see (``reports.build_report``)."""
        county, province = report_scope(principal, request.county, request.province)
        known_at = request.known_at
        if known_at is not None and known_at.tzinfo is None:
            known_at = known_at.replace(tzinfo=CHINA)  # a time without a zone is China time, as on the command line
        period = (request.first_day, request.last_day) if request.kind == "subsidy" else None
        if request.kind == "subsidy" and (request.first_day is None or request.last_day is None):
            message = "a subsidy report needs from and to / 贴息报表须给出起止日期"
            raise InvalidInput([RowError(None, "from", "required", message)])
        as_of = request.as_of or self.today()
        with UnitOfWork(self.engine, read_only=True) as uow:
            scope = Scope(county=county, province=province)
            return build_report(uow, request.kind, as_of, known_at, scope, period, with_series=with_series)

    # -------------------------------------------------------------------------------------------- internals
    def _permission(self, principal: Principal, command: c.Command) -> Permission:
        allowed = [p for p in permissions_for(command) if principal.role_may(p)]
        if not allowed:
            raise AccessDenied()
        return allowed[0]

    def _may_reverse(
        self,
        principal: Principal,
        fund: Fund | None,
        command: c.Reverse,
        in_file: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """Refuse a reversal of an event the key may not post (what it reverses: earlier in the same file, else as
        recorded; an event that does not exist is left to the ledger, which refuses it as unknown)."""
        kind = (in_file or {}).get((command.fund_id, command.reverses_key))
        if kind is None:
            with UnitOfWork(self.engine, read_only=True) as uow:
                prior = uow.commands.get(command.fund_id, command.reverses_key)
            kind = None if prior is None else prior.command
        permission = None if kind is None else reversal_permission(kind)
        if permission is not None and fund is not None:
            principal.require_fund(permission, fund.county_code, fund.bank_code)

    def _pseudonym(self, borrower_ref: str) -> str:
        text = idnumber.normalise(borrower_ref)
        return idnumber.pseudonymise(text, self.pseudonym_secret) if idnumber.violation(text) is None else borrower_ref

    def _known_fund(self, fund_id: str) -> Fund | None:
        fund = self.fund_rooms.fund(fund_id)
        if fund is None:
            with UnitOfWork(self.engine, read_only=True) as uow:
                fund = uow.funds.get(fund_id)
        return fund

    def _fund_in_scope(self, principal: Principal, permission: Permission, command: c.Command) -> Fund | None:
        if isinstance(command, c.CreateFund):
            principal.require_fund(permission, command.county_code, command.bank_code)
            return Fund(command.fund_id, command.county_code, command.bank_code, command.value_date, None)
        fund = self._known_fund(command.fund_id)
        if fund is None:
            if principal.scope.everywhere and principal.scope.bank_code is None:
                raise UnknownFund(command.fund_id)
            raise AccessDenied()
        principal.require_fund(permission, fund.county_code, fund.bank_code)
        return fund

    def _readable_fund(self, principal: Principal, fund_id: str) -> Fund:
        principal.require(Permission.READ_FUNDS)
        fund = self._known_fund(fund_id)
        if fund is None and principal.scope.everywhere and principal.scope.bank_code is None:
            raise UnknownFund(fund_id)
        if fund is None or not principal.scope.covers_fund(fund.county_code, fund.bank_code):
            raise AccessDenied()
        return fund

    def _positions(self, as_of: dt.date, known_at, fund_ids: list[str] | None) -> list[FundPosition]:
        with UnitOfWork(self.engine, read_only=True) as uow:
            return fund_positions(uow, as_of, known_at, fund_ids=fund_ids)

    def _loan(self, fund_id: str, loan_id: object) -> Loan | None:
        if not isinstance(loan_id, str):
            return None
        with UnitOfWork(self.engine, read_only=True) as uow:
            found = uow.loans.get(fund_id, loan_id)
        return None if found is None else found[0]

    def _position(self, fund_id: str) -> FundPosition | None:
        found = self._positions(self.today(), None, [fund_id])
        return found[0] if found else None

    def _linked_assessment(self, principal: Principal, fund: Fund | None, command: c.Command, assessment_id: str):
        """The approving assessment a disbursement names, checked against the loan (``InvalidInput`` if not)."""
        entry = self.audit.get(assessment_id) if len(assessment_id) <= 64 else None
        problem = link_problem(entry, principal, fund, command)
        if problem is not None:
            rule, message = problem
            raise InvalidInput([RowError(None, "assessment_id", rule, message, assessment_id)])
        return entry

    def _unit_of_work(self, principal: Principal, command: c.Command, fund: Fund | None, linked) -> UnitOfWork:
        """The write's unit of work: with the audit log in the ledger's database, the "posted" entry is inserted
        in the write's transaction (an insert that fails rolls the write back)."""
        if not self.audit_in_write:
            return UnitOfWork(self.engine, self.clock)

        def posted(connection: Connection, receipt: Receipt) -> None:
            entry = self._entry(principal, command, fund, "posted", receipt, linked)
            AuditRepository.append_in(connection, [entry])

        return UnitOfWork(self.engine, self.clock, on_write=posted)

    def _audit(self, principal, command: c.Command, fund, outcome: str, receipt: Receipt | None, linked) -> None:
        self.audit.record(self._entry(principal, command, fund, outcome, receipt, linked))

    def _entry(self, principal, command: c.Command, fund, outcome: str, receipt: Receipt | None, linked) -> AuditEntry:
        return ledger_entry(principal.key_id, command, fund, outcome, receipt, linked, self.clock())
