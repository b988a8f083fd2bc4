"""The one clock of the engine: :func:`utc_now` (timezone-aware UTC) and the :data:`Clock` type of injected clocks.

Services that stamp a time take a ``clock`` argument defaulting to :func:`utc_now`, so tests freeze or move time by
passing their own function; nothing else in the engine reads the system time for a recording time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """Now, in UTC, with its time zone."""
    return dt.datetime.now(dt.UTC)
