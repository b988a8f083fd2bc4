"""Products are rows of the ledger: what a user may type for one, what an unknown one is told, migration 0002, which
moved the fund book's two covered columns into per-product rows with the data of a ledger built at 0001, migration
0003, which gave each product its smallest loan, and the rule that a rating policy lends within its product's
limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, text

from credit_engine.errors import InvalidInput
from credit_engine.ledger.database import downgrade, make_engine, migrate
from credit_engine.ledger.importer import import_events
from credit_engine.ledger.products import PolicyOutsideProduct, UnknownProduct, check_policy_within_product
from credit_engine.ledger.seed import seed_ledger
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.policy import load_policy

KNOWN = "fumin/富民贷, qiangnong/强农贷"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("fumin", "fumin"),
        ("富民贷", "fumin"),
        (" FUMIN-DAI ", "fumin"),
        ("强农贷", "qiangnong"),
        ("Qiangnong", "qiangnong"),
    ],
)
def test_a_product_is_named_by_its_code_its_chinese_name_or_an_alias(shipped_products, typed, code):
    assert shipped_products.parse(typed).code == code


def test_the_shipped_products_keep_their_limits_and_household_rule(shipped_products):
    assert [(p.code, p.name_zh, p.min_fen, p.limit_fen, p.household) for p in shipped_products] == [
        ("fumin", "富民贷", 100_000, 5_000_000, True),
        ("qiangnong", "强农贷", 1_000_000, 3_000_000_000, False),
    ]
    assert shipped_products.smallest_loan_fen == 100_000  # 1,000 yuan: below that much headroom a fund is at cap


def test_the_shipped_rating_policy_lends_within_the_shipped_product_rows(shipped_products):
    policy = load_policy()
    product = shipped_products.get(policy.product)
    limits = policy.product_limits
    assert product.min_fen <= limits.min_amount_yuan * 100 <= limits.max_amount_yuan * 100 <= product.limit_fen
    check_policy_within_product(policy, shipped_products)


def _lending(policy, min_yuan: int, max_yuan: int):
    limits = policy.product_limits.model_copy(update={"min_amount_yuan": min_yuan, "max_amount_yuan": max_yuan})
    return policy.model_copy(update={"product_limits": limits})


@pytest.mark.parametrize(("min_yuan", "max_yuan"), [(1_000, 60_000), (500, 50_000)])
def test_a_policy_lending_outside_its_product_row_is_refused_in_both_languages(shipped_products, min_yuan, max_yuan):
    with pytest.raises(PolicyOutsideProduct) as caught:
        check_policy_within_product(_lending(load_policy(), min_yuan, max_yuan), shipped_products)
    assert "1,000-50,000 yuan" in caught.value.message_en
    assert "1,000-50,000 元" in caught.value.message_zh


def test_a_policy_lending_less_than_the_programme_allows_is_accepted(shipped_products):
    check_policy_within_product(_lending(load_policy(), 2_000, 30_000), shipped_products)


def test_a_policy_of_a_product_the_ledger_lacks_is_refused(shipped_products):
    policy = load_policy().model_copy(update={"product": "xiaowei"})
    with pytest.raises(PolicyOutsideProduct, match="xiaowei"):
        check_policy_within_product(policy, shipped_products)


def test_the_seed_refuses_a_policy_above_the_product_ceiling_before_posting_anything(ledger_engine, tmp_path):
    with pytest.raises(PolicyOutsideProduct, match="outside the Household loans"):
        seed_ledger(ledger_engine, tmp_path, "secret", policy=_lending(load_policy(), 1_000, 80_000))


def test_an_unknown_product_is_told_the_known_ones(shipped_products):
    with pytest.raises(UnknownProduct, match=KNOWN):
        shipped_products.parse("Household loans")


def test_a_disbursement_of_an_unknown_product_is_refused_naming_the_field_and_the_products(ledger):
    fund = ledger.fund()
    with pytest.raises(InvalidInput) as caught:
        ledger.disburse(fund, "L1", "2025-02-01", 10_000, product="xiaowei")
    (error,) = caught.value.errors
    assert (error.field, error.rule, error.value, KNOWN in error.message) == ("product", "product", "xiaowei", True)
    assert ledger.book(fund).covered_principal_fen == 0


def test_an_event_file_naming_an_unknown_product_posts_nothing(ledger, tmp_path):
    fund = ledger.fund()
    path = tmp_path / "events.csv"
    header = "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date"
    path.write_text(f"{header}\ne1,disbursement,2025-02-02,{fund},L1,xiaowei,hh-1,1000,2026-02-02\n", "utf-8")
    with pytest.raises(InvalidInput) as caught:
        import_events(ledger.uow, path, "secret")
    assert [(e.row, e.field, KNOWN in e.message) for e in caught.value.errors] == [(2, "product", True)]


BOOK_0001 = (
    "INSERT INTO ledger_fund_book (fund_id, opened_on, fund_balance_fen, covered_fumin_fen, covered_qiangnong_fen, "
    "overdue_fen, policy_version, version) VALUES (:fund, :day, 500, :fumin, :qiangnong, 0, 1, 3)"
)
VILLAGE_0002 = (  # a third product as a ledger at 0002 holds it (no minimum yet)
    "INSERT INTO ledger_product (code, name_zh, name_en, aliases, limit_fen, household, position) "
    "VALUES ('xingcun', '兴村贷', 'Village loans', '[]', 100, false, 3)"
)
FUND_0001 = (
    "INSERT INTO ledger_fund (fund_id, county_code, bank_code, opened_on, recorded_at, recorded_by) "
    "VALUES (:fund, '140121', 'RCC', :day, :at, 'test')"
)


@pytest.fixture
def ledger_at_0001(database_url, empty_database):
    """An engine on a database of the session's backend migrated to 0001 only, with two funds' books."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with empty_database(backend, "at0001") as url:
        engine = make_engine(url)
        migrate(engine, "0001")
        with engine.begin() as connection:
            for fund, fumin, qiangnong in (("F-A", 700, 9_000), ("F-B", 0, 0)):
                values = {"fund": fund, "day": dt.date(2025, 1, 1), "at": dt.datetime(2025, 1, 1), "fumin": fumin}
                values["qiangnong"] = qiangnong
                connection.execute(text(FUND_0001), values)
                connection.execute(text(BOOK_0001), values)
        yield engine
        engine.dispose()


