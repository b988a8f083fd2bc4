"""The stories of the demo history: what happens to one loan of the seeded ledger, as dated steps.

A :class:`Story` is one loan's planned steps (disbursement first) and the principal it leaves outstanding and
covered at the end of the history (31 December 2025). Household loans (富民贷) follow the registry row: the amount
asked for (1,000–50,000 yuan), the term asked for (36 months at most, 60 for forestry), and the ``defaulted`` flag —
a defaulting household falls overdue within a year, is reported 30 and 90 days past due, and the bank claims
compensation, is paid, sometimes recovers part, sometimes writes the rest off. Other households repay at
maturity; a few prepay part, fall briefly overdue and cure, or get an extension (展期). Enterprise loans (强农贷)
are a few large three-year loans. The planner (:mod:`.seed_plan`) decides which stories stand.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from credit_engine.enterprise.policy import load_enterprise_policy

if TYPE_CHECKING:
    from credit_engine.ledger.seed_simulation import FundSpec

OPENED = dt.date(2023, 1, 1)
END = dt.date(2025, 12, 31)
SHOCK_FROM = dt.date(2025, 6, 1)  # the suspended county lends nothing from here on
DAY = dt.timedelta(days=1)
HOUSEHOLD_PRODUCT = "fumin"  # the code of 富民贷 in the ledger's product table: the households' loans
ENTERPRISE_PRODUCT = "qiangnong"  # the code of 强农贷: the enterprises' loans


@dataclass(frozen=True, slots=True)
class Step:
    value_date: dt.date
    kind: str
    story_id: str
    facts: dict = field(default_factory=dict)
    seq: int = 0


@dataclass(frozen=True, slots=True)
class Story:
    story_id: str
    steps: tuple[Step, ...]
    outstanding_at_end: int
    shockable: bool = False


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _between(rng, first: dt.date, last: dt.date) -> dt.date:  # noqa: ANN001 - numpy Generator
    return first + dt.timedelta(days=int(rng.integers(0, max((last - first).days, 0) + 1)))


def _story(story_id: str, raw: list[tuple[dt.date, str, dict]], outstanding: int, shockable: bool = False) -> Story:
    steps = tuple(Step(on, kind, story_id, facts, seq) for seq, (on, kind, facts) in enumerate(raw))
    return Story(story_id, steps, outstanding, shockable)


def _default(raw: list, rng, since: dt.date, amount_fen: int) -> int:  # noqa: ANN001
    """Delinquency reports, claim, payment, maybe recovery and write-off; returns the principal left covered."""
    first = since + 30 * DAY
    if first <= END:
        raw.append((first, "delinquency", {"days_past_due": 30}))
    else:
        raw.append((END, "delinquency", {"days_past_due": (END - since).days}))
    if since + 90 * DAY <= END:
        raw.append((since + 90 * DAY, "delinquency", {"days_past_due": 90}))
    claim = since + int(rng.integers(95, 131)) * DAY
    if claim > END:
        return amount_fen
    raw.append((claim, "compensation_claim", {}))
    paid = claim + int(rng.integers(7, 29)) * DAY
    if paid <= END:
        raw.append((paid, "compensation_payment", {}))
    last = paid
    recovered = paid + int(rng.integers(60, 301)) * DAY
    if rng.random() < 0.35 and recovered <= END:
        raw.append((recovered, "recovery", {"share_bps": int(rng.integers(2_000, 7_000))}))
        last = recovered
    written = max(claim + int(rng.integers(270, 401)) * DAY, last + DAY)
    if rng.random() < 0.3 and written <= END:
        raw.append((written, "write_off", {}))
    return 0


def household_story(spec: FundSpec, row: dict, rng, shocked_county: bool) -> Story:  # noqa: ANN001
    """One household's 富民贷 from disbursement to the end of the history."""
    loan_id = f"FM-{row['household_id']}"
    last_lending = SHOCK_FROM - DAY if shocked_county else END - 45 * DAY
    first = spec.opened_on + 14 * DAY  # lending grows over the years: dates lean towards the end
    lent = first + dt.timedelta(days=int((last_lending - first).days * float(rng.random()) ** 0.5))
    term = min(int(row["term_months"]), 60 if row["purpose"] == "forestry" else 36)
    maturity = add_months(lent, max(term, 3))
    amount = int(row["amount_fen"])
    disbursed = {"product": HOUSEHOLD_PRODUCT, "amount_fen": amount, "maturity_date": maturity}
    raw: list[tuple[dt.date, str, dict]] = [(lent, "disbursement", disbursed | {"borrower_ref": row["borrower_ref"]})]
    if int(row["defaulted"]) == 1:
        since = min(lent + int(rng.integers(45, 331)) * DAY, maturity)
        if since < END:
            return _story(loan_id, raw, _default(raw, rng, since, amount))
    left = amount
    draw = rng.random()
    if draw < 0.05 and lent + 240 * DAY < min(maturity, END):
        part = amount * 3 // 10 // 10_000 * 10_000
        if part > 0:
            raw.append((lent + int(rng.integers(60, 200)) * DAY, "repayment", {"amount_fen": part}))
            left -= part
    elif draw < 0.08:
        since = lent + int(rng.integers(30, 200)) * DAY
        reported = since + int(rng.integers(10, 41)) * DAY
        cured = reported + int(rng.integers(5, 31)) * DAY
        if cured < min(maturity, END):
            raw.append((reported, "delinquency", {"days_past_due": (reported - since).days}))
            raw.append((cured, "cure", {}))
    if maturity <= END:
        if rng.random() < 0.03:
            new_maturity = add_months(maturity, 12)
            raw.append((maturity - 5 * DAY, "extension", {"maturity_date": new_maturity}))
            maturity = new_maturity
        if maturity <= END:
            raw.append((maturity, "repayment", {}))
            left = 0
    shockable = left > 0 and len(raw) <= 2 and all(step[0] < SHOCK_FROM for step in raw)
    return _story(loan_id, raw, left, shockable)


