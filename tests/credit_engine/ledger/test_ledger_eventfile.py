"""Bank event files: the whole file is validated first, events are idempotent by id, refusals are outcomes."""

from __future__ import annotations

import csv
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select, text

from credit_engine.contract import idnumber
from credit_engine.errors import InvalidInput
from credit_engine.ledger.importer import import_events
from credit_engine.ledger.tables import CommandRow

SECRET = "test-secret"
HEADER = (
    "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,days_past_due,"
    "maturity_date,reverses_event_id"
)
RAW_ID = idnumber.make("140121", __import__("datetime").date(1980, 5, 17), 123)


def write(tmp_path, lines: list[str], name: str = "events.csv", encoding: str = "utf-8") -> object:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def results(summary) -> list[dict[str, str]]:
    with summary.results_path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def commands_of(uow, fund: str) -> int:
    with uow:
        return uow.connection.execute(select(func.count()).where(CommandRow.fund_id == fund)).scalar_one()


@pytest.fixture
def fund(ledger):
    return ledger.fund(yuan=10_000)


def daily_file(tmp_path, fund: str):
    return write(tmp_path, [
        HEADER,
        f"e1,contribution,2025-02-01,{fund},,,,10000,,,",
        f"e2,disbursement,2025-02-02,{fund},L1,fumin,hh-1,50000,,2026-02-02,",
        f"e3,disbursement,2025-02-02,{fund},L2,富民贷,{RAW_ID},1234.50,,2026-02-02,",
        f"e4,repayment,2025-03-01,{fund},L1,,,20000,,,",
        f"e5,delinquency,2025-04-01,{fund},L2,,,,15,,",
        f"e6,cure,2025-04-10,{fund},L2,,,,,,",
        f"e7,repayment,2025-04-11,{fund},L1,,,1000,,,",
        f"e8,reversal,,{fund},,,,,,,e7",
    ])  # fmt: skip


def test_a_daily_file_is_posted_event_by_event(ledger, fund, tmp_path):
    summary = import_events(ledger.uow, daily_file(tmp_path, fund), SECRET)
    assert (summary.counts["posted"], ledger.book(fund).covered_principal_fen) == (8, 3_000_000 + 123_450)


def test_importing_the_same_file_twice_posts_nothing_new(ledger, fund, tmp_path):
    path = daily_file(tmp_path, fund)
    import_events(ledger.uow, path, SECRET)
    before = ledger.book(fund)
    again = import_events(ledger.uow, path, SECRET)
    assert (dict(again.counts), ledger.book(fund)) == ({"duplicate": 8}, before)


def test_a_malformed_row_posts_nothing_and_every_bad_row_is_named(ledger, fund, tmp_path):
    path = write(tmp_path, [
        HEADER,
        f"e1,contribution,2025-02-01,{fund},,,,10000,,,",
        f"e2,disbursement,2025-02-02,{fund},L1,fumin,hh-1,50000.005,,2026-02-02,",
        f"e3,repayment,2025-02-30,{fund},L1,,,1,,,",
        f"e4,teleport,2025-03-01,{fund},L1,,,1,,,",
        f"e5,delinquency,2025-03-01,{fund},L1,,,,,,",
        f"e1,cure,2025-03-01,{fund},L1,,,,,,",
    ])  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        import_events(ledger.uow, path, SECRET)
    found = {(e.row, e.field, e.rule) for e in caught.value.errors}
    assert (found, commands_of(ledger.uow, fund)) == (
        {
            (3, "amount_yuan", "yuan_decimals"),
            (4, "value_date", "date"),
            (5, "event_type", "event_type"),
            (6, "days_past_due", "required"),
            (7, "event_id", "duplicate_event_id"),
        },
        1,  # the fund's opening only
    )


def test_business_refusals_are_outcomes_in_the_results_file(ledger, fund, tmp_path):
    path = write(tmp_path, [
        HEADER,
        f"e1,disbursement,2025-02-02,{fund},L1,fumin,hh-1,50000,,2026-02-02,",
        f"e2,disbursement,2025-02-02,{fund},L2,fumin,hh-2,50000,,2026-02-02,",
        f"e3,disbursement,2025-02-02,{fund},L3,fumin,hh-3,50000,,2026-02-02,",
        f"e4,compensation_claim,2025-02-03,{fund},L1,,,,,,",
    ])  # fmt: skip
    summary = import_events(ledger.uow, path, SECRET, results_path=tmp_path / "out.csv")
    outcomes = [(r["event_id"], r["status"], r["error_code"]) for r in results(summary)]
    assert outcomes == [
        ("e1", "posted", ""),
        ("e2", "posted", ""),
        ("e3", "refused", "insufficient_headroom"),
        ("e4", "refused", "loan_state"),
    ]


