"""The demo history of a seeded ledger, planned in memory: which funds, which loans, which events, in which order.

:func:`plan_seed` turns a generated registry (one row per household application) into one :class:`FundPlan` per
fund: the commands that :mod:`.seed` then posts through the services. Every county gets a 5,000,000-yuan fund at
the provincial rural credit union (``SXRCU``); the county with the most households also gets a smaller fund at the
Postal Savings Bank (``PSBC``). Counties are given a target status by their lending capacity: the largest are
driven to the cap or into suspension (a local shock leaves > 3% of principal 90+ days past due), the smallest
stay below the 8× floor, the rest land between floor and cap. Each eligible household's loan is a *story* —
disbursement, repayment at maturity, an extension, a short delinquency and its cure, or (households the registry
marks ``defaulted``) delinquency, compensation claim, payment, recovery and write-off. A few 强农贷 enterprise loans
bring the household share to 60–80% (two counties stay below the 60% minimum).

The stories' events are simulated in recording order against the ledger's own domain objects (:class:`FundBook`,
the loan state machine), with the suspension rule applied conservatively (every overdue loan counts as
non-performing), so a disbursement the ledger would refuse is dropped here with its story and every planned
command is one the ledger accepts. Everything is deterministic: the same registry gives the same commands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from credit_engine.contract import idnumber
from credit_engine.ledger import accounts
from credit_engine.ledger import commands as c
from credit_engine.ledger.domain import FundBook, PolicyTerms, Product, default_terms
from credit_engine.ledger.errors import InsufficientFundCapacity
from credit_engine.ledger.journal import JournalEntry
from credit_engine.ledger.loan import Loan, LoanEvent, LoanState, apply_event, open_loan
from credit_engine.ledger.money import multiple_of, share_of
from credit_engine.ledger.seed_stories import (
    END,
    OPENED,
    Step,
    Story,
    enterprise_stories,
    household_story,
    shock_story,
)

SEED = 20_231
MAIN_BANK, SECOND_BANK = "SXRCU", "PSBC"
BANK_NAMES = {
    MAIN_BANK: "山西省农村信用社 Shanxi Rural Credit Union",
    SECOND_BANK: "中国邮政储蓄银行 Postal Savings Bank",
}
ELIGIBLE_STATUS = ("registered", "exited", "monitored")
UNPRODUCTIVE = ("housing", "wedding", "consumption")
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


def eligible(households):  # noqa: ANN001, ANN201 - pandas frames; pandas stays a lazy import of the caller
    """Households that pass the 富民贷 knock-outs (registered, head 18–65, productive purpose, no adverse record,
    amount 1,000–50,000 yuan)."""
    frame = households
    keep = (
        frame["registry_status"].isin(ELIGIBLE_STATUS)
        & frame["head_age"].between(18, 65)
        & ~frame["purpose"].isin(UNPRODUCTIVE)
        & (frame["credit_record"] != "adverse")
        & frame["requested_amount"].between(1_000, 50_000)
    )
    return frame[keep].sort_values("household_id", kind="stable")


def _fen(yuan: float) -> int:
    return int(Decimal(str(yuan)).quantize(Decimal("0.01")) * 100)


def fund_specs(households, fund_fen: int) -> list[FundSpec]:  # noqa: ANN001
    """One fund per county (target by lending capacity, largest first) and a second fund for the largest county."""
    pool = eligible(households)
    capacity = pool.groupby("county_code")["requested_amount"].sum()
    counties = sorted(capacity.index, key=lambda code: (-capacity[code], code))
    n = len(counties)
    special = 2 if n >= 20 else 1
    below = max(1, round(n * 0.3)) if n >= 4 else 0
    specs = []
    for rank, county in enumerate(counties):
        rng = np.random.default_rng([SEED, int(county), 0])
        if rank < special:
            target, multiple = "at_cap", 98_000
        elif rank < 2 * special:
            target, multiple = "suspended", 86_000
        elif rank >= n - below:
            target, multiple = "below_floor", int(rng.integers(40_000, 72_000))
        else:
            target, multiple = "ok", int(rng.integers(82_000, 95_000))
        share = 4_500 if rank in (2 * special, n - 1) else int(rng.integers(2_000, 3_600))
        specs.append(
            FundSpec(
                fund_id=f"{county}-{MAIN_BANK}",
                county_code=county,
                bank_code=MAIN_BANK,
                amount_fen=fund_fen,
                target=target,
                multiple_bps=multiple,
                enterprise_share_bps=share,
                top_up_fen=fund_fen // 5 if target == "ok" and rank % 5 == 0 else 0,
                clawback_fen=fund_fen // 10 if rank == n - 2 and target == "below_floor" else 0,
            )
        )
    if counties:
        county = max(counties, key=lambda code: (int((pool["county_code"] == code).sum()), code))
        second = FundSpec(
            fund_id=f"{county}-{SECOND_BANK}",
            county_code=county,
            bank_code=SECOND_BANK,
            amount_fen=fund_fen * 2 // 5,
            target="below_floor",
            multiple_bps=50_000,
            enterprise_share_bps=3_000,
            opened_on=dt.date(2025, 1, 1),
        )
        specs.append(second)
    return specs


def plan_seed(households, secret: str, fund_fen: int = 500_000_000) -> list[FundPlan]:  # noqa: ANN001
    """The plans of every fund of the registry (see the module docstring); ``fund_fen`` is a county fund's size."""
    pool = eligible(households)
    terms = default_terms()
    plans = []
    specs = fund_specs(households, fund_fen)
    second = {spec.county_code for spec in specs if spec.bank_code == SECOND_BANK}
    for spec in specs:
        county_pool = pool[pool["county_code"] == spec.county_code]
        if spec.county_code in second:  # the two banks of one county lend to different households
            cut = len(county_pool) * 3 // 4
            county_pool = county_pool.iloc[:cut] if spec.bank_code == MAIN_BANK else county_pool.iloc[cut:]
        plans.append(plan_fund(spec, county_pool, secret, terms))
    return plans


