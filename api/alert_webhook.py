"""The webhook that receives fund alerts: an HTTP POST of the change as JSON, signed with a shared secret.

Headers: ``X-Credit-Engine-Delivery`` (the change's id: the same on every retry, so the receiver can drop a repeat),
``X-Credit-Engine-Attempt`` and ``X-Credit-Engine-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body
bytes under the secret (``CREDIT_ENGINE_ALERT_WEBHOOK_SECRET``) — the receiver recomputes it before trusting the
body. Any answer but 2xx, a timeout or a refused connection is a failed attempt, retried later.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx


class WebhookRefused(Exception):
    """The receiver answered, but not with 2xx."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, url: str, secret: str, timeout_seconds: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout_seconds = timeout_seconds

    def __call__(self, change_id: str, body: dict, attempt: int) -> None:
        content = json.dumps(body, ensure_ascii=False, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Credit-Engine-Delivery": change_id,
            "X-Credit-Engine-Attempt": str(attempt),
            "X-Credit-Engine-Signature": signature(self.secret, content),
        }
        answer = httpx.post(self.url, content=content, headers=headers, timeout=self.timeout_seconds)
        if not answer.is_success:
            raise WebhookRefused(f"HTTP {answer.status_code}")
