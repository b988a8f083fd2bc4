"""The demo history of a seeded ledger, planned in memory: which funds, which loans, which events, in which order.

:func:`plan_seed` turns a generated registry (one row per household application) into one :class:`FundPlan` per
fund: the commands that :mod:`.seed` then posts through the services. Every county gets a 5,000,000-yuan fund at
the provincial rural credit union (``SXRCU``); the county with the most households also gets a smaller fund at the
Postal Savings Bank (``PSBC``). Counties are given a target status by their lending demand: the largest are
driven to the cap or into suspension (a local shock leaves > 3% of principal 90+ days past due), the smallest
stay below the 8× floor, the rest land between floor and cap. A household is eligible when it passes the rating
policy's knock-out rules (:mod:`credit_engine.policy.knockouts`). Each eligible household's loan is a *story* —
disbursement, repayment at maturity, an extension, a short delinquency and its cure, or (households the registry
marks ``defaulted``) delinquency, compensation claim, payment, recovery and write-off. A few 强农贷 enterprise loans
bring the household share to 60–80%; two counties get more of them and may fall below the 60% minimum. Two funds
are insured (保证保险, :mod:`.seed_insurance`).

The stories' events are simulated in recording order against the ledger's own domain objects (:class:`FundBook`,
the loan state machine), with the suspension rule applied conservatively (every overdue loan counts as
non-performing), so a disbursement the ledger would refuse is dropped here with its story and every planned
command is one the ledger accepts. Everything is deterministic: the same registry gives the same commands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from credit_engine.contract import idnumber
from credit_engine.ledger.domain import PolicyTerms, default_terms
from credit_engine.ledger.money import multiple_of, share_of
from credit_engine.ledger.products import ProductCatalog
from credit_engine.ledger.seed_insurance import insure_demo_funds
from credit_engine.ledger.seed_simulation import FundPlan, FundSpec, simulate
from credit_engine.ledger.seed_stories import (
    DAY,
    END,
    Step,
    Story,
    enterprise_stories,
    household_story,
    shock_story,
)
from credit_engine.policy.config import RatingPolicy, load_policy
from credit_engine.policy.knockouts import passes_knockouts

SEED = 20_231
MAIN_BANK, SECOND_BANK = "SXRCU", "PSBC"
BANK_NAMES = {
    MAIN_BANK: "山西省农村信用社 Shanxi Rural Credit Union",
    SECOND_BANK: "中国邮政储蓄银行 Postal Savings Bank",
}


def eligible(households, policy: RatingPolicy):  # noqa: ANN001, ANN201 - pandas frames
    """Households that pass the rating policy's knock-out rules (the rules that rate them: registry status, head's
    age, credit record, productive purpose, amount and term within the product's limits)."""
    return households[passes_knockouts(households, policy)].sort_values("household_id", kind="stable")


def _fen(yuan: float) -> int:
    return int(Decimal(str(yuan)).quantize(Decimal("0.01")) * 100)


def fund_specs(households, fund_fen: int, policy: RatingPolicy) -> list[FundSpec]:  # noqa: ANN001
    """One fund per county (target by lending demand, largest first) and a second fund for the largest county."""
    pool = eligible(households, policy)
    demand = pool.groupby("county_code")["requested_amount"].sum()
    counties = sorted(demand.index, key=lambda code: (-demand[code], code))
    ranks = _Ranks.of(len(counties))
    specs = [_main_fund(county, rank, ranks, fund_fen) for rank, county in enumerate(counties)]
    if counties:
        county = max(counties, key=lambda code: (int((pool["county_code"] == code).sum()), code))
        specs.append(_second_fund(county, fund_fen))
    return specs


@dataclass(frozen=True, slots=True)
class _Ranks:
    """How the counties, ranked by lending demand, are given targets: the first ``special`` at cap, the next
    ``special`` suspended, the last ``below`` below the floor, the rest ok."""

    n: int
    special: int
    below: int

    @classmethod
    def of(cls, n: int) -> _Ranks:
        return cls(n, 2 if n >= 20 else 1, (max(1, round(n * 0.3)) if n >= 4 else 0))

    def target(self, rank: int, rng: np.random.Generator) -> tuple[str, int]:
        """The county's target status and leverage multiple (bps)."""
        if rank < self.special:
            return "at_cap", 98_000
        if rank < 2 * self.special:
            return "suspended", 86_000
        if rank >= self.n - self.below:
            return "below_floor", int(rng.integers(40_000, 72_000))
        return "ok", int(rng.integers(82_000, 95_000))


