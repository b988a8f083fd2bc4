"""Signing in to the workspace: keys of fund administrators and auditors only, a session cookie that is HttpOnly,
SameSite=Strict and Secure over https, CSRF on every POST, sign-out, revocation ending the session, and scope."""

from __future__ import annotations

from fastapi.testclient import TestClient

from credit_engine.access.keys import create_key, revoke_key
from credit_engine.access.principal import Scope
from tests.api.workspace.conftest import BELOW_FLOOR, OTHER, csrf_of, sign_in


def test_a_fund_administrator_signs_in_and_lands_on_the_action_list(seeded, browser):
    response = sign_in(browser, seeded.keys.fund_admin)
    assert (response.status_code, response.headers["location"]) == (303, "/workspace")
    page = browser.get("/workspace")
    assert page.status_code == 200
    assert "待办事项" in page.text and "Action list" in page.text
    assert "admin-home" in page.text


def test_the_session_cookie_is_http_only_strict_and_expires(seeded, browser):
    cookie = sign_in(browser, seeded.keys.auditor).headers["set-cookie"]
    assert "ce_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=28800" in cookie or "Max-Age=28799" in cookie  # 8 hours by default
    assert "Secure" not in cookie  # plain http on a loopback test server


def test_over_https_the_cookie_is_secure(seeded):
    with TestClient(seeded.client.app, base_url="https://testserver") as client:
        assert "Secure" in sign_in(client, seeded.keys.fund_admin).headers["set-cookie"]


def test_a_wrong_key_is_refused_with_a_bilingual_message(browser, seeded):
    response = sign_in(browser, "ce_000000000000_" + "x" * 43)
    assert response.status_code == 401
    assert "API 密钥无效或已撤销" in response.text and "not valid or has been revoked" in response.text
    assert browser.get("/workspace", follow_redirects=False).headers["location"] == "/"


def test_an_officer_is_refused_with_a_bilingual_message(browser, seeded):
    response = sign_in(browser, seeded.keys.officer)
    assert response.status_code == 403
    assert "工作台仅供风险补偿金管理员和审计员登录" in response.text
    assert "only fund administrators and auditors" in response.text
    assert "ce_session" not in response.headers.get("set-cookie", "")


def test_a_sign_in_without_its_csrf_token_is_a_403_page(browser, seeded):
    browser.get("/")
    response = browser.post("/", data={"api_key": seeded.keys.fund_admin}, follow_redirects=False)
    assert response.status_code == 403 and "表单已失效" in response.text and "form has expired" in response.text


def test_sign_out_needs_the_csrf_token_then_ends_the_session(browser, seeded):
    sign_in(browser, seeded.keys.fund_admin)
    token = csrf_of(browser.get("/workspace").text)
    refused = browser.post("/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert browser.get("/workspace").status_code == 200  # still signed in
    cookie = browser.cookies.get("ce_session")
    out = browser.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/")
    assert browser.get("/workspace", follow_redirects=False).headers["location"] == "/"
    browser.cookies.set("ce_session", cookie)  # the old token is deleted on the server, not only in the browser
    assert browser.get("/workspace", follow_redirects=False).status_code == 303


def test_revoking_the_key_ends_its_session(browser, seeded):
    engine = seeded.services.engine
    key, token = create_key(engine, "fund_admin", "admin-revoked", Scope(None, frozenset({seeded.home_county})))
    seeded.services.keys.refresh()  # a key created a moment ago (the API reloads unknown keys at most once a second)
    assert sign_in(browser, token).status_code == 303
    assert browser.get("/workspace").status_code == 200
    revoke_key(engine, key.key_id)
    assert browser.get("/workspace", follow_redirects=False).headers["location"] == "/"


def test_another_countys_fund_is_not_reachable_and_leaks_nothing(browser, seeded):
    sign_in(browser, seeded.keys.fund_admin)
    other = browser.get(f"/workspace/funds/{OTHER}")
    missing = browser.get("/workspace/funds/F-DOES-NOT-EXIST")
    assert other.status_code == missing.status_code == 404
    assert OTHER not in other.text and other.text.replace(OTHER, "") == missing.text.replace("F-DOES-NOT-EXIST", "")
    assert browser.get(f"/workspace/areas/{seeded.other_county}").status_code == 404
    assert OTHER not in browser.get("/workspace").text
    assert browser.get(f"/workspace/funds/{BELOW_FLOOR[0]}").status_code == 200


def test_the_english_switch_puts_english_first_and_is_remembered(browser, seeded):
    sign_in(browser, seeded.keys.fund_admin)
    english = browser.get("/workspace?lang=en").text
    assert english.index("Action list") < english.index("待办事项")
    again = browser.get("/workspace").text
    assert again.index("Action list") < again.index("待办事项")
    chinese = browser.get("/workspace?lang=zh").text
    assert chinese.index("待办事项") < chinese.index("Action list")


def test_text_from_the_key_or_the_address_is_escaped(browser, seeded):
    scope = Scope(None, frozenset({seeded.home_county}))
    _, token = create_key(seeded.services.engine, "fund_admin", "<script>alert(1)</script>", scope)
    seeded.services.keys.refresh()
    sign_in(browser, token)
    page = browser.get("/workspace").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    echoed = browser.get("/workspace", params={"as_of": "<b>x</b>"})
    assert echoed.status_code == 422 and "<b>x</b>" not in echoed.text and "&lt;b&gt;x&lt;/b&gt;" in echoed.text


def test_sign_in_refusals_and_sign_out_are_in_the_audit_export_without_the_key(browser, seeded):
    import datetime as dt
    import json

    from credit_engine.audit.export import audit_records
    from credit_engine.ledger.domain import CHINA

    wrong = "ce_0123456789ab_" + "w" * 43
    sign_in(browser, wrong)
    sign_in(browser, seeded.keys.officer)
    sign_in(browser, seeded.keys.fund_admin)
    browser.post("/sign-out", data={"csrf_token": csrf_of(browser.get("/workspace").text)})
    today = dt.datetime.now(CHINA).date()
    entries = [e for e in audit_records(seeded.services.engine, today, today) if e.action.startswith("workspace.")]
    seen = [(e.action, e.outcome, e.key_id) for e in entries[-4:]]
    admin_id, officer_id = seeded.keys.fund_admin.split("_")[1], seeded.keys.officer.split("_")[1]
    assert seen == [
        ("workspace.sign_in", "refused", "0123456789ab"),
        ("workspace.sign_in", "refused", officer_id),
        ("workspace.sign_in", "signed_in", admin_id),
        ("workspace.sign_out", "signed_out", admin_id),
    ]
    assert entries[-4].detail == {"rule": "bad_key", "key_given": "ce_0123456789ab_***"}
    exported = json.dumps([e.as_json() for e in entries], ensure_ascii=False)
    for token in (wrong, seeded.keys.officer, seeded.keys.fund_admin):
        assert token.split("_", 2)[2] not in exported


def test_a_key_that_cannot_be_checked_now_is_a_503_page_not_a_refusal(browser, seeded, monkeypatch):
    monkeypatch.setattr(seeded.services.keys, "undecided", lambda token: True)  # the database does not answer
    response = sign_in(browser, "ce_0000000000ff_" + "y" * 43)
    assert response.status_code == 503
    assert "暂时无法核验 API 密钥" in response.text and "try again shortly" in response.text
