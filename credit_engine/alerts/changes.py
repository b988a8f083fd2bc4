"""Recording a fund's change of status once, however many processes see it.

Each process compares the statuses it sees with ``alert_fund_status``. A fund seen for the first time is recorded
as it is, without an alert (the alerts start from what they first see). A different status is claimed with a
conditional update (``WHERE status = <the status last seen>``): the one process whose update changes the row
records the change in the outbox (``alert_change``); the others find the row already moved and record nothing. A
status ``unknown`` (the database did not answer) is never a change.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from credit_engine.alerts.tables import ChangeRow, FundStatusRow
from credit_engine.reports.leverage import STATUS_LABELS

NOT_A_STATUS = frozenset({"unknown"})


@dataclass(frozen=True, slots=True)
class SeenStatus:
    """A fund's status as a process sees it now, with the figures an alert carries."""

    fund_id: str
    county_code: str
    bank_code: str
    status: str
    headroom_fen: int | None


def record_changes(engine: Engine, seen: Iterable[SeenStatus], now: dt.datetime) -> list[str]:
    """Record every change of status among ``seen`` (once across processes); the ids of the changes recorded here.
    One query reads every last seen status; only a fund first seen or changed opens a write."""
    with engine.connect() as connection:
        last = dict(connection.execute(select(FundStatusRow.fund_id, FundStatusRow.status)).tuples().all())
    recorded = []
    for fund in seen:
        before = last.get(fund.fund_id)
        if fund.status in NOT_A_STATUS or before == fund.status:
            continue
        if before is None:
            _first_sight(engine, fund, now)
            continue
        with engine.begin() as connection:
            change_id = _claim(connection, fund, before, now)
        if change_id is not None:
            recorded.append(change_id)
    return recorded


def _claim(connection: Connection, fund: SeenStatus, before: str, now: dt.datetime) -> str | None:
    """Move the fund's row from ``before`` to its new status and record the change, unless another process did."""
    claimed = connection.execute(
        update(FundStatusRow)
        .where(FundStatusRow.fund_id == fund.fund_id, FundStatusRow.status == before)
        .values(status=fund.status, since=now)
    ).rowcount
    if claimed != 1:
        return None
    change_id = os.urandom(16).hex()
    connection.execute(
        insert(ChangeRow).values(
            change_id=change_id,
            fund_id=fund.fund_id,
            previous_status=before,
            status=fund.status,
            detected_at=now,
            body=alert_body(change_id, fund, before, now),
            attempts=0,
            next_attempt_at=now,
        )
    )
    return change_id


def _first_sight(engine: Engine, fund: SeenStatus, now: dt.datetime) -> None:
    """The fund's status as first seen (a process that inserts second finds the row there: nothing to do)."""
    try:
        with engine.begin() as connection:
            connection.execute(insert(FundStatusRow).values(fund_id=fund.fund_id, status=fund.status, since=now))
    except IntegrityError:
        pass


def alert_body(change_id: str, fund: SeenStatus, previous: str, now: dt.datetime) -> dict[str, object]:
    """What the webhook receives for one change (money in yuan, the statuses with their 中文 and English labels)."""
    return {
        "change_id": change_id,
        "fund_id": fund.fund_id,
        "county_code": fund.county_code,
        "bank": fund.bank_code,
        "previous_status": previous,
        "status": fund.status,
        "status_label": STATUS_LABELS.get(fund.status, fund.status),
        "previous_status_label": STATUS_LABELS.get(previous, previous),
        "headroom_yuan": None if fund.headroom_fen is None else fund.headroom_fen / 100,
        "detected_at": now.isoformat(),
    }