def _households(spec: FundSpec, pool, secret: str) -> Iterator[dict]:  # noqa: ANN001
    rng = np.random.default_rng([SEED, int(spec.county_code), len(spec.bank_code)])
    order = rng.permutation(len(pool))
    columns = ["household_id", "head_id_number", "requested_amount", "term_months", "purpose", "defaulted"]
    rows = pool[columns].to_dict("records")
    for index in order:
        row = rows[index]
        yield row | {
            "borrower_ref": idnumber.pseudonymise(row["head_id_number"], secret),
            "amount_fen": _fen(row["requested_amount"]),
        }


def plan_fund(spec: FundSpec, pool, secret: str, terms: PolicyTerms) -> FundPlan:  # noqa: ANN001
    """Candidate stories worth 110% of the target, simulated: a story stands if the ledger would accept its loan
    and the principal it leaves outstanding at the end still fits under the target."""
    rng = np.random.default_rng([SEED, int(spec.county_code), len(spec.bank_code), 1])
    target_fen = multiple_of(spec.amount_fen + spec.top_up_fen - spec.clawback_fen, spec.multiple_bps)
    stories = enterprise_stories(spec, share_of(target_fen, spec.enterprise_share_bps), rng)
    outstanding = sum(s.outstanding_at_end for s in stories)
    for row in _households(spec, pool, secret):
        if outstanding >= target_fen * 11 // 10:
            break
        story = household_story(spec, row, rng, spec.target == "suspended")
        stories.append(story)
        outstanding += story.outstanding_at_end
    plan = simulate(spec, stories, terms, target_fen)
    balance = plan.end_balance_fen  # compensation paid out shrinks the fund: aim at the multiple of what is left
    plan = simulate(spec, stories, terms, multiple_of(balance, spec.multiple_bps))
    if spec.target == "suspended":
        stories = _shock(stories, plan.dropped, rng)
        plan = simulate(spec, stories, terms, multiple_of(balance, spec.multiple_bps))
    if spec.target == "at_cap":
        plan = simulate(spec, stories, terms, multiple_of(balance, spec.multiple_bps), fill_cap=True)
    return plan


