"""The workspace's pages on a seeded ledger: the action list (claims past their deadline, then funds below the floor
by shortfall), the drill-down province → county → fund → loan, as of a date and as known at a moment, charts, export."""

from __future__ import annotations

import re

import pytest

from tests.api.workspace.conftest import BELOW_FLOOR, CLAIMED_LOAN, OTHER, sign_in


@pytest.fixture
def admin(seeded, browser):
    assert sign_in(browser, seeded.keys.fund_admin).status_code == 303
    return browser


def _action_rows(html: str) -> list[tuple[str, str]]:
    """(rule, fund id) of each row of the action list, in order."""
    table = html.split('id="actions"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr class="rule-([a-z_]+)">\s*<td>\d+</td>\s*<td><a href="/workspace/funds/([^"?]+)', table)


def test_the_action_list_puts_an_unpaid_claim_first_then_funds_below_the_floor_by_shortfall(admin):
    page = admin.get("/workspace").text
    assert _action_rows(page) == [
        ("claim_overdue", BELOW_FLOOR[0]),
        ("below_floor", BELOW_FLOOR[1]),
        ("below_floor", BELOW_FLOOR[0]),
    ]
    assert f"贷款 {CLAIMED_LOAN} 待付 14,000.00 元" in page and "期限 2025-07-16" in page
    assert "shortfall 23,950,000.00 yuan (0.02×, floor 8.00×)" in page
    assert "放大倍数不得低于下限" in page and "the multiple must reach the floor" in page


def test_as_of_a_date_before_the_claim_only_the_floor_is_on_the_list(admin):
    rows = _action_rows(admin.get("/workspace?as_of=2025-06-30").text)
    assert [rule for rule, _ in rows] == ["below_floor", "below_floor"]


def test_as_known_before_anything_was_recorded_the_list_is_empty(admin):
    page = admin.get("/workspace?known_at=2020-01-01T00:00").text
    assert 'id="actions"' not in page and "没有需要处理的事项" in page and "Nothing needs action" in page


def test_a_malformed_date_is_a_bilingual_422_page(admin):
    response = admin.get("/workspace?as_of=2025-13-45")
    assert response.status_code == 422 and "日期或时间格式有误" in response.text and "Invalid date" in response.text


def test_drill_down_from_province_to_county_to_fund_to_loan(admin, seeded):
    province = admin.get("/workspace/areas/14")
    assert province.status_code == 200 and f"/workspace/areas/{seeded.home_county}" in province.text
    county = admin.get(f"/workspace/areas/{seeded.home_county}")
    assert county.status_code == 200 and f"/workspace/funds/{BELOW_FLOOR[1]}" in county.text
    assert OTHER not in county.text
    fund = admin.get(f"/workspace/funds/{BELOW_FLOOR[0]}")
    assert fund.status_code == 200
    assert f"/workspace/funds/{BELOW_FLOOR[0]}/loans/WS-1" in fund.text
    for heading in ("分产品在保余额", "代偿与追偿", "月末序列", "事件记录", "PAR30"):
        assert heading in fund.text
    assert fund.text.count("<svg") == 2 and "<title>月末放大倍数 Month-end multiple</title>" in fund.text
    loan = admin.get(f"/workspace/funds/{BELOW_FLOOR[0]}/loans/{CLAIMED_LOAN}")
    assert loan.status_code == 200
    assert "compensation_claim" in loan.text and "delinquency" in loan.text and "disbursement" in loan.text
    state = '<dd><span lang="zh">{}</span>'
    assert state.format("已结清或已代偿（不在银行账上）") in loan.text  # compensated: off the bank's book
    before_claim = admin.get(f"/workspace/funds/{BELOW_FLOOR[0]}/loans/{CLAIMED_LOAN}?as_of=2025-06-15").text
    assert state.format("逾期") in before_claim and "compensation_claim" not in before_claim
    officer_key_id = seeded.keys.officer.split("_")[1]
    assert officer_key_id in loan.text  # who recorded each event


def test_the_fund_page_as_of_a_date_shows_the_book_then(admin):
    page = admin.get(f"/workspace/funds/{BELOW_FLOOR[0]}?as_of=2025-02-28").text
    assert "WS-1" not in page.split('id="loans"', 1)[1].split("</table>", 1)[0]
    assert 'id="stress"' in page  # a book without loans is stressed too (nothing can default: 0 %)
    assert admin.get(f"/workspace/funds/{BELOW_FLOOR[0]}/loans/WS-1?as_of=2025-02-28").status_code == 404


def test_the_export_is_the_reports_workbook_of_the_county(admin, seeded):
    response = admin.get(f"/workspace/export/leverage.xlsx?county={seeded.home_county}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert admin.get(f"/workspace/export/leverage.xlsx?county={seeded.other_county}").status_code == 404


def test_an_auditor_sees_every_county(seeded, browser):
    sign_in(browser, seeded.keys.auditor)
    assert browser.get(f"/workspace/funds/{OTHER}").status_code == 200
    county = browser.get(f"/workspace/areas/{seeded.other_county}")
    assert county.status_code == 200 and f"/workspace/funds/{OTHER}" in county.text


def test_the_fund_page_shows_its_stress_test_and_links_the_full_results(admin):
    page = admin.get(f"/workspace/funds/{BELOW_FLOOR[1]}").text
    stress = page.split('id="stress"', 1)[1].split("</section>", 1)[0]
    for months in (12, 24, 36):
        assert re.search(rf"耗尽概率</span> <span class=\"alt\" lang=\"en\">P\(exhaustion\)</span> {months} ", stress)
    assert "安全倍数" in stress and "5,000" in stress
    workbook = admin.get(f"/workspace/funds/{BELOW_FLOOR[1]}/stress.xlsx")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    html = admin.get(f"/workspace/funds/{BELOW_FLOOR[1]}/stress.html")
    assert html.status_code == 200 and BELOW_FLOOR[1] in html.text and "<svg" in html.text
    assert admin.get(f"/workspace/funds/{OTHER}/stress.xlsx").status_code == 404
