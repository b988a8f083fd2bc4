"""Schemas of the fund ledger over HTTP: one request schema per event, the loan, the fund's position, the receipt.

Each ``...In`` schema builds its ledger command (yuan → fen, multiples and shares → basis points); the idempotency
key comes from the ``Idempotency-Key`` header and the actor from the API key, never from the body.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import IsoDate, Strict, Yuan, code, fen, yuan_of
from credit_engine.insurance.cover import CoverTerms, InsuranceCover
from credit_engine.ledger import commands as c
from credit_engine.ledger.commands import Receipt
from credit_engine.ledger.domain import PolicyTerms, default_terms
from credit_engine.ledger.loan import Loan
from credit_engine.ledger.money import BPS
from credit_engine.ledger.position import FundPosition

ProductCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        examples=["fumin"],
        description="Loan product: a code, alias or Chinese name of a product configured in the ledger (fumin / "
        "富民贷, qiangnong / 强农贷, …); an unknown one is refused with 422 listing the known products. "
        "贷款产品：台账中已配置产品的代码、别名或中文名。",
    ),
]
FundId = code("fund_id", "140121-SXRCU")
LoanId = code("loan_id", "L-2025-000123")
CountyCode = code("county_code", "140121")
BankCode = code("bank_code", "SXRCU", "Partner bank code / 合作银行代码.")
BorrowerRef = code(
    "borrower_ref",
    "hh-H000001023",
    "Pseudonymous borrower reference; a bare 18-character ID number is replaced by its keyed hash on arrival, an ID "
    "number in any other form is refused.",
)
EventId = code("event_id", "disb-2025-06-30-000123", "The event id (Idempotency-Key) of the event to reverse.")
AssessmentId = code("assessment_id", "9f1c2e4b7a0d4c6f8e2b1a3c5d7e9f01", "The approving assessment.")
Multiple = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4, description="e.g. 8 for 8×")]
HouseholdsDriven = Annotated[
    int | None,
    Field(
        default=None,
        examples=[25],
        description="带贫户数：强农贷必填（≥ 1），富民贷不填 / Registered poor households the loan drives: required "
        "(≥ 1) for 强农贷, refused for 富民贷.",
    ),
]
Share = Annotated[Decimal, Field(ge=0, le=1, decimal_places=4, description="e.g. 0.7 for 70 %")]


def _bps(value: Decimal | None) -> int | None:
    return None if value is None else int(value * BPS)


class TermsIn(Strict):
    """A fund's terms; any term not given keeps the configured default (or, for a new policy, the one in force)."""

    floor_multiple: Multiple | None = None
    cap_multiple: Multiple | None = Field(default=None, description="e.g. 10 for 10×")
    no_cap: bool = Field(default=False, description="True: no cap at all.")
    fund_share: Share | None = None
    trigger_days: int | None = Field(default=None, ge=1, le=3650)
    payment_deadline_days: int | None = Field(default=None, ge=1, le=3650)
    npl_suspension: Share | None = Field(default=None, description="Suspend above this NPL ratio, e.g. 0.03.")
    household_min_share: Share | None = None
    subsidy_rate: Share | None = None
    lending_suspended: bool | None = None

    def terms(self, base: PolicyTerms) -> PolicyTerms:
        changes: dict[str, Any] = {
            "floor_multiple_bps": _bps(self.floor_multiple),
            "cap_multiple_bps": _bps(self.cap_multiple),
            "fund_share_bps": _bps(self.fund_share),
            "trigger_days": self.trigger_days,
            "payment_deadline_days": self.payment_deadline_days,
            "npl_suspension_bps": _bps(self.npl_suspension),
            "household_min_share_bps": _bps(self.household_min_share),
            "subsidy_rate_bps": _bps(self.subsidy_rate),
            "lending_suspended": self.lending_suspended,
        }
        terms = base.replace(**{name: value for name, value in changes.items() if value is not None})
        return terms.replace(cap_multiple_bps=None) if self.no_cap else terms


class FundIn(TermsIn):
    fund_id: FundId
    county_code: CountyCode
    bank_code: BankCode
    value_date: IsoDate
    amount_yuan: Yuan = Field(description="The first contribution (注入).")

    def command(self, key: str) -> c.CreateFund:
        return c.CreateFund(
            fund_id=self.fund_id,
            idempotency_key=key,
            county_code=self.county_code,
            bank_code=self.bank_code,
            value_date=self.value_date,
            amount_fen=fen(self.amount_yuan),
            terms=self.terms(default_terms()),
        )


class PolicyIn(TermsIn):
    effective_from: IsoDate

    def command(self, fund_id: str, key: str, current: PolicyTerms) -> c.SetPolicy:
        terms = self.terms(current)
        return c.SetPolicy(fund_id=fund_id, idempotency_key=key, effective_from=self.effective_from, terms=terms)


