"""Covered loans: disbursement (``POST /v1/loans``), then repayment, delinquency, cure, extension, compensation
claim and payment, recovery and write-off — each one event of the ledger, posted once per ``Idempotency-Key``."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerReadsDep, LedgerWritesDep, PrincipalDep
from api.idempotency import OnceOnlyDep
from api.routes.writes import WRITE_ERRORS, post
from api.schemas.common import error_responses, fen
from api.schemas.ledger import (
    CompensationPaymentIn,
    DelinquencyIn,
    DisbursementIn,
    ExtensionIn,
    FundId,
    LoanEventIn,
    LoanId,
    LoanOut,
    LoanWrittenOut,
    RecoveryIn,
    RepaymentIn,
)
from credit_engine.ledger import commands as c

router = APIRouter(prefix="/v1", tags=["loans 贷款"])


@router.post(
    "/loans", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS, summary="Disburse / 放款"
)
def disburse(body: DisbursementIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """Lend a covered loan, optionally naming the assessment that approved it. Refused with 409
    `InsufficientFundHeadroom` beyond the fund's headroom under its cap, `FundOverCap` while the fund stands over its
    cap and `FundSuspended` while it is suspended."""
    return post(once.of(body), writes, principal, body.command(once.key), body.assessment_id)


@router.get("/funds/{fund_id}/loans/{loan_id}", response_model=LoanOut, responses=error_responses(401, 403, 404, 503))
def loan(fund_id: FundId, loan_id: LoanId, principal: PrincipalDep, ledger: LedgerReadsDep):
    """A loan's state and balances today."""
    return LoanOut.of(ledger.loan(principal, fund_id, loan_id), ledger.today())


def _event(loan_id: str, body: LoanEventIn, key: str) -> dict:
    return {"fund_id": body.fund_id, "loan_id": loan_id, "idempotency_key": key, "value_date": body.value_date}


@router.post("/loans/{loan_id}/repayments", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def repay(loan_id: LoanId, body: RepaymentIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """Principal repaid."""
    command = c.Repay(**_event(loan_id, body, once.key), amount_fen=fen(body.amount_yuan))
    return post(once.of(body), writes, principal, command)


@router.post("/loans/{loan_id}/delinquencies", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def report_delinquency(
    loan_id: LoanId, body: DelinquencyIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """逾期: the loan is ``days_past_due`` days overdue on the value date."""
    command = c.ReportDelinquency(**_event(loan_id, body, once.key), days_past_due=body.days_past_due)
    return post(once.of(body), writes, principal, command)


@router.post("/loans/{loan_id}/cures", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def cure(loan_id: LoanId, body: LoanEventIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """An overdue loan is current again."""
    return post(once.of(body), writes, principal, c.Cure(**_event(loan_id, body, once.key)))


@router.post("/loans/{loan_id}/extensions", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def extend(loan_id: LoanId, body: ExtensionIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """展期: a new maturity date."""
    return post(
        once.of(body), writes, principal, c.Extend(**_event(loan_id, body, once.key), maturity_date=body.maturity_date)
    )


@router.post(
    "/loans/{loan_id}/compensation-claims", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS
)
def claim_compensation(
    loan_id: LoanId, body: LoanEventIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """代偿申请: the bank claims the fund's share of a loan at least 90 days past due."""
    return post(once.of(body), writes, principal, c.ClaimCompensation(**_event(loan_id, body, once.key)))


@router.post(
    "/loans/{loan_id}/compensation-payments", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS
)
def pay_compensation(
    loan_id: LoanId, body: CompensationPaymentIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """代偿支付 (fund administrators): the fund pays its pending share — as much as it holds."""
    amount = None if body.amount_yuan is None else fen(body.amount_yuan)
    return post(
        once.of(body), writes, principal, c.PayCompensation(**_event(loan_id, body, once.key), amount_fen=amount)
    )


@router.post("/loans/{loan_id}/recoveries", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def recover(loan_id: LoanId, body: RecoveryIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """追偿: principal recovered after compensation, split back to the fund pro rata."""
    return post(
        once.of(body), writes, principal, c.Recover(**_event(loan_id, body, once.key), amount_fen=fen(body.amount_yuan))
    )


@router.post("/loans/{loan_id}/write-offs", status_code=201, response_model=LoanWrittenOut, responses=WRITE_ERRORS)
def write_off(loan_id: LoanId, body: LoanEventIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """核销: the rest of a compensated loan is written off."""
    return post(once.of(body), writes, principal, c.WriteOff(**_event(loan_id, body, once.key)))
