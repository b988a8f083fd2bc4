"""Seeding a demo ledger from a generated registry: every status shows, nothing is refused, twice posts nothing.

A small registry (six counties of a generated one) and small funds (500,000 yuan each) keep the seed to about a
thousand events per backend; the plan, the posting path and the rules are the same as for the 5,000,000-yuan
funds of the full demo.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from credit_engine.ledger import commands as c
from credit_engine.ledger.database import make_engine, migrate
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.money import multiple_of
from credit_engine.ledger.seed import SeedRefused, post_plan, read_registry, seed_ledger
from credit_engine.ledger.seed_plan import eligible, plan_seed
from credit_engine.ledger.seed_simulation import FundSpec, simulate
from credit_engine.ledger.tables import LoanRow, TransactionRow
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.validations import audit
from credit_engine.policy import knockout_codes, load_policy

SECRET = "test-secret"
FUND_FEN = 50_000_000  # 500,000 yuan
COUNTIES = ["140122", "140123", "140221", "140425", "140721", "141123"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    from training.generator import generate_registry

    households, _ = generate_registry(12_000, 11)
    folder = tmp_path_factory.mktemp("registry")
    households[households["county_code"].isin(COUNTIES)].to_parquet(folder / "households.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def seeded(registry, database_url):
    """A fresh ledger seeded once per backend: (engine, first summary, second summary)."""
    engine = make_engine(database_url)
    migrate(engine)
    first = seed_ledger(engine, registry, SECRET, fund_fen=FUND_FEN)
    second = seed_ledger(engine, registry, SECRET, fund_fen=FUND_FEN)
    yield engine, first, second
    engine.dispose()


def test_the_households_lent_to_are_those_the_rating_policy_lets_through(registry):
    households = read_registry(registry)
    policy = load_policy()
    younger = policy.model_copy(update={"eligibility": policy.eligibility.model_copy(update={"max_age": 50})})

    pool = eligible(households, policy)
    assert 0 < len(pool) < len(households) and knockout_codes(pool, policy) == [[]] * len(pool)
    assert set(pool["purpose"]) <= set(policy.eligibility.productive_purposes)  # "other" is no production
    assert 0 < len(eligible(households, younger)) < len(pool) and eligible(households, younger)["head_age"].max() <= 50


def test_every_status_shows_with_one_fund_per_county_and_a_second_bank(seeded):
    _, first, _ = seeded
    banks = sorted(p.bank_code for p in first.positions)
    assert (len(first.positions), banks.count("PSBC"), set(first.by_status())) == (
        len(COUNTIES) + 1,
        1,
        {"ok", "below_floor", "at_cap", "suspended"},
    )


def test_nothing_planned_is_refused_and_seeding_twice_posts_nothing(seeded):
    _, first, second = seeded
    assert (first.counts["duplicate"], second.counts["posted"], second.counts["duplicate"]) == (
        0,
        0,
        first.counts["posted"],
    )


def _funds(summary) -> list[str]:
    return [p.fund_id for p in summary.positions]


def test_the_seeded_ledger_passes_the_audit(seeded):
    engine, first, _ = seeded
    with UnitOfWork(engine, read_only=True) as uow:
        assert audit(uow, _funds(first)) == []


def test_the_history_has_every_kind_of_event(seeded):
    engine, first, _ = seeded
    query = select(TransactionRow.event_type).where(TransactionRow.fund_id.in_(_funds(first))).distinct()
    with UnitOfWork(engine, read_only=True) as uow:
        kinds = set(uow.connection.execute(query).scalars())
    assert kinds >= {
        "contribution",
        "fund_interest",
        "disbursement",
        "repayment",
        "delinquency",
        "cure",
        "compensation_claim",
        "compensation_payment",
        "recovery",
        "write_off",
    }


def test_seeded_qiangnong_loans_drive_enough_households_for_the_per_household_quota(seeded):
    engine, first, _ = seeded
    columns = (LoanRow.product, LoanRow.principal_fen, LoanRow.households_driven)
    with UnitOfWork(engine, read_only=True) as uow:
        loans = list(uow.connection.execute(select(*columns).where(LoanRow.fund_id.in_(_funds(first)))))
    linked = [(fen, households) for product, fen, households in loans if product == "qiangnong"]
    assert linked and all(households >= 1 and fen <= households * 1_000_000 for fen, households in linked)
    assert all(households is None for product, _, households in loans if product == "fumin")


def test_borrowers_are_pseudonyms_never_raw_id_numbers(seeded, registry):
    engine, first, _ = seeded
    query = select(LoanRow.borrower_ref, LoanRow.product).where(LoanRow.fund_id.in_(_funds(first)))
    with UnitOfWork(engine, read_only=True) as uow:
        refs = list(uow.connection.execute(query))
    raw = set(read_registry(registry)["head_id_number"])
    households = [ref for ref, product in refs if product == "fumin"]
    assert households and all(re.fullmatch(r"[0-9a-f]{32}", ref) and ref not in raw for ref in households)


def test_the_plan_is_deterministic(registry, shipped_products):
    households = read_registry(registry)
    one = plan_seed(households, SECRET, shipped_products, FUND_FEN)
    two = plan_seed(households, SECRET, shipped_products, FUND_FEN)
    assert [p.commands for p in one] == [p.commands for p in two]


def test_a_refused_command_keeps_nothing_of_its_transaction(registry, ledger_engine, shipped_products):
    plan = plan_seed(read_registry(registry), SECRET, shipped_products, FUND_FEN)[0]
    fund_id = f"F-broken-{uuid.uuid4().hex[:12]}"  # not id(plan): 15 digits from 14… read as an ID number
    commands = [type(cmd)(**{**_fields(cmd), "fund_id": fund_id}) for cmd in plan.commands[:20]]
    commands.insert(5, commands[1])  # the same loan disbursed again under another key is refused
    commands[5] = type(commands[5])(**{**_fields(commands[5]), "idempotency_key": "again"})
    plan.commands = commands
    with pytest.raises(SeedRefused):
        post_plan(ledger_engine, plan)
    with UnitOfWork(ledger_engine, read_only=True) as uow:
        assert uow.funds.get(fund_id) is None


def _fields(command) -> dict:
    import dataclasses

    return {f.name: getattr(command, f.name) for f in dataclasses.fields(command)}


@pytest.mark.parametrize(("fund_yuan", "loans"), [(1_000_000, 1), (5_000_000, 2), (20_000_000, 7)])
def test_the_cap_is_filled_by_loans_within_the_product_limit(fund_yuan, loans, shipped_products):
    """An empty fund driven to its cap: the headroom (10× the fund) is lent in as few 强农贷 loans as the product
    limit allows — one, named ``-CAP`` as before, when it fits in one."""
    terms = default_terms()
    spec = FundSpec("F-cap", "140100", "SXRCU", fund_yuan * 100, "at_cap", 98_000, 3_000)
    plan = simulate(spec, [], terms, 0, shipped_products, fill_cap=True)
    lent = [cmd for cmd in plan.commands if isinstance(cmd, c.Disburse)]
    assert [cmd.loan_id for cmd in lent][:2] == ["QN-140100-SXRCU-CAP", "QN-140100-SXRCU-CAP-2"][:loans]
    assert (len(lent), len({cmd.loan_id for cmd in lent}), sum(cmd.amount_fen for cmd in lent)) == (
        loans,
        loans,
        multiple_of(plan.end_balance_fen, terms.cap_multiple_bps),
    )
    assert all(0 < cmd.amount_fen <= shipped_products.get("qiangnong").limit_fen for cmd in lent)


def test_a_small_registry_seeds_its_funds_at_the_cap_without_a_refusal(ledger_engine, shipped_products):
    """5,000 households leave the 5,000,000-yuan funds driven to their cap more than one 强农贷 loan of headroom."""
    from training.generator import generate_registry

    households, _ = generate_registry(5_000, 42)
    plans = [plan for plan in plan_seed(households, SECRET, shipped_products) if plan.spec.target == "at_cap"]
    fund_ids = []
    for plan in plans:
        fund_id = f"F-cap-{uuid.uuid4().hex[:10]}"
        plan.commands = [type(cmd)(**{**_fields(cmd), "fund_id": fund_id}) for cmd in plan.commands]
        assert post_plan(ledger_engine, plan)["posted"] == len(plan.commands)
        fund_ids.append(fund_id)
    split = [cmd.loan_id for plan in plans for cmd in plan.commands if cmd.idempotency_key.endswith("-CAP-2/1")]
    with UnitOfWork(ledger_engine, read_only=True) as uow:
        assert (len(fund_ids), len(split), audit(uow, fund_ids)) == (2, 2, [])


def test_two_demo_funds_are_insured_and_the_insurer_pays_its_part(seeded):
    from credit_engine.ledger.insurance_store import CoverStore

    engine, first, _ = seeded
    query = select(TransactionRow.event_type).where(TransactionRow.fund_id.in_(_funds(first))).distinct()
    with UnitOfWork(engine, read_only=True) as uow:
        kinds = set(uow.connection.execute(query).scalars())
        covers = CoverStore(uow.connection).by_fund(_funds(first))
    assert len(covers) == 2 and {"insurance_premium", "insurer_payment"} <= kinds
    insured = [p for p in first.positions if p.fund_id in covers]
    assert sum(p.insurer_paid_fen for p in insured) > 0