class FundMoneyIn(Strict):
    value_date: IsoDate
    amount_yuan: Yuan

    def command(self, kind: type[c.FundMoneyCommand], fund_id: str, key: str) -> c.FundMoneyCommand:
        """The fund money command ``kind`` (a contribution, a clawback, fund interest) this body asks for."""
        return kind(fund_id=fund_id, idempotency_key=key, value_date=self.value_date, amount_fen=fen(self.amount_yuan))


class DisbursementIn(Strict):
    """POST /v1/loans: lend a covered loan of a configured product (富民贷, 强农贷, …)."""

    fund_id: FundId
    loan_id: LoanId
    product: ProductCode
    borrower_ref: BorrowerRef
    amount_yuan: Yuan
    value_date: IsoDate
    maturity_date: IsoDate
    assessment_id: AssessmentId | None = None
    households_driven: HouseholdsDriven = None

    def command(self, key: str) -> c.Disburse:
        return c.Disburse(
            fund_id=self.fund_id,
            idempotency_key=key,
            loan_id=self.loan_id,
            product=self.product,
            borrower_ref=self.borrower_ref,
            value_date=self.value_date,
            amount_fen=fen(self.amount_yuan),
            maturity_date=self.maturity_date,
            households_driven=self.households_driven,
        )


class LoanEventIn(Strict):
    fund_id: FundId
    value_date: IsoDate


class RepaymentIn(LoanEventIn):
    amount_yuan: Yuan


class DelinquencyIn(LoanEventIn):
    days_past_due: int = Field(ge=1, le=36500)


class ExtensionIn(LoanEventIn):
    maturity_date: IsoDate


class CompensationPaymentIn(LoanEventIn):
    amount_yuan: Yuan | None = Field(default=None, description="Default: all that is pending.")


class RecoveryIn(LoanEventIn):
    amount_yuan: Yuan


class InsurerPaymentIn(LoanEventIn):
    amount_yuan: Yuan | None = Field(default=None, description="Default: all of the insurer's unpaid part.")


class CoverIn(Strict):
    """POST /v1/funds/{fund_id}/insurance-covers: the fund's insurance cover (保证保险) from ``effective_from``.

    ``share``: the insurer pays ``share`` of every loss; ``first_loss``: it pays every loss until its layer —
    ``layer_yuan``, or ``layer_share`` of the insured principal on the policy year's first day — is used up within a
    policy year (12 months from ``effective_from``); ``none`` ends the cover. Then the fund and the
    bank share the rest at the fund's policy share (7:3). 保险类型：比例分担 / 首损层 / 无。"""

    effective_from: IsoDate
    insurer: str = Field(min_length=1, max_length=128, examples=["人保财险 PICC"], description="Insurer / 保险公司.")
    kind: Literal["share", "first_loss", "none"]
    share: Share | None = Field(default=None, description="The insurer's share of each loss (kind share), e.g. 0.5.")
    layer_yuan: Yuan | None = Field(default=None, description="First-loss layer per policy year (kind first_loss).")
    layer_share: Share | None = Field(
        default=None, description="Or the layer as a share of insured principal on the policy year's first day."
    )
    premium_rate: Share = Field(default=Decimal(0), description="Premium per year on insured principal, e.g. 0.02.")
    premium_subsidy_share: Share = Field(default=Decimal(0), description="The county's share of premiums, e.g. 0.5.")
    products: list[str] = Field(default=[], max_length=16, description="Product codes covered (none: every one).")
    effective_to: IsoDate | None = Field(default=None, description="Last day in force (default: open-ended).")

    def command(self, fund_id: str, key: str) -> c.SetInsuranceCover:
        cover = CoverTerms(
            insurer=self.insurer,
            kind=self.kind,
            share_bps=_bps(self.share) or 0,
            layer_fen=0 if self.layer_yuan is None else fen(self.layer_yuan),
            layer_bps=_bps(self.layer_share) or 0,
            premium_rate_bps=_bps(self.premium_rate) or 0,
            subsidy_share_bps=_bps(self.premium_subsidy_share) or 0,
            products=tuple(self.products),
            effective_to=self.effective_to,
        )
        return c.SetInsuranceCover(
            fund_id=fund_id, idempotency_key=key, effective_from=self.effective_from, cover=cover
        )


class CoverOut(BaseModel):
    """One version of a fund's insurance cover, as recorded (shares and rates as fractions, money in yuan)."""

    fund_id: str
    effective_from: dt.date
    effective_to: dt.date | None
    recorded_at: dt.datetime
    insurer: str
    kind: str
    share: float
    layer_yuan: float
    layer_share: float
    premium_rate: float
    premium_subsidy_share: float
    products: list[str]

    @classmethod
    def of(cls, cover: InsuranceCover) -> CoverOut:
        terms = cover.terms
        return cls(
            fund_id=cover.fund_id,
            effective_from=cover.effective_from,
            effective_to=terms.effective_to,
            recorded_at=cover.recorded_at,
            insurer=terms.insurer,
            kind=terms.kind,
            share=terms.share_bps / BPS,
            layer_yuan=terms.layer_fen / 100,
            layer_share=terms.layer_bps / BPS,
            premium_rate=terms.premium_rate_bps / BPS,
            premium_subsidy_share=terms.subsidy_share_bps / BPS,
            products=list(terms.products),
        )