def test_chinese_headers_and_names_in_a_workbook(ledger, fund, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "事件编号",
            "事件类型",
            "起息日",
            "基金编号",
            "贷款编号",
            "产品",
            "借款人编号",
            "金额（元）",
            "到期日",
            "带贫户数",
        ]
    )
    sheet.append(["x1", "放款", dt.date(2025, 2, 2), fund, "L1", "强农贷", "coop-7", 45000.5, "2027-02-02", 18])
    sheet.append(["x2", "还款", "2025-03-01", fund, "L1", None, None, 5000, None, None])
    book.save(tmp_path / "events.xlsx")
    summary = import_events(ledger.uow, tmp_path / "events.xlsx", SECRET)
    assert (summary.counts["posted"], ledger.book(fund).covered_fen["qiangnong"]) == (2, 4_000_050)


def test_a_gb18030_csv_from_a_chinese_spreadsheet_is_read(ledger, fund, tmp_path):
    path = write(
        tmp_path, ["事件编号,事件类型,起息日,基金编号,金额(元)", f"g1,注入,2025-02-01,{fund},100"], encoding="gb18030"
    )
    assert import_events(ledger.uow, path, SECRET).counts["posted"] == 1


def test_raw_id_numbers_are_pseudonymised_and_never_stored(ledger, fund, tmp_path):
    import_events(ledger.uow, daily_file(tmp_path, fund), SECRET)
    with ledger.uow:
        stored = ledger.uow.connection.execute(
            text("SELECT count(*) FROM ledger_transaction WHERE borrower_ref = :raw"), {"raw": RAW_ID}
        ).scalar_one()
    assert (ledger.loan(fund, "L2").borrower_ref, stored) == (idnumber.pseudonymise(RAW_ID, SECRET), 0)


def test_a_broken_id_number_is_refused_and_shown_masked(ledger, fund, tmp_path):
    broken = RAW_ID[:-1] + ("0" if RAW_ID[-1] != "0" else "1")
    path = write(tmp_path, [HEADER, f"e1,disbursement,2025-02-02,{fund},L1,fumin,{broken},100,,2026-02-02,"])
    with pytest.raises(InvalidInput) as caught:
        import_events(ledger.uow, path, SECRET)
    assert broken not in str([str(e) for e in caught.value.errors]) and caught.value.errors[0].value == idnumber.mask(
        broken
    )


def test_a_missing_column_is_reported_on_the_header_row(ledger, tmp_path):
    path = write(
        tmp_path, ["event_id,event_type,value_date", "e1,contribution,2025-02-01"], name=f"{uuid.uuid4().hex}.csv"
    )
    with pytest.raises(InvalidInput) as caught:
        import_events(ledger.uow, path, SECRET)
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "fund_id")]


def test_ids_echoed_into_the_results_file_cannot_run_as_formulas(ledger, fund, tmp_path):
    path = write(tmp_path, [HEADER, f"-1,contribution,2025-02-01,{fund},,,,100,,,"])
    summary = import_events(ledger.uow, path, SECRET)
    assert results(summary)[0]["event_id"] == "'-1"


LINKED_HEADER = (
    "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,maturity_date,households_driven"
)


def test_a_qiangnong_disbursement_records_its_households_driven_from_the_file(ledger, fund, tmp_path):
    line = f"q1,disbursement,2025-02-02,{fund},L-Q,qiangnong,coop-1,30000,2027-02-02,24"
    path = write(tmp_path, [LINKED_HEADER, line])
    assert import_events(ledger.uow, path, SECRET).counts["posted"] == 1
    assert ledger.loan(fund, "L-Q").households_driven == 24


@pytest.mark.parametrize(
    ("product", "households", "rule"),
    [
        ("qiangnong", "", "households_driven_required"),
        ("强农贷", "0", "whole_households"),
        ("qiangnong", "2.5", "whole_households"),
        ("fumin", "3", "not_for_household_product"),
    ],
)
def test_a_disbursement_with_households_driven_unfit_for_its_product_is_refused(
    ledger, fund, tmp_path, product, households, rule
):
    line = f"q2,disbursement,2025-02-02,{fund},L-Q2,{product},coop-2,30000,2027-02-02,{households}"
    with pytest.raises(InvalidInput) as refused:
        import_events(ledger.uow, write(tmp_path, [LINKED_HEADER, line]), SECRET)
    error = refused.value.errors[0]
    assert (error.row, error.field, error.rule) == (2, "households_driven", rule)
    assert "带贫户数" in error.message and "households_driven" in error.message
