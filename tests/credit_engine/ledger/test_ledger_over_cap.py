"""Over the cap is a status: a clawback may leave covered principal above cap × balance (policy allows it); then
the fund says ``over_cap`` (超上限) with the excess, the audit lists it, and it lends nothing until back under."""

from __future__ import annotations

import pytest

from credit_engine.ledger.errors import FundOverCap, InsufficientFundHeadroom, LoanRefusedByFund
from credit_engine.ledger.validations import audit, notices
from credit_engine.reports.build import Scope, build_report
from credit_engine.reports.formats import to_csv
from credit_engine.reports.layout import sheets
from credit_engine.reports.leverage import STATUS_LABELS, leverage_line


@pytest.fixture
def over_cap_fund(ledger) -> str:
    """10,000 yuan lent 9× (90,000 yuan), then 2,000 yuan clawed back: cap 10 × 8,000 = 80,000, 10,000 over."""
    fund = ledger.fund(yuan=10_000)
    ledger.disburse(fund, "L1", "2025-02-01", 45_000)
    ledger.disburse(fund, "L2", "2025-02-01", 45_000)
    ledger.claw_back(fund, "2025-03-01", 2_000)
    return fund


def test_a_clawback_may_leave_a_fund_over_its_cap_and_its_status_says_so_with_the_excess(ledger, over_cap_fund):
    position = ledger.position(over_cap_fund, "2025-03-01")
    assert (position.status, position.over_cap_fen, position.headroom_fen) == ("over_cap", 1_000_000, 0)
    assert ledger.position(over_cap_fund, "2025-02-28").status == "ok"  # the day before the clawback


def test_a_fund_over_its_cap_refuses_every_disbursement_until_it_is_back_under(ledger, over_cap_fund):
    with pytest.raises(FundOverCap) as refused:
        ledger.disburse(over_cap_fund, "L3", "2025-03-02", 1_000)
    assert isinstance(refused.value, LoanRefusedByFund) and not isinstance(refused.value, InsufficientFundHeadroom)
    assert (refused.value.code, refused.value.facts["over_cap_fen"]) == ("fund_over_cap", 1_000_000)
    ledger.contribute(over_cap_fund, "2025-03-02", 1_000)  # 9,000 × 10 = 90,000: exactly at the cap
    with pytest.raises(InsufficientFundHeadroom) as full:
        ledger.disburse(over_cap_fund, "L3", "2025-03-02", 1_000)
    assert full.value.code == "insufficient_headroom"
    ledger.contribute(over_cap_fund, "2025-03-02", 2_000)
    ledger.disburse(over_cap_fund, "L3", "2025-03-02", 10_000)
    assert ledger.position(over_cap_fund, "2025-03-02").status == "ok"  # 100,000 lent, 10,000 of headroom


def test_the_audit_lists_a_fund_over_its_cap_without_failing(ledger, over_cap_fund):
    with ledger.uow as uow:
        found = notices(uow, [over_cap_fund])
        violations = audit(uow, [over_cap_fund])
    assert violations == []
    assert [(n.check, n.subject) for n in found] == [("over_cap", f"fund {over_cap_fund}")]
    assert "10000.00" in found[0].message and "超上限" in found[0].message


def test_the_leverage_report_shows_over_cap_in_fen_and_in_yuan_with_its_chinese_label(ledger, over_cap_fund):
    line = leverage_line(ledger.position(over_cap_fund, "2025-03-01"))
    assert (line.status, line.as_dict()["over_cap_fen"], STATUS_LABELS["over_cap"]) == (
        "over_cap",
        1_000_000,
        "超上限 over cap",
    )
    with ledger.uow as uow:
        report = build_report(uow, "leverage", ledger.position(over_cap_fund, "2025-03-01").as_of, None, Scope())
    sheet = next(s for s in sheets(report) if s.key == "leverage")
    sheet = type(sheet)(
        sheet.key, sheet.zh, sheet.en, sheet.columns, [r for r in sheet.rows if r["fund_id"] == over_cap_fund]
    )
    header, row = to_csv(sheet).splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert (cells["超上限金额(元) Over cap by (yuan)"], cells["状态 Status"]) == ("10000.00", "超上限 over cap")
