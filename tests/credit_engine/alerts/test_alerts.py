"""Fund alerts: a change of status is recorded once, however many processes see it, and delivered with retries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from credit_engine.alerts.changes import SeenStatus, record_changes
from credit_engine.alerts.delivery import RetryPolicy, deliver_due
from credit_engine.alerts.tables import ChangeRow

T0 = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
RETRY = RetryPolicy(max_attempts=3, first_delay_seconds=30, max_delay_seconds=3600, lease_seconds=60)


@pytest.fixture
def fund_id() -> str:
    return f"F-ALERT-{uuid.uuid4().hex[:8]}"


def seen(fund_id: str, status: str, headroom_fen: int | None = 1_000_000) -> list[SeenStatus]:
    return [SeenStatus(fund_id, "140121", "RCC", status, headroom_fen)]


def changes(engine, fund_id: str) -> list:
    with engine.connect() as connection:
        return connection.execute(select(ChangeRow).where(ChangeRow.fund_id == fund_id)).all()


class Receiver:
    def __init__(self, fail_times: int = 0) -> None:
        self.fail_times = fail_times
        self.calls: list[tuple[str, dict, int]] = []

    def __call__(self, change_id: str, body: dict, attempt: int) -> None:
        self.calls.append((change_id, body, attempt))
        if len(self.calls) <= self.fail_times:
            raise ConnectionError("receiver down")


def test_a_fund_seen_first_is_a_baseline_and_a_new_status_is_one_change(service_engine, fund_id):
    assert record_changes(service_engine, seen(fund_id, "below_floor"), T0) == []
    assert record_changes(service_engine, seen(fund_id, "below_floor"), T0) == []
    recorded = record_changes(service_engine, seen(fund_id, "suspended", None), T0 + dt.timedelta(minutes=1))
    [change] = changes(service_engine, fund_id)
    assert recorded == [change.change_id]
    assert (change.previous_status, change.status, change.attempts, change.delivered_at) == (
        "below_floor",
        "suspended",
        0,
        None,
    )
    assert change.body["status_label"] == "暂停放款 suspended" and change.body["headroom_yuan"] is None


def test_two_processes_seeing_the_same_change_record_it_once(service_engine, fund_id):
    record_changes(service_engine, seen(fund_id, "ok"), T0)
    first = record_changes(service_engine, seen(fund_id, "at_cap", 0), T0 + dt.timedelta(seconds=5))
    second = record_changes(service_engine, seen(fund_id, "at_cap", 0), T0 + dt.timedelta(seconds=6))
    assert (len(first), second, len(changes(service_engine, fund_id))) == (1, [], 1)


def test_an_unknown_status_is_never_a_change(service_engine, fund_id):
    record_changes(service_engine, seen(fund_id, "ok"), T0)
    assert record_changes(service_engine, seen(fund_id, "unknown", None), T0) == []
    assert changes(service_engine, fund_id) == []


def test_a_change_is_delivered_once_with_its_id_and_attempt(service_engine, fund_id):
    record_changes(service_engine, seen(fund_id, "ok"), T0)
    [change_id] = record_changes(service_engine, seen(fund_id, "over_cap", 0), T0)
    receiver = Receiver()
    deliver_due(service_engine, receiver, T0, RETRY)
    deliver_due(service_engine, receiver, T0 + dt.timedelta(hours=1), RETRY)
    mine = [call for call in receiver.calls if call[0] == change_id]
    assert [(c[0], c[1]["status"], c[2]) for c in mine] == [(change_id, "over_cap", 1)]
    assert changes(service_engine, fund_id)[0].delivered_at is not None


def test_a_failed_delivery_is_retried_later_then_given_up(service_engine, fund_id):
    record_changes(service_engine, seen(fund_id, "ok"), T0)
    [change_id] = record_changes(service_engine, seen(fund_id, "suspended"), T0)
    receiver = Receiver(fail_times=10)
    mine = lambda: [c for c in receiver.calls if c[0] == change_id]  # noqa: E731
    deliver_due(service_engine, receiver, T0, RETRY)
    deliver_due(service_engine, receiver, T0 + dt.timedelta(seconds=29), RETRY)  # not due yet
    assert [c[2] for c in mine()] == [1]
    deliver_due(service_engine, receiver, T0 + dt.timedelta(seconds=30), RETRY)  # 30 s after the first failure
    deliver_due(service_engine, receiver, T0 + dt.timedelta(seconds=30 + 59), RETRY)  # 60 s after the second: not yet
    deliver_due(service_engine, receiver, T0 + dt.timedelta(seconds=30 + 60), RETRY)
    deliver_due(service_engine, receiver, T0 + dt.timedelta(days=1), RETRY)  # given up after 3 attempts
    assert [c[2] for c in mine()] == [1, 2, 3]
    [row] = changes(service_engine, fund_id)
    assert (row.attempts, row.delivered_at, row.failed_at is not None, row.last_error) == (
        3,
        None,
        True,
        "ConnectionError: receiver down",
    )


def test_a_change_another_process_is_sending_is_not_sent_twice(service_engine, fund_id):
    record_changes(service_engine, seen(fund_id, "ok"), T0)
    [change_id] = record_changes(service_engine, seen(fund_id, "below_floor"), T0)
    slow = Receiver()

    def meanwhile(change: str, body: dict, attempt: int) -> None:
        slow(change, body, attempt)
        if change == change_id:  # while this process sends, another one looks at the outbox
            deliver_due(service_engine, slow, T0 + dt.timedelta(seconds=1), RETRY)

    deliver_due(service_engine, meanwhile, T0, RETRY)
    assert [c[2] for c in slow.calls if c[0] == change_id] == [1]


def test_the_retry_delay_doubles_up_to_an_hour():
    assert [RETRY.delay(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_webhook_url_needs_its_secret_and_an_http_scheme(tmp_path):
    from pydantic import ValidationError

    from credit_engine.config import Settings

    with pytest.raises(ValidationError, match="alert_webhook_secret is required"):
        Settings(home=tmp_path, alert_webhook_url="https://alerts.example/hook")
    with pytest.raises(ValidationError, match="http:// or https://"):
        Settings(home=tmp_path, alert_webhook_url="file:///etc/passwd", alert_webhook_secret="s")
    assert Settings(home=tmp_path, alert_webhook_url="https://a.example/h", alert_webhook_secret="s").alert_webhook_url