def _main_fund(county: str, rank: int, ranks: _Ranks, fund_fen: int) -> FundSpec:
    """The county's fund at the main bank."""
    rng = np.random.default_rng([SEED, int(county), 0])
    target, multiple = ranks.target(rank, rng)
    share = 4_500 if rank in (2 * ranks.special, ranks.n - 1) else int(rng.integers(2_000, 3_600))
    return FundSpec(
        fund_id=f"{county}-{MAIN_BANK}",
        county_code=county,
        bank_code=MAIN_BANK,
        amount_fen=fund_fen,
        target=target,
        multiple_bps=multiple,
        enterprise_share_bps=share,
        top_up_fen=fund_fen // 5 if target == "ok" and rank % 5 == 0 else 0,
        clawback_fen=fund_fen // 10 if rank == ranks.n - 2 and target == "below_floor" else 0,
    )


def _second_fund(county: str, fund_fen: int) -> FundSpec:
    """A second, smaller fund at the second bank in the county with most eligible households."""
    return FundSpec(
        fund_id=f"{county}-{SECOND_BANK}",
        county_code=county,
        bank_code=SECOND_BANK,
        amount_fen=fund_fen * 2 // 5,
        target="below_floor",
        multiple_bps=50_000,
        enterprise_share_bps=3_000,
        opened_on=dt.date(2025, 1, 1),
    )


def plan_seed(  # noqa: ANN001
    households,
    secret: str,
    products: ProductCatalog,
    fund_fen: int = 500_000_000,
    policy: RatingPolicy | None = None,
) -> list[FundPlan]:
    """The plans of every fund of the registry (see the module docstring); ``products`` are the ledger's (their
    limits apply), ``fund_fen`` is a county fund's size, a household is lent to if it passes the knock-outs of
    ``policy`` (default: the shipped rating policy)."""
    policy = policy or load_policy()
    pool = eligible(households, policy)
    terms = default_terms()
    plans = []
    specs = fund_specs(households, fund_fen, policy)
    second = {spec.county_code for spec in specs if spec.bank_code == SECOND_BANK}
    for spec in specs:
        county_pool = pool[pool["county_code"] == spec.county_code]
        if spec.county_code in second:  # the two banks of one county lend to different households
            cut = len(county_pool) * 3 // 4
            county_pool = county_pool.iloc[:cut] if spec.bank_code == MAIN_BANK else county_pool.iloc[cut:]
        plans.append(plan_fund(spec, county_pool, secret, terms, products))
    return insure_demo_funds(plans, SECOND_BANK)


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


def plan_fund(spec: FundSpec, pool, secret: str, terms: PolicyTerms, products: ProductCatalog) -> FundPlan:  # noqa: ANN001
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
    plan = simulate(spec, stories, terms, target_fen, products)
    budget = multiple_of(plan.end_balance_fen, spec.multiple_bps)  # compensation paid out shrinks the fund
    plan = simulate(spec, stories, terms, budget, products)
    stories = _with_closure(stories, plan.dropped)
    if spec.target == "suspended":
        stories = _shock(stories, plan.dropped, rng)
    return simulate(spec, stories, terms, budget, products, fill_cap=spec.target == "at_cap")


def _with_closure(stories: list[Story], dropped: set[str]) -> list[Story]:
    """Make sure the fund shows the end of a bad loan: if no standing story writes one off, the earliest
    compensated one recovers 20% and writes the rest off (when the history leaves time for it)."""
    standing = [s for s in stories if s.story_id not in dropped]
    if any(step.kind == "write_off" for s in standing for step in s.steps):
        return stories
    claimed = [s for s in standing if any(step.kind == "compensation_claim" for step in s.steps)]
    if not claimed:
        return stories
    story = min(claimed, key=lambda s: (s.steps[-1].value_date, s.story_id))
    last = story.steps[-1].value_date
    if last + 2 * DAY > END:
        return stories
    closing = (
        Step(last + DAY, "recovery", story.story_id, {"share_bps": 2_000}, len(story.steps)),
        Step(last + 2 * DAY, "write_off", story.story_id, {}, len(story.steps) + 1),
    )
    if any(step.kind == "recovery" for step in story.steps):
        closing = (replace(closing[1], value_date=last + DAY),)
    closed = replace(story, steps=story.steps + closing)
    return [closed if s.story_id == story.story_id else s for s in stories]


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
