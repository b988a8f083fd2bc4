"""Simulating a fund's planned history in recording order, against the ledger's own domain objects.

:func:`simulate` sorts the steps of every story (and the fund's own events: interest on 21 December, a top-up, a
clawback) by value date — within a day, money in and loans repaid before new lending, delinquencies and
compensation after — and runs them through :class:`FundBook` and the loan state machine. A disbursement the ledger
would refuse (product limit, cap, suspension; every overdue loan is counted as non-performing here, which is
stricter than the ledger and never looser), or whose principal outstanding at the end would overshoot the fund's
target, is dropped with its whole story. What stands becomes the fund's commands, keyed ``<loan>/<n>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credit_engine.ledger import accounts
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import FundBook, PolicyTerms
from credit_engine.ledger.errors import LoanRefusedByFund
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.loan import Loan, LoanEvent, LoanState, apply_event, open_loan
from credit_engine.ledger.money import share_of
from credit_engine.ledger.products import ProductCatalog
from credit_engine.ledger.seed_stories import END, ENTERPRISE_PRODUCT, OPENED, Step, Story, households_driven

INTEREST_BPS = 35  # 0.35 % a year on the fund's special account, paid on 21 December (结息日)
ORDER = {"contribution": 0, "fund_interest": 0, "repayment": 1, "cure": 1, "extension": 1, "disbursement": 2}
LATE = 9  # delinquencies, claims, payments, recoveries, write-offs: after the day's lending


@dataclass(frozen=True, slots=True)
class FundSpec:
    """One fund to open: who, how much, and the status its history aims at."""

    fund_id: str
    county_code: str
    bank_code: str
    amount_fen: int
    target: str  # ok / below_floor / at_cap / suspended
    multiple_bps: int  # covered principal aimed at, as a multiple of the fund
    enterprise_share_bps: int
    opened_on: dt.date = OPENED
    top_up_fen: int = 0
    clawback_fen: int = 0


@dataclass
class FundPlan:
    spec: FundSpec
    commands: list[c.Command] = field(default_factory=list)
    dropped: set[str] = field(default_factory=set)  # stories whose disbursement would not have fitted
    end_balance_fen: int = 0


def _fund_steps(spec: FundSpec) -> list[Step]:
    steps = []
    for year in range(spec.opened_on.year, END.year + 1):
        steps.append(Step(dt.date(year, 12, 21), "fund_interest", "", {}))
    if spec.top_up_fen:
        steps.append(Step(dt.date(2024, 7, 1), "contribution", "", {"amount_fen": spec.top_up_fen}))
    if spec.clawback_fen:
        steps.append(Step(dt.date(2025, 9, 30), "clawback", "", {"amount_fen": spec.clawback_fen}))
    return steps


def simulate(
    spec: FundSpec,
    stories: list[Story],
    terms: PolicyTerms,
    target_fen: int,
    products: ProductCatalog,
    *,
    fill_cap: bool = False,
) -> FundPlan:
    """Run every step in recording order against the domain objects (the ledger's ``products`` and their limits);
    the commands of the steps that stand."""
    plan = FundPlan(spec)
    create = c.CreateFund(
        fund_id=spec.fund_id,
        idempotency_key="open",
        recorded_by="seed",
        county_code=spec.county_code,
        bank_code=spec.bank_code,
        value_date=spec.opened_on,
        amount_fen=spec.amount_fen,
        terms=terms,
    )
    plan.commands.append(create)
    opening = _entry(spec, "contribution", spec.opened_on, accounts.contribution(spec.amount_fen))
    sim = _Simulation(spec, terms, FundBook(spec.fund_id, spec.opened_on).after(opening), products)
    sim.budget_fen, sim.ends = target_fen, {s.story_id: s.outstanding_at_end for s in stories}
    steps = _fund_steps(spec) + [step for story in stories for step in story.steps]
    steps.sort(key=lambda s: (s.value_date, ORDER.get(s.kind, LATE), s.story_id, s.seq))
    for step in steps:
        if step.story_id in sim.dropped:
            continue
        command = sim.apply(step)
        if command is not None:
            plan.commands.append(command)
    if fill_cap:
        plan.commands.extend(sim.fill_cap())
    plan.dropped, plan.end_balance_fen = sim.dropped, sim.book.fund_balance_fen
    return plan


def _entry(spec: FundSpec, kind: str, on: dt.date, postings, loan_id: str | None = None) -> JournalEntry:  # noqa: ANN001
    return JournalEntry(spec.fund_id, kind, on, postings, loan_id)


class _Simulation:
    """The fund's book and loans as the ledger will have them, step by step."""

    def __init__(self, spec: FundSpec, terms: PolicyTerms, book: FundBook, products: ProductCatalog) -> None:
        self.spec, self.terms, self.book, self.products = spec, terms, book, products
        self.loans: dict[str, Loan] = {}
        self.seq: dict[str, int] = {}
        self.dropped: set[str] = set()
        self.budget_fen = 0  # principal still allowed to be outstanding at the end
        self.ends: dict[str, int] = {}

    def _key(self, loan_id: str) -> str:
        self.seq[loan_id] = self.seq.get(loan_id, 0) + 1
        return f"{loan_id}/{self.seq[loan_id]}"

    def apply(self, step: Step) -> c.Command | None:
        if step.kind in ("fund_interest", "contribution", "clawback"):
            return self._fund_event(step)
        if step.kind == "disbursement":
            return self._disburse(step)
        return self._loan_event(step)

    def _fund_event(self, step: Step) -> c.Command | None:
        amount = step.facts.get("amount_fen") or share_of(self.book.fund_balance_fen, INTEREST_BPS)
        if amount <= 0 or (step.kind == "clawback" and amount > self.book.fund_balance_fen):
            return None
        recipe = {"fund_interest": accounts.fund_interest, "contribution": accounts.contribution}
        postings = recipe.get(step.kind, accounts.clawback)(amount)
        self.book = self.book.after(_entry(self.spec, step.kind, step.value_date, postings))
        kind = {"fund_interest": c.RecordFundInterest, "contribution": c.Contribute, "clawback": c.ClawBack}[step.kind]
        key = f"{step.kind}/{step.value_date.isoformat()}"
        return kind(
            fund_id=self.spec.fund_id,
            idempotency_key=key,
            recorded_by="seed",
            value_date=step.value_date,
            amount_fen=amount,
        )

    def _disburse(self, step: Step) -> c.Command | None:
        facts = step.facts
        product = self.products.get(facts["product"])
        end_fen = self.ends.get(step.story_id, 0)
        if end_fen > self.budget_fen or facts["amount_fen"] > product.limit_fen:  # over the product limit: refused
            self.dropped.add(step.story_id)
            return None
        try:  # every overdue loan counts as non-performing here: stricter than the ledger, never looser
            self.book.check_disbursement(self.terms, product, facts["amount_fen"], self.book.overdue_fen)
        except LoanRefusedByFund:
            self.dropped.add(step.story_id)
            return None
        event = LoanEvent(
            event_type="disbursement",
            value_date=step.value_date,
            amount_fen=facts["amount_fen"],
            maturity_date=facts["maturity_date"],
            product=product.code,
            borrower_ref=facts["borrower_ref"],
            households_driven=facts.get("households_driven"),
        )
        loan, postings = open_loan(self.spec.fund_id, step.story_id, event)
        self.budget_fen -= end_fen
        self.loans[loan.loan_id] = loan
        self.book = self.book.after(_entry(self.spec, "disbursement", step.value_date, postings, loan.loan_id))
        return c.Disburse(
            fund_id=self.spec.fund_id,
            idempotency_key=self._key(loan.loan_id),
            recorded_by="seed",
            loan_id=loan.loan_id,
            product=product.code,
            borrower_ref=facts["borrower_ref"],
            value_date=step.value_date,
            amount_fen=facts["amount_fen"],
            maturity_date=facts["maturity_date"],
            households_driven=loan.households_driven,
        )

    def _loan_event(self, step: Step) -> c.Command | None:
        loan = self.loans[step.story_id]
        on, kind = step.value_date, step.kind
        amount = self._event_amount(step, loan)
        if kind == "compensation_payment" and amount <= 0:
            return None
        event = LoanEvent(
            event_type=kind,
            value_date=on,
            amount_fen=amount,
            days_past_due=step.facts.get("days_past_due"),
            maturity_date=step.facts.get("maturity_date"),
            share_bps=self.terms.fund_share_bps if kind == "compensation_claim" else None,
        )
        new, postings = apply_event(loan, event)
        self.loans[loan.loan_id] = new
        self.book = self.book.after(_entry(self.spec, kind, on, postings, loan.loan_id))
        common = {"fund_id": self.spec.fund_id, "recorded_by": "seed", "idempotency_key": self._key(loan.loan_id)}
        common |= {"loan_id": loan.loan_id, "value_date": on}
        return _loan_command(step, loan, common, amount)

    def _event_amount(self, step: Step, loan: Loan) -> int | None:
        """The amount of a loan's event: planned, or what the loan and the fund leave for it."""
        kind = step.kind
        if kind == "repayment" and step.facts.get("amount_fen") is None:
            return loan.outstanding_fen
        if kind == "recovery":
            return max(share_of(loan.compensated_fen, step.facts["share_bps"]) // 100 * 100, 100)
        if kind == "compensation_payment":
            return min(loan.pending_fen, self.book.fund_balance_fen)
        if kind == "write_off":
            return loan.compensated_fen
        return step.facts.get("amount_fen")

    def fill_cap(self) -> list[c.Command]:
        """Last 强农贷 loans on the final day for exactly the headroom left: the fund is at its cap.

        The headroom is split into as few loans as the 强农贷 product limit allows, of equal size to the fen (the
        first ones a fen larger): ``QN-<county>-<bank>-CAP``, then ``-CAP-2``, ``-CAP-3``… to enterprises named
        alike. A headroom within the limit is one loan, as before, so ledgers seeded earlier stay idempotent."""
        headroom = self.book.headroom_fen(self.terms)
        if (
            headroom is None
            or headroom <= 0
            or self.book.overdue_fen * 10_000 > self.terms.npl_suspension_bps * self.book.covered_principal_fen
        ):
            return []
        count = -(-headroom // self.products.get(ENTERPRISE_PRODUCT).limit_fen)
        base, extra = divmod(headroom, count)
        commands = []
        for number in range(1, count + 1):
            suffix = "CAP" if number == 1 else f"CAP-{number}"
            amount = base + (1 if number <= extra else 0)
            step = Step(
                END,
                "disbursement",
                f"QN-{self.spec.county_code}-{self.spec.bank_code}-{suffix}",
                {
                    "product": ENTERPRISE_PRODUCT,
                    "amount_fen": amount,
                    "maturity_date": dt.date(2028, 12, 31),
                    "borrower_ref": f"ENT-{self.spec.county_code}-{suffix}",
                    "households_driven": households_driven(amount),
                },
            )
            command = self._disburse(step)
            if command is None:
                break
            commands.append(command)
        return commands


def _loan_command(step: Step, loan: Loan, common: dict, amount: int | None) -> c.Command:
    """The ledger command of a loan's planned event (``common``: fund, key, loan, value date, recorder)."""
    kind = step.kind
    if kind == "repayment":
        return c.Repay(**common, amount_fen=amount)
    if kind == "delinquency":
        return c.ReportDelinquency(**common, days_past_due=step.facts["days_past_due"])
    if kind == "cure":
        return c.Cure(**common)
    if kind == "extension":
        return c.Extend(**common, maturity_date=step.facts["maturity_date"])
    if kind == "compensation_claim":
        return c.ClaimCompensation(**common)
    if kind == "compensation_payment":
        return c.PayCompensation(**common, amount_fen=amount)
    if kind == "recovery":
        return c.Recover(**common, amount_fen=amount)
    assert kind == "write_off" and loan.state is LoanState.COMPENSATED
    return c.WriteOff(**common)
