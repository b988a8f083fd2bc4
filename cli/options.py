"""Option values of the commands parsed once: dates, timestamps and numbers, with the option named in the error.

A bad value is an ``InvalidInput`` naming the option (exit 2 through :func:`cli.common.guarded`). A timestamp
without a time zone is China time (UTC+8), as in the API's reports (``credit_engine.desk.reports``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
KNOWN_AT_HELP = "Read the ledger and audit log as known at this moment (default: end of the as-of day) / 截至记录时刻."


def _invalid(option: str, rule: str, message: str, text: object):  # noqa: ANN202 - an InvalidInput
    from credit_engine.errors import InvalidInput, RowError

    return InvalidInput([RowError(None, option, rule, message, None if text is None else str(text))])


def day(option: str, text: str) -> dt.date:
    """``YYYY-MM-DD``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _invalid(option, "date", "YYYY-MM-DD", text) from None


def day_or_today(option: str, text: str | None) -> dt.date:
    """``YYYY-MM-DD``, or today in China when not given."""
    from credit_engine.ledger.domain import CHINA

    return dt.datetime.now(CHINA).date() if text is None else day(option, text)


def moment(option: str, text: str | None) -> dt.datetime | None:
    """An ISO timestamp (China time without a zone), or None when not given."""
    from credit_engine.desk.reports import known_at_in_china

    if text is None:
        return None
    try:
        found = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _invalid(option, "timestamp", "ISO timestamp, e.g. 2026-01-05T09:00:00+08:00", text) from None
    return known_at_in_china(found)


def converted(option: str, text: str, convert: Callable[[str], T]) -> T:
    """``convert(text)``; its ``ValueError`` becomes the option's error (rule: the option's name)."""
    try:
        return convert(text)
    except ValueError as error:
        raise _invalid(option, option.lstrip("-").replace("-", "_"), str(error), text) from None


FAMILY_HELP = "Only this model family, repeatable (forest: only when named) / 仅训练此模型族（可重复）."


def families(names: list[str] | None) -> dict:
    """``{"families": ...}`` of the ``--family`` options (every one checked), or nothing: the job's default families."""
    from credit_engine.errors import InvalidInput, RowError
    from models import FAMILIES
    from training.families import BASELINE

    if not names:
        return {}
    known = [name for name in FAMILIES if name != BASELINE]
    unknown = [name for name in names if name not in known]
    if unknown:
        message = f"one of {' | '.join(known)} / 模型族"
        raise InvalidInput([RowError(None, "--family", "family", message, name) for name in unknown])
    return {"families": tuple(dict.fromkeys(names))}
