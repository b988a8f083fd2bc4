"""The fund alerts' webhook: a fund's change of status reaches the configured URL once, as signed JSON."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from api.alert_webhook import WebhookRefused, WebhookSender, signature

SECRET = "alert-secret-for-tests"


class _Inbox(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]]
    answer = 204

    def do_POST(self) -> None:  # noqa: N802 - the http.server protocol
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers.items()), body))
        self.send_response(self.answer)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def inbox():
    handler = type("Inbox", (_Inbox,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_the_sender_signs_the_exact_body_and_names_the_change(inbox):
    handler, url = inbox
    WebhookSender(url, SECRET)("c-1", {"fund_id": "F-1", "status": "suspended", "status_label": "暂停放款"}, 2)
    [(headers, body)] = handler.received
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Credit-Engine-Signature"] == expected == signature(SECRET, body)
    assert (headers["X-Credit-Engine-Delivery"], headers["X-Credit-Engine-Attempt"]) == ("c-1", "2")
    assert json.loads(body)["status_label"] == "暂停放款"


def test_a_receiver_that_answers_an_error_is_a_failed_attempt(inbox):
    handler, url = inbox
    handler.answer = 500
    with pytest.raises(WebhookRefused, match="HTTP 500"):
        WebhookSender(url, SECRET)("c-2", {}, 1)


def test_a_fund_suspended_through_the_api_reaches_the_webhook_once(
    inbox, api_for, settings_factory, mlflow_store, tmp_path
):
    handler, url = inbox
    settings = settings_factory(tmp_path, mlflow_store[0]).model_copy(
        update={"alert_webhook_url": url, "alert_webhook_secret": SecretStr(SECRET), "alert_check_seconds": 0.2}
    )
    with api_for(settings) as api:
        api.open_fund("F-ALERT", yuan="1000000")
        time.sleep(1.0)  # the alerts see the new fund (below its floor) as their baseline: no alert
        assert handler.received == []
        today = dt.date.today().isoformat()
        policy = {"effective_from": today, "lending_suspended": True}
        assert api.post(api.keys.fund_admin, "/v1/funds/F-ALERT/policies", policy, key="stop").status_code == 201
        deadline = time.monotonic() + 20
        while not handler.received and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # later rounds send nothing more
    [(headers, body)] = handler.received
    sent = json.loads(body)
    assert headers["X-Credit-Engine-Signature"] == signature(SECRET, body)
    assert (sent["fund_id"], sent["previous_status"], sent["status"]) == ("F-ALERT", "below_floor", "suspended")
    assert headers["X-Credit-Engine-Delivery"] == sent["change_id"]
