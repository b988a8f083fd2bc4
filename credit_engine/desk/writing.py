"""Posting one ledger event for an API key: authorise, pseudonymise, check the named assessment, write and audit.

:meth:`LedgerWrites.post` is the path of every API write: the key's role must allow the event and its scope the
fund (:class:`~.authorisation.Authorisation`); the key id becomes the ledger's ``recorded_by`` and a raw ID number
given as a borrower is pseudonymised (:class:`~.pseudonyms.Pseudonyms`); a disbursement may name the assessment that
approved it, which must be an approval in the fund's county at the same bank with a line covering the amount (its
model and policy versions go on the audit record); then one transaction posts the event with its audit entry
(:class:`~.recording.AuditedLedger`). Refusals are audited with their code before they are raised. The answer
carries the fund's position right after the write and, for loan events, the loan.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from credit_engine.access.principal import AccessDenied, Principal
from credit_engine.assessment.headroom import FundHeadrooms
from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.sink import AuditSink
from credit_engine.desk.authorisation import Authorisation
from credit_engine.desk.pseudonyms import Pseudonyms
from credit_engine.desk.reading import LedgerReads
from credit_engine.desk.recording import AuditedLedger
from credit_engine.errors import InvalidInput, RowError
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import Fund
from credit_engine.ledger.errors import LedgerError
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.position import FundPosition
from credit_engine.ledger_audit import link_problem


@dataclass(frozen=True, slots=True)
class Written:
    """A write's receipt, the fund's position right after it (as of today, everything recorded), the loan, and the
    ledger's today (China time) when it was written."""

    receipt: Receipt
    position: FundPosition | None
    today: dt.date
    loan: Loan | None = None


class LedgerWrites:
    def __init__(
        self,
        authorisation: Authorisation,
        pseudonyms: Pseudonyms,
        ledger: AuditedLedger,
        reads: LedgerReads,
        fund_headrooms: FundHeadrooms,
        audit: AuditSink,
    ) -> None:
        self.authorisation = authorisation
        self.pseudonyms = pseudonyms
        self.ledger = ledger
        self.reads = reads
        self.fund_headrooms = fund_headrooms
        self.audit = audit

    def post(self, principal: Principal, command: c.Command, assessment_id: str | None = None) -> Written:
        """Post one event for ``principal``; refusals raise after they are audited."""
        permission = self.authorisation.permission_to_post(principal, command)
        command = self.pseudonyms.of_command(dataclasses.replace(command, recorded_by=principal.key_id))
        fund, linked = None, None
        try:
            fund = self.authorisation.fund_to_post(principal, permission, command)
            if isinstance(command, c.Reverse):
                self.authorisation.may_reverse(principal, fund, command)
            if assessment_id is not None:
                linked = self._linked_assessment(principal, fund, command, assessment_id)
            receipt = self.ledger.post(principal, command, fund, linked)
        except (LedgerError, InvalidInput, AccessDenied) as error:
            self.ledger.record(principal, command, fund, getattr(error, "code", "invalid_input"), None, linked)
            raise
        self.fund_headrooms.refresh([command.fund_id])
        self.ledger.confirm(principal, command, fund, receipt, linked)
        loan_id = getattr(command, "loan_id", None) or receipt.details.get("loan_id")
        position, loan = self.reads.position_now(command.fund_id), self.reads.loan_on_file(command.fund_id, loan_id)
        return Written(receipt, position, self.reads.today(), loan)

    def _linked_assessment(
        self, principal: Principal, fund: Fund | None, command: c.Command, assessment_id: str
    ) -> AuditEntry | None:
        """The approving assessment a disbursement names, checked against the loan (``InvalidInput`` if not)."""
        entry = self.audit.get(assessment_id) if len(assessment_id) <= 64 else None
        problem = link_problem(entry, principal, fund, command)
        if problem is not None:
            rule, message = problem
            raise InvalidInput([RowError(None, "assessment_id", rule, message, assessment_id)])
        return entry