def test_migration_0002_moves_the_covered_columns_into_rows_and_back(ledger_at_0001):
    engine = ledger_at_0001
    assert migrate(engine, "0002") == "0002"
    with UnitOfWork(engine) as uow:
        books = [uow.funds.lock_book(fund) for fund in ("F-A", "F-B")]
    assert [(b.covered_fen, b.version) for b in books] == [
        ({"fumin": 700, "qiangnong": 9_000}, 3),
        ({"fumin": 0, "qiangnong": 0}, 3),
    ]
    assert "covered_fumin_fen" not in {c["name"] for c in inspect(engine).get_columns("ledger_fund_book")}
    downgrade(engine, "0001")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT fund_id, covered_fumin_fen, covered_qiangnong_fen FROM ledger_fund_book")
        )
        assert sorted(tuple(row) for row in rows) == [("F-A", 700, 9_000), ("F-B", 0, 0)]
    assert not inspect(engine).has_table("ledger_product")


def test_the_downgrade_refuses_while_another_product_has_covered_principal(ledger_at_0001):
    engine = ledger_at_0001
    migrate(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(VILLAGE_0002))
        connection.execute(text("INSERT INTO ledger_fund_covered VALUES ('F-B', 'xingcun', 50)"))
    with pytest.raises(RuntimeError, match="other products have covered principal"):
        downgrade(engine, "0001")


def test_migration_0003_gives_each_product_its_smallest_loan_and_takes_it_back(ledger_at_0001):
    engine = ledger_at_0001
    migrate(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(VILLAGE_0002))
    assert migrate(engine, "0003") == "0003"
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT code, min_fen FROM ledger_product ORDER BY position"))
        assert [tuple(row) for row in rows] == [("fumin", 100_000), ("qiangnong", 1_000_000), ("xingcun", 0)]
    downgrade(engine, "0002")
    assert "min_fen" not in {c["name"] for c in inspect(engine).get_columns("ledger_product")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM ledger_product")).scalar_one() == 3