def shock_story(story: Story, rng) -> Story:  # noqa: ANN001
    """The same loan caught by the county's shock: 30, then 90 days past due, not claimed by the end."""
    since = _between(rng, dt.date(2025, 6, 10), dt.date(2025, 9, 20))
    extra = [(since + 30 * DAY, "delinquency", {"days_past_due": 30})]
    if since + 90 * DAY <= END:
        extra.append((since + 90 * DAY, "delinquency", {"days_past_due": 90}))
    start = len(story.steps)
    steps = story.steps + tuple(
        Step(on, kind, story.story_id, facts, start + i) for i, (on, kind, facts) in enumerate(extra)
    )
    return replace(story, steps=steps, shockable=False)


@functools.cache
def _per_household_fen() -> int:
    return load_enterprise_policy().household_quota.per_household_yuan * 100


def households_driven(amount_fen: int) -> int:
    """A plausible 带贫 linkage for a seeded 强农贷 loan: just enough registered poor households for the shipped
    policy's per-household quota (10,000 yuan a household under qiangnong-2026.1) to cover the amount."""
    return max(1, -(-amount_fen // _per_household_fen()))


def enterprise_stories(spec: FundSpec, total_fen: int, rng) -> list[Story]:  # noqa: ANN001
    """强农贷: a few loans of 200万–1,000万 (smaller funds: one loan), three years, some repaying 10% a year in."""
    if total_fen < 1_000_000:
        return []
    count = max(1, -(-total_fen // 600_000_000))
    unit = 10_000_000 if total_fen >= 200_000_000 else 1_000_000
    amount = total_fen // count // unit * unit
    stories = []
    for number in range(1, count + 1):
        loan_id = f"QN-{spec.county_code}-{spec.bank_code}-{number:02d}"
        lent = _between(rng, max(spec.opened_on, dt.date(2024, 1, 1)) + 20 * DAY, END - 60 * DAY)
        facts = {"product": ENTERPRISE_PRODUCT, "amount_fen": amount, "maturity_date": add_months(lent, 36)}
        facts["households_driven"] = households_driven(amount)
        raw: list[tuple[dt.date, str, dict]] = [(lent, "disbursement", facts | {"borrower_ref": f"ENT-{loan_id[3:]}"})]
        left = amount
        if rng.random() < 0.5 and lent + 365 * DAY <= END:
            raw.append((lent + 365 * DAY, "repayment", {"amount_fen": amount // 10}))
            left -= amount // 10
        stories.append(_story(loan_id, raw, left))
    return stories
