"""Event files through the desk: every event's fund is checked against the key before any is posted, and each
posted or refused event is audited."""

from __future__ import annotations

import pytest

from credit_engine.access.principal import AccessDenied
from credit_engine.errors import InvalidInput
from credit_engine.ledger.unit_of_work import UnitOfWork

HEADER = (
    "event_id,event_type,value_date,fund_id,loan_id,product,borrower_ref,amount_yuan,days_past_due,"
    "maturity_date,reverses_event_id"
)


def _file(tmp_path, *lines: str):
    path = tmp_path / "events.csv"
    path.write_text("\n".join((HEADER, *lines)) + "\n", encoding="utf-8")
    return path


def test_a_file_is_posted_event_by_event_and_audited(desk, officer, fund, audited, tmp_path):
    path = _file(
        tmp_path,
        f"e1,disbursement,2025-02-02,{fund},L1,fumin,hh-1,50000,,2026-02-02,",
        f"e2,repayment,2025-03-01,{fund},L9,,,100,,,",
    )
    outcomes = desk.imports.import_events(officer, path)
    assert [o["status"] for o in outcomes] == ["posted", "refused"]
    assert sorted(e.outcome for e in audited(fund) if e.key_id == officer.key_id) == ["posted", "unknown_loan"]


def test_one_event_outside_the_keys_scope_refuses_the_whole_file(desk, officer, fund, tmp_path):
    path = _file(
        tmp_path,
        f"e1,disbursement,2025-02-02,{fund},L1,fumin,hh-1,50000,,2026-02-02,",
        "e2,disbursement,2025-02-02,F-elsewhere,L2,fumin,hh-2,50000,,2026-02-02,",
    )
    with pytest.raises(AccessDenied):
        desk.imports.import_events(officer, path)
    with UnitOfWork(desk.reads.engine, read_only=True) as uow:
        assert uow.commands.get(fund, "e1") is None


def test_a_file_that_is_no_table_is_refused_as_unreadable(desk, officer, tmp_path):
    path = tmp_path / "events.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(InvalidInput) as refused:
        desk.imports.import_events(officer, path)
    assert refused.value.errors[0].rule == "file_unreadable"
