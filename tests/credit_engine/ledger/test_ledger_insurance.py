"""Insurance cover in the ledger: the cover as versioned, append-only data set through the one write path; the
waterfall on compensation (insurer, then fund and bank at 7:3); premiums, the insurer's payment and recoveries
with their postings; the audit replays it all. Runs on SQLite and, with the test database URL set, PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from credit_engine.errors import InvalidInput
from credit_engine.insurance.cover import CoverTerms
from credit_engine.ledger import accounts
from credit_engine.ledger import commands as c
from credit_engine.ledger.errors import IdempotencyConflict, LoanStateError
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.ledger.validations import audit

SHARE = CoverTerms(insurer="人保财险 PICC", kind="share", share_bps=5000, premium_rate_bps=200, subsidy_share_bps=5000)


def set_cover(ledger, fund, on="2025-01-01", key=None, terms=SHARE):
    return ledger.run(c.SetInsuranceCover, key, fund_id=fund, effective_from=dt.date.fromisoformat(on), cover=terms)


def postings(ledger, transaction_id):
    with ledger.uow:
        return ledger.uow.journal.postings(transaction_id)


def bad_loan(ledger, fund, loan="L1", yuan=50_000):
    ledger.disburse(fund, loan, "2025-01-10", yuan, key=f"d-{loan}")
    ledger.delinquent(fund, loan, "2025-05-01", 95)


def clean(ledger, fund) -> bool:
    with UnitOfWork(ledger.uow.engine, read_only=True) as reader:
        return audit(reader, [fund]) == []


@pytest.fixture
def fund(ledger):
    return ledger.fund(yuan=100_000)


def test_setting_a_cover_is_idempotent_and_a_changed_body_conflicts(ledger, fund):
    first = set_cover(ledger, fund, key="cover-1")
    again = set_cover(ledger, fund, key="cover-1")
    assert (first.details["insurer"], first.details["kind"], again.duplicate) == ("人保财险 PICC", "share", True)
    with pytest.raises(IdempotencyConflict):
        set_cover(ledger, fund, key="cover-1", terms=CoverTerms(insurer="PICC", kind="share", share_bps=4000))


def test_cover_rows_are_append_only(ledger, fund):
    set_cover(ledger, fund)
    for statement in ("UPDATE ledger_insurance_cover SET kind = 'none'", "DELETE FROM ledger_insurance_cover"):
        with ledger.uow, pytest.raises(DatabaseError, match="append-only"):
            ledger.uow.connection.execute(text(statement + " WHERE fund_id = :f"), {"f": fund})


def test_bad_cover_terms_are_refused_naming_each_field(ledger, fund):
    terms = CoverTerms(insurer="PICC", kind="first_loss", layer_fen=0, products=("nosuch",))
    with pytest.raises(InvalidInput) as refused:
        set_cover(ledger, fund, on="2024-12-01", terms=terms)
    assert {e.field for e in refused.value.errors} == {"layer_fen", "products", "effective_from"}


def test_a_share_cover_takes_its_part_of_the_loss_before_the_fund(ledger, fund):
    set_cover(ledger, fund)
    bad_loan(ledger, fund)
    receipt = ledger.claim(fund, "L1", "2025-05-02")
    parts = [receipt.details[k] for k in ("principal_fen", "insurer_fen", "fund_fen", "bank_fen", "claimed_fen")]
    assert parts == [5_000_000, 2_500_000, 1_750_000, 750_000, 1_750_000]
    made = postings(ledger, receipt.transaction_id)
    assert sum(p.amount_fen for p in made) == 0
    assert {p.account: p.amount_fen for p in made if p.amount_fen > 0}[accounts.INSURER_RECEIVABLE] == 2_500_000


def test_a_fund_without_cover_compensates_exactly_as_before(ledger, fund):
    bad_loan(ledger, fund)
    receipt = ledger.claim(fund, "L1", "2025-05-02")
    assert receipt.details["claimed_fen"] == 3_500_000 and "insurer_fen" not in receipt.details
    assert ledger.loan(fund, "L1").insurer_fen == 0


def test_a_product_outside_the_cover_is_not_insured(ledger, fund):
    set_cover(ledger, fund, terms=CoverTerms(insurer="PICC", kind="share", share_bps=5000, products=("qiangnong",)))
    bad_loan(ledger, fund)
    assert ledger.claim(fund, "L1", "2025-05-02").details["claimed_fen"] == 3_500_000


def test_a_first_loss_layer_is_used_up_across_claims_and_a_reversal_gives_it_back(ledger, fund):
    set_cover(ledger, fund, terms=CoverTerms(insurer="PICC", kind="first_loss", layer_fen=3_000_000))
    ledger.disburse(fund, "L2", "2025-01-10", 20_000)
    bad_loan(ledger, fund, "L1", 20_000)
    ledger.delinquent(fund, "L2", "2025-05-01", 95)
    first = ledger.claim(fund, "L1", "2025-05-02")
    second = ledger.claim(fund, "L2", "2025-05-02", key="claim-L2")
    assert (first.details["insurer_fen"], first.details["fund_fen"]) == (2_000_000, 0)
    assert (second.details["insurer_fen"], second.details["fund_fen"]) == (1_000_000, 700_000)
    ledger.reverse(fund, "claim-L2")
    again = ledger.claim(fund, "L2", "2025-05-02")
    assert again.details["insurer_fen"] == 1_000_000
    assert clean(ledger, fund)


def test_the_layer_is_fresh_in_the_next_policy_year(ledger, fund, clock):
    set_cover(ledger, fund, terms=CoverTerms(insurer="PICC", kind="first_loss", layer_fen=2_000_000))
    ledger.disburse(fund, "L2", "2025-01-10", 10_000, maturity="2027-01-10")
    bad_loan(ledger, fund, "L1", 20_000)
    assert ledger.claim(fund, "L1", "2025-05-02").details["insurer_fen"] == 2_000_000
    clock.advance(days=400)
    ledger.delinquent(fund, "L2", "2026-01-05", 91)
    assert ledger.claim(fund, "L2", "2026-01-05").details["insurer_fen"] == 1_000_000


def test_the_insurer_pays_its_part_and_no_more(ledger, fund):
    set_cover(ledger, fund)
    bad_loan(ledger, fund)
    ledger.claim(fund, "L1", "2025-05-02")
    paid = ledger.run(c.RecordInsurerPayment, fund_id=fund, loan_id="L1", value_date=dt.date(2025, 5, 20))
    assert (paid.details["paid_fen"], paid.details["insurer_pending_fen"]) == (2_500_000, 0)
    assert sum(p.amount_fen for p in postings(ledger, paid.transaction_id)) == 0
    with pytest.raises(LoanStateError):
        ledger.run(c.RecordInsurerPayment, fund_id=fund, loan_id="L1", value_date=dt.date(2025, 5, 21), amount_fen=1)
    assert clean(ledger, fund)


def test_a_recovery_after_an_insured_loss_is_shared_as_the_loss_was(ledger, fund):
    set_cover(ledger, fund)
    bad_loan(ledger, fund)
    ledger.claim(fund, "L1", "2025-05-02")
    before = ledger.book(fund).fund_balance_fen
    receipt = ledger.recover(fund, "L1", "2025-06-01", 10_000)
    made = {p.account: p.amount_fen for p in postings(ledger, receipt.transaction_id)}
    assert (made[accounts.INSURER_RECOVERED], made[accounts.FUND_CASH]) == (500_000, 350_000)
    assert ledger.book(fund).fund_balance_fen - before == 350_000
    assert clean(ledger, fund)


def test_a_premium_books_the_subsidy_and_the_banks_part(ledger, fund):
    set_cover(ledger, fund)
    ledger.disburse(fund, "L1", "2025-01-10", 50_000)
    receipt = ledger.run(c.PayInsurancePremium, fund_id=fund, value_date=dt.date(2025, 2, 1), amount_fen=100_001)
    details = receipt.details
    assert [details[k] for k in ("subsidy_fen", "bank_fen", "insured_principal_fen", "annual_premium_fen")] == [
        50_001,
        50_000,
        5_000_000,
        100_000,
    ]
    made = postings(ledger, receipt.transaction_id)
    assert sum(p.amount_fen for p in made) == 0 and not any(p.account == accounts.FUND_CASH for p in made)
    assert clean(ledger, fund)


def test_a_premium_without_a_cover_in_force_is_refused(ledger, fund):
    set_cover(ledger, fund, on="2025-03-01")
    with pytest.raises(InvalidInput) as refused:
        ledger.run(c.PayInsurancePremium, fund_id=fund, value_date=dt.date(2025, 2, 1), amount_fen=100)
    assert refused.value.errors[0].rule == "insurance_cover"


def test_a_cover_ended_by_kind_none_no_longer_takes_losses(ledger, fund):
    set_cover(ledger, fund)
    set_cover(ledger, fund, on="2025-04-01", terms=CoverTerms(insurer="PICC", kind="none"))
    bad_loan(ledger, fund)
    assert ledger.claim(fund, "L1", "2025-05-02").details["claimed_fen"] == 3_500_000


def test_a_bank_file_carries_premiums_and_insurer_payments_in_chinese(ledger, fund, tmp_path):
    from credit_engine.ledger.importer import import_events

    set_cover(ledger, fund)
    bad_loan(ledger, fund)
    ledger.claim(fund, "L1", "2025-05-02")
    header = "事件编号,事件类型,起息日,基金编号,贷款编号,金额(元)"
    lines = [header, f"p1,保费,2025-02-01,{fund},,500", f"i1,保险理赔,2025-05-20,{fund},L1,10000"]
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_events(ledger.uow, path, "test-secret")
    assert summary.counts["posted"] == 2
    assert ledger.loan(fund, "L1").insurer_pending_fen == 1_500_000
    assert import_events(ledger.uow, path, "test-secret").counts["duplicate"] == 2


def test_a_layer_as_a_share_of_insured_principal_is_set_on_the_policy_years_first_day(ledger, fund):
    ledger.disburse(fund, "L1", "2025-01-10", 20_000)
    ledger.disburse(fund, "L2", "2025-01-10", 20_000)
    set_cover(ledger, fund, on="2025-02-01", terms=CoverTerms(insurer="PICC", kind="first_loss", layer_bps=1000))
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    receipt = ledger.claim(fund, "L1", "2025-05-02")
    # the layer: 10 % of the 40,000 yuan insured on 2025-02-01
    assert (receipt.details["insurer_fen"], receipt.details["fund_fen"]) == (400_000, 1_120_000)


def test_the_layer_sums_read_as_known_at_a_time_leave_out_later_postings(ledger, fund, clock):
    from credit_engine.ledger.insurance_store import CoverStore

    ledger.disburse(fund, "L1", "2025-01-10", 20_000)
    set_cover(ledger, fund, on="2025-02-01", terms=CoverTerms(insurer="PICC", kind="first_loss", layer_bps=1000))
    known_at = clock.now
    clock.advance(days=30)  # recorded a month later: a loan dated before the policy year, and a claim in it
    ledger.disburse(fund, "L2", "2025-01-10", 20_000)
    ledger.delinquent(fund, "L1", "2025-05-01", 95)
    ledger.claim(fund, "L1", "2025-05-02")
    start, until = dt.date(2025, 2, 1), dt.date(2025, 12, 31)
    with UnitOfWork(ledger.uow.engine, read_only=True) as reader:
        store = CoverStore(reader.connection)
        (cover,) = store.versions(fund)
        assert store.insured_fen_on(fund, start, cover, known_at) == 2_000_000
        assert store.insured_fen_on(fund, start, cover) == 4_000_000
        assert store.layer_used_fen(fund, start, until, known_at) == 0
        assert store.layer_used_fen(fund, start, until) == 400_000
        assert store.layer_used_fen(fund, start, until, clock.now) == 400_000
