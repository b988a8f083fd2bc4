"""What every ledger write route shares: run the command once per idempotency key and answer 201 with the receipt,
the fund's new position and (for loan events) the loan."""

from __future__ import annotations

from fastapi import Response

from api.idempotency import OnceOnly
from api.schemas.common import error_responses
from api.schemas.ledger import EventOut, LoanOut, LoanWrittenOut, PositionOut, WrittenOut
from credit_engine.access.principal import Principal
from credit_engine.desk import LedgerWrites, Written
from credit_engine.ledger.commands import Command

WRITE_ERRORS = error_responses(401, 403, 404, 409, 413, 422, 503)


def written_out(written: Written) -> WrittenOut:
    fund = PositionOut.of(written.position) if written.position is not None else None
    event = EventOut.of(written.receipt)
    if written.loan is not None:
        return LoanWrittenOut(event=event, fund=fund, loan=LoanOut.of(written.loan, written.today))
    return WrittenOut(event=event, fund=fund)


def post(
    once: OnceOnly, writes: LedgerWrites, principal: Principal, command: Command, assessment_id: str | None = None
) -> Response:
    """Post ``command`` for ``principal`` once (retries replay the first 201)."""
    return once.run(201, lambda: written_out(writes.post(principal, command, assessment_id)))
