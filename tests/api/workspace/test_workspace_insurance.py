"""The fund page's insurance: the cover in force on the view's date (insurer, kind, share, premium and subsidy,
products, dates) or "无保险 no cover", the insured principal and the insurer's payments, and the stress panel's
P(exhaustion) with and without the cover side by side — the same figures as the stress test's own result."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from credit_engine.workspace.figures import percent
from credit_engine.workspace.views import Moment
from tests.api.workspace.conftest import sign_in

pytestmark = pytest.mark.xdist_group("test_workspace_insurance")

INSURED, BARE = "F-WI-INS", "F-WI-BARE"
COVER = {
    "effective_from": "2025-01-05",
    "insurer": "人保财险 PICC",
    "kind": "share",
    "share": 0.5,
    "premium_rate": 0.02,
    "premium_subsidy_share": 0.3,
    "products": ["fumin"],
    "effective_to": "2027-12-31",
}


def _loan(api, fund_id: str, loan_id: str, amount: str, due: str) -> None:
    body = {"fund_id": fund_id, "loan_id": loan_id, "product": "fumin", "borrower_ref": f"hh-{loan_id}"}
    body |= {"amount_yuan": amount, "value_date": "2025-01-10", "maturity_date": due}
    assert api.post(api.keys.officer, "/v1/loans", body, key=f"d-{loan_id}").status_code == 201


@pytest.fixture(scope="module")
def insured(api):
    api.open_fund(INSURED, yuan="1000000")
    api.open_fund(BARE, yuan="1000000")
    response = api.post(api.keys.fund_admin, f"/v1/funds/{INSURED}/insurance-covers", COVER, key="wi-cover")
    assert response.status_code == 201, response.text
    for index in range(6):
        _loan(api, INSURED, f"WI-{index}", "50000", "2028-01-10")
        _loan(api, BARE, f"WB-{index}", "50000", "2028-01-10")
    late = {"fund_id": INSURED, "value_date": "2025-05-01", "days_past_due": 95}
    assert api.post(api.keys.officer, "/v1/loans/WI-0/delinquencies", late, key="wi-late").status_code == 201
    claim = {"fund_id": INSURED, "value_date": "2025-05-02"}
    assert api.post(api.keys.officer, "/v1/loans/WI-0/compensation-claims", claim, key="wi-claim").status_code == 201
    paid = {"fund_id": INSURED, "value_date": "2025-05-20", "amount_yuan": "10000"}
    assert api.post(api.keys.officer, "/v1/loans/WI-0/insurer-payments", paid, key="wi-paid").status_code == 201
    return api


@pytest.fixture
def admin(insured):
    with TestClient(insured.client.app) as client:
        assert sign_in(client, insured.keys.fund_admin).status_code == 303
        yield client


def _section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def test_an_insured_funds_page_shows_its_cover_insured_principal_and_insurer_payments(admin):
    section = _section(admin.get(f"/workspace/funds/{INSURED}?as_of=2025-12-31").text, "insurance")
    assert "人保财险 PICC" in section and "比例分担" in section and "share of each loss" in section
    assert "50.00%" in section and "2.00%" in section and "30.00%" in section  # share, premium rate, subsidy
    assert "富民贷" in section and "2025-01-05 – 2027-12-31" in section
    # five open loans of 50,000 (the claimed one left the covered principal), all 富民贷, all insured
    assert re.search(r"保险覆盖余额\(元\).*?<dd>250,000\.00</dd>", section, re.S)
    assert re.search(r"保险应赔\(元\).*?<dd>25,000\.00</dd>", section, re.S)  # half of the 50,000 loss
    assert re.search(r"保险已赔付\(元\).*?<dd>10,000\.00</dd>", section, re.S)


def test_before_the_cover_and_for_a_fund_without_one_the_page_says_no_cover(admin):
    before = _section(admin.get(f"/workspace/funds/{INSURED}?as_of=2025-01-03").text, "insurance")
    assert 'id="no-cover"' in before and "无保险" in before and "no cover" in before
    bare = admin.get(f"/workspace/funds/{BARE}?as_of=2025-12-31").text
    assert 'id="no-cover"' in _section(bare, "insurance") and 'id="stress-cover"' not in bare
    assert "人保财险" not in bare


def test_the_stress_panel_puts_exhaustion_with_and_without_the_cover_side_by_side(admin, insured):
    page = admin.get(f"/workspace/funds/{INSURED}?as_of=2025-12-31").text
    table = page.split('id="stress-cover"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d+) .*?</td><td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td></tr>", table)
    result = insured.client.app.state.fund_stress.result(INSURED, Moment(dt.date(2025, 12, 31)))
    fund = result.funds[0]
    assert fund.insurer == "人保财险 PICC" and fund.uninsured
    expected = [
        (str(m), percent(fund.current.exhaustion_by_month[m]), percent(fund.uninsured[0].exhaustion_by_month[m]))
        for m in sorted(fund.current.exhaustion_by_month)
    ]
    assert rows == expected and [m for m, _, _ in rows] == ["12", "24", "36"]
    assert "有保险" in table and "without the cover" in table
