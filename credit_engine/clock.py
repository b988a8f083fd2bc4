"""The engine's clock: the moment now, in UTC, for every service that records when something happened.

Services take a ``clock`` (a :data:`Clock`, :func:`utc_now` by default) instead of reading the time themselves, so
a test can set the time and a replay can reproduce it. Dates a bank would recognise (the ledger's day, China time)
are derived from this moment where they are needed, never read from the machine's local zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now, as an aware datetime in UTC."""
    return dt.datetime.now(dt.UTC)
