"""The workspace in a real browser: Debian's chromium driven by Playwright against the real server on a loopback
port — sign in, the action list shows the seeded funds below the floor, drill down to a loan, a chart is drawn,
sign out; another county's fund is not reachable by URL. Skipped, with the reason, when chromium is absent."""

from __future__ import annotations

import re
import shutil
import time

import httpx
import pytest

from tests.api.test_api_server import _key, server  # noqa: F401 - the real server fixture (keys from the command line)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')")
pytestmark = [
    pytest.mark.xdist_group("test_api_server"),
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="no chromium browser on this machine (apt-get install chromium; scripts/setup.sh does it as root)",
    ),
]
HOME_FUNDS = {"F-B-SMALL": "1000000", "F-B-LARGE": "3000000"}
OTHER_FUND = "F-B-OTHER"


@pytest.fixture(scope="module")
def seeded(server):  # noqa: F811 - the server fixture imported above
    base, keys, env, _, _ = server
    other_admin = _key(env, "--role", "fund_admin", "--name", "other-county", "--county", "140122")
    body = {"fund_id": OTHER_FUND, "county_code": "140122", "bank_code": "RCC", "value_date": "2025-01-02"}
    headers = {"Authorization": f"Bearer {other_admin}", "Idempotency-Key": OTHER_FUND}
    # a key created since the server last read its keys is known within a second (KeyRing.refresh_for_unknown reloads
    # at most once a second): a first request inside that second is a 401, so ask again for a few seconds
    for _ in range(30):
        response = httpx.post(f"{base}/v1/funds", json=body | {"amount_yuan": "2000000"}, headers=headers, timeout=30)
        if response.status_code != 401:
            break
        time.sleep(0.2)
    assert response.status_code == 201, response.text
    admin = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['admin']}"}, timeout=30)
    officer = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {keys['officer']}"}, timeout=30)
    for fund_id, yuan in HOME_FUNDS.items():
        body = {"fund_id": fund_id, "county_code": "140121", "bank_code": "RCC", "value_date": "2025-01-02"}
        response = admin.post("/v1/funds", json=body | {"amount_yuan": yuan}, headers={"Idempotency-Key": fund_id})
        assert response.status_code == 201, response.text
        loan = {"fund_id": fund_id, "loan_id": f"{fund_id}-L1", "product": "fumin", "borrower_ref": "hh-b"}
        loan |= {"amount_yuan": "30000", "value_date": "2025-03-01", "maturity_date": "2030-03-01"}
        assert officer.post("/v1/loans", json=loan, headers={"Idempotency-Key": loan["loan_id"]}).status_code == 201
    return server


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _sign_in(page, base: str, key: str) -> None:
    page.goto(f"{base}/")
    page.fill("#api_key", key)
    page.click("#sign-in")


def test_sign_in_see_the_action_list_drill_down_to_a_loan_see_a_chart_and_sign_out(seeded, browser):
    base, keys, _, _, _ = seeded
    page = browser.new_page()
    _sign_in(page, base, keys["admin"])
    assert page.url == f"{base}/workspace"
    rows = page.locator("#actions tbody tr")
    listed = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())]
    assert listed[:2] == ["F-B-LARGE", "F-B-SMALL"]  # below the floor, the larger shortfall first
    assert "the multiple must reach the floor" in page.locator("#actions").inner_text()
    page.click("#actions >> text=F-B-SMALL")
    assert page.url.endswith("/workspace/funds/F-B-SMALL")
    chart = page.locator("svg.chart").first
    assert chart.is_visible() and chart.locator("polyline").count() >= 1
    assert chart.bounding_box()["width"] > 200
    page.click("#loans >> text=F-B-SMALL-L1")
    assert re.search(r"/workspace/funds/F-B-SMALL/loans/F-B-SMALL-L1$", page.url)
    assert "disbursement" in page.locator("table.history").inner_text()
    page.click("#sign-out")
    assert page.url == f"{base}/"
    page.goto(f"{base}/workspace")
    assert page.url == f"{base}/" and page.locator("#api_key").is_visible()
    page.close()


def test_another_countys_fund_is_not_reachable_by_url(seeded, browser):
    base, keys, _, _, _ = seeded
    page = browser.new_page()
    _sign_in(page, base, keys["admin"])
    response = page.goto(f"{base}/workspace/funds/{OTHER_FUND}")
    assert response.status == 404 and "不在您的权限范围内" in page.content()
    response = page.goto(f"{base}/workspace/areas/140122")
    assert response.status == 404
    page.close()
    auditor = browser.new_page()  # the fund exists: an auditor, who reads everything, reaches it
    _sign_in(auditor, base, keys["auditor"])
    assert auditor.goto(f"{base}/workspace/funds/{OTHER_FUND}").status == 200
    auditor.close()
