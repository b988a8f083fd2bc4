"""The live book read from the ledger as of a date: open loans with their principal, product and maturity, and the
PD of the assessment a disbursement named (the audit log), else the scenario's product PD."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from credit_engine.audit.entry import AuditEntry
from credit_engine.audit.repository import AuditRepository
from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.database import make_engine, migrate
from credit_engine.ledger.domain import default_terms
from credit_engine.ledger.queries.book import open_loans
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.service_db import database as service_db
from credit_engine.stress.live_book import live_books
from credit_engine.stress.scenario import load_scenario

D = dt.date.fromisoformat
NOW = dt.datetime(2026, 1, 5, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def engine(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    service_db.migrate(engine)
    yield engine
    engine.dispose()


def post(engine, service, command_type, at: dt.datetime = NOW, **fields):
    """Post a command through ``service``, recorded at ``at``."""
    command = command_type(idempotency_key=uuid.uuid4().hex, recorded_by="test", **fields)
    return service(UnitOfWork(engine, lambda: at), command)


@pytest.fixture
def fund(engine) -> str:
    """A fund of 1,000,000 yuan with three loans: L1 current, L2 overdue since 2025-10-01, L3 repaid."""
    fund_id, county = f"F-{uuid.uuid4().hex[:10]}", "140122"
    post(
        engine,
        services.create_fund,
        c.CreateFund,
        fund_id=fund_id,
        county_code=county,
        bank_code="RCC",
        value_date=D("2025-01-01"),
        amount_fen=100_000_000,
        terms=default_terms(),
    )
    for loan, product, yuan, maturity in (
        ("L1", "fumin", 50_000, "2027-06-30"),
        ("L2", "fumin", 30_000, "2026-03-01"),
        ("L3", "qiangnong", 2_000_000, "2025-12-01"),
    ):
        post(
            engine,
            services.disburse,
            c.Disburse,
            fund_id=fund_id,
            loan_id=loan,
            product=product,
            borrower_ref=f"hh-{loan}",
            value_date=D("2025-02-01"),
            amount_fen=yuan * 100,
            maturity_date=D(maturity),
            households_driven=None if product == "fumin" else 40,
        )
    post(
        engine,
        services.report_delinquency,
        c.ReportDelinquency,
        fund_id=fund_id,
        loan_id="L2",
        value_date=D("2025-10-31"),
        days_past_due=30,
    )
    post(
        engine,
        services.repay,
        c.Repay,
        fund_id=fund_id,
        loan_id="L3",
        value_date=D("2025-12-01"),
        amount_fen=200_000_000,
    )
    return fund_id


def link_assessment(engine, fund_id: str, loan_id: str, pd: float) -> None:
    """The audit log of a disbursement that named an approving assessment with this PD."""
    assessment = AuditEntry(
        record_id=uuid.uuid4().hex,
        action="assessment",
        recorded_at=NOW,
        key_id="k",
        input_sha256="0" * 64,
        outcome="approve",
        county_code="140122",
        fund_id=fund_id,
        detail={"inputs": {}, "result": {"decision": "approve", "pd": pd}},
    )
    write = AuditEntry(
        record_id=uuid.uuid4().hex,
        action="ledger.disbursement",
        recorded_at=NOW,
        key_id="k",
        input_sha256="0" * 64,
        outcome="posted",
        county_code="140122",
        fund_id=fund_id,
        resource_id=loan_id,
        detail={"assessment_id": assessment.record_id},
    )
    AuditRepository(engine).append([assessment, write])


def test_open_loans_as_of_a_date_carry_principal_product_and_maturity(engine, fund):
    with UnitOfWork(engine, read_only=True) as uow:
        before = {loan.loan_id: loan for loan in open_loans(uow, [fund], D("2025-06-30"))}
        after = {loan.loan_id: loan for loan in open_loans(uow, [fund], D("2025-12-31"))}
    assert sorted(before) == ["L1", "L2", "L3"] and before["L3"].outstanding_fen == 200_000_000
    assert sorted(after) == ["L1", "L2"]
    assert (after["L1"].current_fen, after["L1"].maturity_date, after["L1"].product) == (
        5_000_000,
        D("2027-06-30"),
        "fumin",
    )
    assert (after["L2"].overdue_fen, after["L2"].overdue_since) == (3_000_000, D("2025-10-01"))


def test_a_loan_takes_the_pd_of_its_assessment_and_the_others_their_product_pd(engine, fund):
    link_assessment(engine, fund, "L1", 0.0123)
    scenario = load_scenario()
    (book,) = live_books(engine, D("2025-12-31"), scenario, fund_id=fund)
    assert (book.loans, book.loans_with_model_pd, book.balance_fen) == (2, 1, 100_000_000)
    assert list(book.pd) == [0.0123, scenario.product("fumin").default_pd]
    assert list(book.performing_fen) == [5_000_000, 0] and list(book.overdue_fen) == [0, 3_000_000]
    assert list(book.months_overdue) == [0, 3] and book.months_to_maturity[0] == 18


def test_the_book_carries_the_insurance_cover_in_force_on_its_date(engine, fund):
    from credit_engine.insurance.cover import CoverTerms

    cover = CoverTerms(insurer="PICC", kind="share", share_bps=5000)
    post(
        engine,
        services.set_insurance_cover,
        c.SetInsuranceCover,
        fund_id=fund,
        effective_from=D("2025-06-01"),
        cover=cover,
    )
    before = live_books(engine, D("2025-05-31"), load_scenario(), fund_id=fund)[0]
    after = live_books(engine, D("2025-12-31"), load_scenario(), fund_id=fund)[0]
    assert (before.cover, after.cover) == (None, cover)


def _first_loss_claim(engine, fund, overdue_on: str, claimed_on: str, at: dt.datetime = NOW):
    """A first-loss cover of 20,000 yuan from 2025-03-01, loan L2 90 days past due on ``overdue_on`` and its
    compensation claimed on ``claimed_on`` (recorded ``at``, default the tests' clock); the claim's event."""
    from credit_engine.insurance.cover import CoverTerms

    cover = CoverTerms(insurer="PICC", kind="first_loss", layer_fen=2_000_000)
    post(engine, services.set_insurance_cover, c.SetInsuranceCover, fund_id=fund, effective_from=D("2025-03-01"),
         cover=cover)  # fmt: skip
    post(engine, services.report_delinquency, c.ReportDelinquency, fund_id=fund, loan_id="L2",
         value_date=D(overdue_on), days_past_due=90)  # fmt: skip
    return post(engine, services.claim_compensation, c.ClaimCompensation, at=at, fund_id=fund, loan_id="L2",
                value_date=D(claimed_on))  # fmt: skip


def test_a_first_loss_covers_policy_year_is_read_as_the_ledger_counts_it(engine, fund):
    claim = _first_loss_claim(engine, fund, "2025-12-30", "2025-12-31")
    assert claim.details["insurer_fen"] == 2_000_000  # the layer is used up by this claim
    (book,) = live_books(engine, D("2025-12-31"), load_scenario(), fund_id=fund)
    # the policy year began on 2025-03-01: two months to its anniversary, the whole layer already taken
    assert (book.policy_year.months_to_renewal, book.policy_year.layer_fen, book.policy_year.used_fen) == (
        2,
        2_000_000,
        2_000_000,
    )
    (later,) = live_books(engine, D("2026-03-01"), load_scenario(), fund_id=fund)
    assert (later.policy_year.months_to_renewal, later.policy_year.used_fen) == (12, 0)  # a fresh year


def test_a_first_loss_policy_year_counts_only_claims_known_at_known_at(engine, fund):
    """A claim dated inside the policy year but recorded after ``known_at`` does not use the layer as known then."""
    late = dt.datetime(2026, 2, 1, 4, 0, tzinfo=dt.UTC)
    claim = _first_loss_claim(engine, fund, "2025-12-19", "2025-12-20", at=late)
    assert claim.details["insurer_fen"] == 2_000_000
    (known,) = live_books(engine, D("2025-12-31"), load_scenario(), fund_id=fund, known_at=NOW)
    assert (known.policy_year.layer_fen, known.policy_year.used_fen, known.pending_compensation_fen) == (
        2_000_000,
        0,
        0,
    )
    (everything,) = live_books(engine, D("2025-12-31"), load_scenario(), fund_id=fund)
    assert everything.policy_year.used_fen == 2_000_000
