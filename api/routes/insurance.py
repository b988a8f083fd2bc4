"""Insurance cover (保证保险): set a fund's cover, book a premium, record the insurer's payment on a claim.

Thin adapters: yuan → fen in the schemas, the same ledger services through the desk's one write path (scope, audit,
idempotency). Setting a cover and booking premiums are fund events (fund administrators); the insurer's payment on a
compensated loan is a loan event (bank officers of the fund's bank), like a recovery.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerReadsDep, LedgerWritesDep, PrincipalDep
from api.idempotency import OnceOnlyDep
from api.routes.writes import WRITE_ERRORS, post
from api.schemas.common import error_responses, fen
from api.schemas.ledger import (
    CoverIn,
    CoverOut,
    FundId,
    FundMoneyIn,
    InsurerPaymentIn,
    LoanId,
    LoanWrittenOut,
    WrittenOut,
)
from credit_engine.ledger import commands as c

router = APIRouter(prefix="/v1", tags=["insurance 保证保险"])


@router.post(
    "/funds/{fund_id}/insurance-covers",
    status_code=201,
    response_model=WrittenOut,
    responses=WRITE_ERRORS,
    summary="Set the fund's insurance cover / 设定保证保险",
)
def set_cover(fund_id: FundId, body: CoverIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """A new version of the fund's cover from ``effective_from`` on; compensation claims from then on pass the
    waterfall: the insurer's part first, then fund and bank at the policy's share."""
    return post(once.of(body), writes, principal, body.command(fund_id, once.key))


@router.get(
    "/funds/{fund_id}/insurance-covers",
    response_model=list[CoverOut],
    responses=error_responses(401, 403, 404, 503),
    summary="The fund's insurance covers / 保证保险",
)
def list_covers(fund_id: FundId, principal: PrincipalDep, ledger: LedgerReadsDep):
    """Every version of the fund's cover, as recorded (the one in force on a date: latest ``effective_from``)."""
    return [CoverOut.of(cover) for cover in ledger.covers(principal, fund_id)]


@router.post(
    "/funds/{fund_id}/insurance-premiums",
    status_code=201,
    response_model=WrittenOut,
    responses=WRITE_ERRORS,
    summary="Book a premium paid / 保费",
)
def pay_premium(
    fund_id: FundId, body: FundMoneyIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """A premium paid to the insurer of the cover in force (the county's subsidy part and the bank's part)."""
    return post(once.of(body), writes, principal, body.command(c.PayInsurancePremium, fund_id, once.key))


@router.post(
    "/loans/{loan_id}/insurer-payments",
    status_code=201,
    response_model=LoanWrittenOut,
    responses=WRITE_ERRORS,
    summary="The insurer pays its part / 保险理赔",
)
def insurer_payment(
    loan_id: LoanId, body: InsurerPaymentIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """保险理赔: the insurer pays its part of a compensated loan's loss (all still unpaid by default)."""
    amount = None if body.amount_yuan is None else fen(body.amount_yuan)
    command = c.RecordInsurerPayment(
        fund_id=body.fund_id, loan_id=loan_id, idempotency_key=once.key, value_date=body.value_date, amount_fen=amount
    )
    return post(once.of(body), writes, principal, command)