class ReversalIn(Strict):
    reverses_event_id: EventId
    value_date: IsoDate | None = None


class EventOut(BaseModel):
    """The ledger's receipt: ``duplicate`` when the ledger had already recorded this event (same key and body)."""

    fund_id: str
    event_type: str
    idempotency_key: str
    transaction_id: int | None
    recorded_at: dt.datetime
    duplicate: bool
    details: dict[str, Any]

    @classmethod
    def of(cls, receipt: Receipt) -> EventOut:
        values = receipt.as_dict()
        return cls(**(values | {"recorded_at": receipt.recorded_at, "duplicate": receipt.duplicate}))


class PositionOut(BaseModel):
    """A fund as of a date: money in yuan, multiples as numbers, status ok / below_floor / at_cap / over_cap /
    suspended (``over_cap_yuan``: how far a clawback left covered principal above the cap; no loan until under)."""

    fund_id: str
    county_code: str
    bank_code: str
    as_of: dt.date
    fund_balance_yuan: float
    covered_principal_yuan: float
    covered_by_product_yuan: dict[str, float]
    multiple: float | None
    floor_multiple: float
    cap_multiple: float | None
    floor_shortfall_yuan: float
    headroom_yuan: float | None
    npl_ratio: float
    status: Literal["ok", "below_floor", "at_cap", "over_cap", "suspended"]
    over_cap_yuan: float = 0.0

    @classmethod
    def of(cls, p: FundPosition) -> PositionOut:
        cap = p.terms.cap_multiple_bps
        return cls(
            fund_id=p.fund_id,
            county_code=p.county_code,
            bank_code=p.bank_code,
            as_of=p.as_of,
            fund_balance_yuan=p.fund_balance_fen / 100,
            covered_principal_yuan=p.covered_principal_fen / 100,
            covered_by_product_yuan={k: v / 100 for k, v in p.covered_by_product_fen.items()},
            multiple=p.multiple,
            floor_multiple=p.terms.floor_multiple_bps / BPS,
            cap_multiple=None if cap is None else cap / BPS,
            floor_shortfall_yuan=p.floor_shortfall_fen / 100,
            headroom_yuan=yuan_of(p.headroom_fen),
            npl_ratio=p.npl_ratio,
            status=p.status,  # type: ignore[arg-type]
            over_cap_yuan=p.over_cap_fen / 100,
        )


class LoanOut(BaseModel):
    fund_id: str
    loan_id: str
    product: str
    borrower_ref: str
    state: str
    disbursed_on: dt.date
    maturity_date: dt.date
    principal_yuan: float
    outstanding_yuan: float
    overdue_yuan: float
    compensated_yuan: float
    recovered_yuan: float
    written_off_yuan: float
    insurer_yuan: float = Field(default=0.0, description="The insurer's part of the loss (保证保险) / 保险承担部分.")
    insurer_paid_yuan: float = Field(default=0.0, description="What the insurer has paid of it / 保险已赔付.")
    households_driven: int | None = Field(default=None, description="带贫户数 (强农贷) / Poor households driven.")

    @classmethod
    def of(cls, loan: Loan, on: dt.date) -> LoanOut:
        return cls(
            fund_id=loan.fund_id,
            loan_id=loan.loan_id,
            product=loan.product,
            borrower_ref=loan.borrower_ref,
            state=loan.state_on(on).value,
            disbursed_on=loan.disbursed_on,
            maturity_date=loan.maturity_date,
            principal_yuan=loan.principal_fen / 100,
            outstanding_yuan=loan.outstanding_fen / 100,
            overdue_yuan=loan.overdue_fen / 100,
            compensated_yuan=loan.compensated_fen / 100,
            recovered_yuan=loan.recovered_fen / 100,
            written_off_yuan=loan.written_off_fen / 100,
            insurer_yuan=loan.insurer_fen / 100,
            insurer_paid_yuan=loan.insurer_paid_fen / 100,
            households_driven=loan.households_driven,
        )


class WrittenOut(BaseModel):
    """A write's receipt and the fund's position right after it."""

    event: EventOut
    fund: PositionOut | None


class LoanWrittenOut(WrittenOut):
    """A disbursement: the loan as lent and the fund's new position."""

    loan: LoanOut


class ImportedEventOut(BaseModel):
    row: int
    fund_id: str
    event_id: str
    event_type: str
    status: Literal["posted", "duplicate", "refused"]
    error_code: str
    message: str
    transaction_id: int | None


class ImportOut(BaseModel):
    posted: int
    duplicate: int
    refused: int
    events: list[ImportedEventOut]
