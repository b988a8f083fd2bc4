"""The label of one disbursed loan — bad, good or censored — as pure functions over its standing events.

**bad** (坏): within the window after disbursement (``window_months``; the window ends on the same day of the month
``window_months`` later, the last day of a shorter month) one of the definition's bad events happened by the as-of
date: ``dpd`` — the principal reached ``dpd_threshold`` days past due; ``compensation_claim``; ``write_off``.
**good** (好): the window ended on or before the as-of date without one. **censored** (未成熟): neither yet — kept,
flagged, never trained on.

Days past due follow the ledger's own rule (:class:`credit_engine.ledger.loan.Loan`): a delinquency reported on day
V with D days past due makes the loan overdue since V − D; it stays overdue until a cure, an extension, a repayment
of everything outstanding or a compensation claim, and reaches the threshold on since + ``dpd_threshold`` days even
when no later report says so (as the ledger's non-performing state is derived). A cure does not undo a threshold
already reached, and a loan cured and overdue again is judged on every spell (cured-then-bad is bad). Reversed
events and events recorded after the moment asked about are gone before these functions run
(:func:`credit_engine.outcomes.events.standing_events`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from credit_engine.outcomes.definition import OutcomeDefinition
from credit_engine.outcomes.events import DISBURSEMENT, LedgerEvent, LoanHistory, standing_events

ENDS_OVERDUE = ("cure", "extension")


class Label(StrEnum):
    BAD = "bad"
    GOOD = "good"
    CENSORED = "censored"


LABEL_ZH = {"bad": "坏", "good": "好", "censored": "未成熟"}


@dataclass(frozen=True, slots=True)
class LoanOutcome:
    """A loan's label, the day and the event that made it bad (None unless bad), and the end of its window."""

    label: Label
    window_end: dt.date
    bad_on: dt.date | None = None
    bad_event: str | None = None

    @property
    def defaulted(self) -> int | None:
        """The data contract's training label: 1 bad, 0 good, None censored."""
        return {Label.BAD: 1, Label.GOOD: 0}.get(self.label)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_bad(
    events: Sequence[LedgerEvent], principal_fen: int, dpd_threshold: int, kinds: Iterable[str], last_day: dt.date
) -> tuple[dt.date, str] | None:
    """The earliest (day, kind) by ``last_day`` on which standing ``events`` (value-date order) made the loan bad:
    ``dpd`` when ``dpd_threshold`` days past due were reached, or a ``compensation_claim`` / ``write_off``; only
    the ``kinds`` asked for count. Monitoring's early reads ask the same with 30 days and an earlier last day."""
    kinds = frozenset(kinds)
    found: list[tuple[dt.date, str]] = []
    outstanding, since = principal_fen, None

    def spell_reached(until: dt.date) -> None:
        if since is not None and "dpd" in kinds and since + dt.timedelta(days=dpd_threshold) <= until:
            found.append((since + dt.timedelta(days=dpd_threshold), "dpd"))

    for event in events:
        kind, on = event.event_type, event.value_date
        if kind == DISBURSEMENT:
            continue
        spell_reached(on)
        if kind == "delinquency":
            since = on - dt.timedelta(days=event.days_past_due or 0)
        elif kind in ENDS_OVERDUE:
            since = None
        elif kind == "repayment":
            outstanding -= event.amount_fen or 0
            since = None if outstanding <= 0 else since
        elif kind in ("compensation_claim", "write_off"):
            since = None
            if kind in kinds:
                found.append((on, kind))
    spell_reached(last_day)
    within = [moment for moment in found if moment[0] <= last_day]
    return min(within, key=lambda moment: moment[0]) if within else None


def label_loan(
    history: LoanHistory, definition: OutcomeDefinition, as_of: dt.date, known_at: dt.datetime
) -> LoanOutcome:
    """The loan's outcome as of ``as_of`` with the ledger as known at ``known_at``."""
    end = add_months(history.disbursed_on, definition.window_months)
    events = standing_events(history.events, as_of, known_at)
    bad = first_bad(events, history.principal_fen, definition.dpd_threshold, definition.bad_events, min(as_of, end))
    if bad is not None:
        return LoanOutcome(Label.BAD, end, bad_on=bad[0], bad_event=bad[1])
    return LoanOutcome(Label.GOOD if end <= as_of else Label.CENSORED, end)