def _shock(stories: list[Story], dropped: set[str], rng) -> list[Story]:  # noqa: ANN001
    """A local shock (drought, price collapse) in mid-2025: enough borrowers fall 90+ days past due to take the
    NPL ratio of the suspended county to about 5% — reported after its last disbursement, not claimed yet."""
    standing = [s for s in stories if s.story_id not in dropped]
    need = sum(s.outstanding_at_end for s in standing) * 5 // 100
    candidates = [s for s in standing if s.shockable]
    chosen: set[str] = set()
    for index in rng.permutation(len(candidates)):
        if need <= 0:
            break
        chosen.add(candidates[index].story_id)
        need -= candidates[index].outstanding_at_end
    return [shock_story(s, rng) if s.story_id in chosen else s for s in stories]


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
    spec: FundSpec, stories: list[Story], terms: PolicyTerms, target_fen: int, *, fill_cap: bool = False
) -> FundPlan:
    """Run every step in recording order against the domain objects; the commands of the steps that stand."""
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
    sim = _Simulation(spec, terms, FundBook(spec.fund_id, spec.opened_on).after(opening))
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
        command = sim.fill_cap()
        if command is not None:
            plan.commands.append(command)
    plan.dropped, plan.end_balance_fen = sim.dropped, sim.book.fund_balance_fen
    return plan


def _entry(spec: FundSpec, kind: str, on: dt.date, postings, loan_id: str | None = None) -> JournalEntry:  # noqa: ANN001
    return JournalEntry(spec.fund_id, kind, on, postings, loan_id)


class _Simulation:
    """The fund's book and loans as the ledger will have them, step by step."""

    def __init__(self, spec: FundSpec, terms: PolicyTerms, book: FundBook) -> None:
        self.spec, self.terms, self.book = spec, terms, book
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
        product = Product(facts["product"])
        end_fen = self.ends.get(step.story_id, 0)
        if end_fen > self.budget_fen:
            self.dropped.add(step.story_id)
            return None
        try:  # every overdue loan counts as non-performing here: stricter than the ledger, never looser
            self.book.check_disbursement(self.terms, product, facts["amount_fen"], self.book.overdue_fen)
        except InsufficientFundCapacity:
            self.dropped.add(step.story_id)
            return None
        event = LoanEvent(
            event_type="disbursement",
            value_date=step.value_date,
            amount_fen=facts["amount_fen"],
            maturity_date=facts["maturity_date"],
            product=product.value,
            borrower_ref=facts["borrower_ref"],
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
            product=product.value,
            borrower_ref=facts["borrower_ref"],
            value_date=step.value_date,
            amount_fen=facts["amount_fen"],
            maturity_date=facts["maturity_date"],
        )

    def _loan_event(self, step: Step) -> c.Command | None:
        loan = self.loans[step.story_id]
        on, kind, common = step.value_date, step.kind, {"fund_id": self.spec.fund_id, "recorded_by": "seed"}
        amount = step.facts.get("amount_fen")
        if kind == "repayment" and amount is None:
            amount = loan.outstanding_fen
        if kind == "recovery":
            amount = max(share_of(loan.compensated_fen, step.facts["share_bps"]) // 100 * 100, 100)
        if kind == "compensation_payment":
            amount = min(loan.pending_fen, self.book.fund_balance_fen)
            if amount <= 0:
                return None
        share = self.terms.fund_share_bps if kind == "compensation_claim" else None
        if kind == "write_off":
            amount = loan.compensated_fen
        event = LoanEvent(
            event_type=kind,
            value_date=on,
            amount_fen=amount,
            days_past_due=step.facts.get("days_past_due"),
            maturity_date=step.facts.get("maturity_date"),
            share_bps=share,
        )
        new, postings = apply_event(loan, event)
        self.loans[loan.loan_id] = new
        self.book = self.book.after(_entry(self.spec, kind, on, postings, loan.loan_id))
        key = self._key(loan.loan_id)
        common |= {"idempotency_key": key, "loan_id": loan.loan_id, "value_date": on}
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

    def fill_cap(self) -> c.Command | None:
        """A last 强农贷 loan on the final day for exactly the headroom left: the fund is at its cap."""
        headroom = self.book.headroom_fen(self.terms)
        if (
            headroom is None
            or headroom <= 0
            or self.book.overdue_fen * 10_000 > self.terms.npl_suspension_bps * self.book.covered_principal_fen
        ):
            return None
        loan_id = f"QN-{self.spec.county_code}-{self.spec.bank_code}-CAP"
        step = Step(
            END,
            "disbursement",
            loan_id,
            {
                "product": "qiangnong",
                "amount_fen": headroom,
                "maturity_date": dt.date(2028, 12, 31),
                "borrower_ref": f"ENT-{self.spec.county_code}-CAP",
            },
        )
        return self._disburse(step)
