"""Loan-level history for a period, as known at a recording time: principal and whether each day was current.

The interest subsidy (贴息) is principal × subsidised rate × days / 360 over the days a loan was current; it stops
the day after the unpaid amount fell due (``overdue_since``, day 0), even when the bank reports the delinquency
later, and never runs on compensated or closed loans. :func:`loan_periods` replays each loan's standing events
(those known at ``known_at``, reversed pairs removed) through the loan's state machine and returns its days in
the period as :class:`Segment` runs of equal principal and status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from credit_engine.ledger.loan import Loan, LoanFacts, LoanState, apply_event, open_loan
from credit_engine.ledger.money import interest_fen
from credit_engine.ledger.queries.events import RecordedEvent, recorded_events
from credit_engine.ledger.unit_of_work import UnitOfWork

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Segment:
    """Days ``first_day``..``last_day`` (inclusive) with the same outstanding principal and status."""

    first_day: dt.date
    last_day: dt.date
    principal_fen: int
    current: bool

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanPeriod(LoanFacts):
    """A loan's facts and its segments within a period."""

    segments: tuple[Segment, ...]

    @property
    def current_days(self) -> int:
        return sum(s.days for s in self.segments if s.current)

    @property
    def current_principal_days(self) -> int:
        """Σ principal (fen) × days over the current days: the base of the interest subsidy."""
        return sum(s.principal_fen * s.days for s in self.segments if s.current)

    def subsidy_fen(self, rate_bps: int, day_count: int = 360) -> int:
        """Subsidy at ``rate_bps`` a year on current principal, rounded half up to the fen."""
        return interest_fen(self.current_principal_days * rate_bps, day_count)


def _standing(rows: list[RecordedEvent]) -> list[RecordedEvent]:
    reversed_ids = {row.reverses_id for row in rows if row.reverses_id is not None}
    return [row for row in rows if row.event_type != "reversal" and row.id not in reversed_ids]


def _timeline(fund_id: str, loan_id: str, rows: list[RecordedEvent]) -> tuple[Loan, list, list]:
    """Replay: (final loan, [(date, outstanding, covered)], [[overdue from, overdue until or None]])."""
    loan, _ = open_loan(fund_id, loan_id, rows[0].event)
    steps = [(loan.disbursed_on, loan.outstanding_fen, True)]
    episodes: list[list] = []
    for row in rows[1:]:
        was_overdue = loan.state is LoanState.OVERDUE
        loan, _ = apply_event(loan, row.event)
        overdue = loan.state is LoanState.OVERDUE
        if overdue and loan.overdue_since is not None:
            if was_overdue and episodes:
                episodes[-1][0] = loan.overdue_since + ONE_DAY  # the bank re-dated the episode
            else:
                episodes.append([loan.overdue_since + ONE_DAY, None])
        elif was_overdue and episodes:
            episodes[-1][1] = row.value_date
        covered = loan.state in (LoanState.ACTIVE, LoanState.OVERDUE)
        steps.append((row.value_date, loan.outstanding_fen, covered))
    return loan, steps, episodes


def _segments(steps: list, episodes: list, first: dt.date, last: dt.date) -> tuple[Segment, ...]:
    cuts = {first, last + ONE_DAY} | {d for d, _, _ in steps} | {e for ep in episodes for e in ep if e}
    cuts = sorted(c for c in cuts if first <= c <= last + ONE_DAY)
    segments: list[Segment] = []
    for start, stop in zip(cuts, cuts[1:], strict=False):
        known = [(principal, covered) for day, principal, covered in steps if day <= start]
        if not known or not known[-1][1] or known[-1][0] <= 0:
            continue
        principal = known[-1][0]
        overdue = any(begin <= start and (end is None or start < end) for begin, end in episodes)
        piece = Segment(start, stop - ONE_DAY, principal, not overdue)
        previous = segments[-1] if segments else None
        if (
            previous
            and (previous.principal_fen, previous.current) == (principal, not overdue)
            and (previous.last_day + ONE_DAY == start)
        ):
            piece = Segment(previous.first_day, piece.last_day, principal, piece.current)
            segments.pop()
        segments.append(piece)
    return tuple(segments)


def loan_periods(
    uow: UnitOfWork,
    first_day: dt.date,
    last_day: dt.date,
    known_at: dt.datetime | None = None,
    fund_ids: list[str] | None = None,
) -> list[LoanPeriod]:
    """Every loan with principal outstanding on some day of ``first_day``..``last_day``, as known at ``known_at``."""
    events = recorded_events(uow, fund_ids, loans_only=True, last_day=last_day, known_at=known_at)
    periods = []
    for (fund_id, loan_id), group in groupby(events, key=lambda r: (r.fund_id, r.loan_id)):
        rows = _standing(list(group))
        if not rows:
            continue
        loan, steps, episodes = _timeline(fund_id, loan_id, rows)
        segments = _segments(steps, episodes, first_day, last_day)
        if segments:
            periods.append(LoanPeriod(**loan.facts(), segments=segments))
    return periods
