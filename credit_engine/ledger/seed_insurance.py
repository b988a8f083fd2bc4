"""Insurance cover (保证保险) in the demo ledger: two funds insured from the day they open, so the demo shows it.

The second bank's fund (Postal Savings Bank) takes a 50 % share cover of every product from 人保财险 PICC, and the fund
aimed at suspension a 30 % share cover of 富民贷 from 中华联合财险 China United. Each pays a yearly premium (half of it
subsidised by the county) on 15 January, and the insurer pays its part of a loss on the day the fund pays its own.
The plans are simulated without the cover; an insured fund pays less than planned, so its compensation payments take
what is pending (one payment per loan) and nothing the ledger would refuse is added. The cover and the premiums come
right after the fund's opening (fund events; they move no fund cash).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from credit_engine.insurance.cover import CoverTerms
from credit_engine.ledger import commands as c
from credit_engine.ledger.money import multiple_of, share_of
from credit_engine.ledger.seed_simulation import FundPlan
from credit_engine.ledger.seed_stories import END

DEMO_COVERS = {
    "second_bank": CoverTerms(
        insurer="人保财险 PICC", kind="share", share_bps=5_000, premium_rate_bps=150, subsidy_share_bps=5_000
    ),
    "suspended": CoverTerms(
        insurer="中华联合财险 China United",
        kind="share",
        share_bps=3_000,
        premium_rate_bps=100,
        subsidy_share_bps=5_000,
        products=("fumin",),
    ),
}


def insure_demo_funds(plans: list[FundPlan], second_bank: str) -> list[FundPlan]:
    """The plans with the demo covers of the first fund at ``second_bank`` and the first fund aimed at suspension."""
    chosen: dict[str, CoverTerms] = {}
    for kind, test in (("second_bank", lambda p: p.spec.bank_code == second_bank), ("suspended", _suspended)):
        found = next((p for p in plans if test(p) and p.spec.fund_id not in chosen), None)
        if found is not None:
            chosen[found.spec.fund_id] = DEMO_COVERS[kind]
    return [insured(plan, chosen[plan.spec.fund_id]) if plan.spec.fund_id in chosen else plan for plan in plans]


def _suspended(plan: FundPlan) -> bool:
    return plan.spec.target == "suspended"


def insured(plan: FundPlan, cover: CoverTerms) -> FundPlan:
    """``plan`` with ``cover`` set on its opening day, yearly premiums and the insurer's payments."""
    spec = plan.spec
    common = {"fund_id": spec.fund_id, "recorded_by": "seed"}
    opening = c.SetInsuranceCover(
        **common, idempotency_key=f"insurance_cover_set/{spec.opened_on}", effective_from=spec.opened_on, cover=cover
    )
    insured_fen = multiple_of(spec.amount_fen, spec.multiple_bps)
    premium = share_of(insured_fen, cover.premium_rate_bps)
    days = [dt.date(year, 1, 15) for year in range(spec.opened_on.year, END.year + 1)]
    premiums = [
        c.PayInsurancePremium(**common, idempotency_key=f"insurance_premium/{day}", value_date=day, amount_fen=premium)
        for day in days
        if spec.opened_on <= day <= END
    ]
    commands = [plan.commands[0], opening, *premiums, *_with_insurer(plan.commands[1:], cover)]
    return dataclasses.replace(plan, commands=commands)


def _with_insurer(commands: list[c.Command], cover: CoverTerms) -> list[c.Command]:
    """Compensation payments take what is pending (once per loan), each followed by the insurer's payment."""
    products = {cmd.loan_id: cmd.product for cmd in commands if isinstance(cmd, c.Disburse)}
    paid: set[str] = set()
    found: list[c.Command] = []
    for command in commands:
        if not isinstance(command, c.PayCompensation):
            found.append(command)
            continue
        if command.loan_id in paid:
            continue
        paid.add(command.loan_id)
        found.append(dataclasses.replace(command, amount_fen=None))
        if cover.covers(products.get(command.loan_id, "")):
            key = f"{command.idempotency_key}/insurer"
            found.append(
                c.RecordInsurerPayment(
                    fund_id=command.fund_id,
                    idempotency_key=key,
                    recorded_by="seed",
                    loan_id=command.loan_id,
                    value_date=command.value_date,
                )
            )
    return found
