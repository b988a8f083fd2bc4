"""Exact money and ratios: yuan text to integer fen, basis points, and the one rounding rule of the ledger.

Requests, files and the command line speak yuan with at most two decimals (``1234.5``, a JSON number or plain
decimal text: no exponent, sign, separator or full-width digit); a third decimal is an error, never rounded, and no
amount exceeds :data:`MAX_AMOUNT_FEN`. Inside the ledger every amount is an ``int`` of fen. Shares and multiples
are basis points (``fund_share_bps`` 7000 = 70 %, ``cap_multiple_bps`` 100000 = 10×); a share of an amount is
rounded half up to the fen (:func:`share_of`), the only rounding the ledger does.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

BPS = 10_000


MAX_AMOUNT_FEN = 10_000_000_000 * 100
"""The largest amount any single event may carry: 10,000,000,000 yuan (a loan is bounded by its product's limit)."""

_PLAIN_YUAN = re.compile(r"[0-9]{1,16}(\.[0-9]{1,2})?")


class AmountError(ValueError):
    """A yuan amount that breaks a rule: ``rule`` is ``yuan_format``, ``yuan_decimals`` or ``yuan_range``."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


_FORMAT = "must be a number or plain decimal text such as 123 or 123.45 / 须为数字或普通小数，如 123 或 123.45"


def _decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AmountError("yuan_format", _FORMAT)
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN_YUAN.fullmatch(text) and not re.fullmatch(r"[0-9]{1,16}\.[0-9]{3,40}", text):
            raise AmountError("yuan_format", _FORMAT)
        return Decimal(text)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise AmountError("yuan_format", _FORMAT)
    return number


def yuan_to_fen(value: str | int | float | Decimal, *, max_fen: int = MAX_AMOUNT_FEN) -> int:
    """The one money parser: yuan with at most 2 decimals, 0 to ``max_fen``, as integer fen.

    Accepted: an ``int``, a finite ``float`` or ``Decimal`` (a JSON number), or plain decimal text ``123`` /
    ``123.45`` (ASCII digits, no sign, no exponent, no separators, no leading or trailing point). Anything else, a
    third decimal (never rounded) or an amount above ``max_fen`` raises :class:`AmountError` naming the rule.
    """
    number = _decimal(value)
    fen = number * 100
    if fen != fen.to_integral_value():
        raise AmountError("yuan_decimals", "must be yuan with at most 2 decimals / 须为元，最多两位小数")
    if not 0 <= fen <= max_fen:
        top = fen_to_yuan(max_fen).removesuffix(".00")
        raise AmountError("yuan_range", f"must be from 0 to {top} yuan / 须在 0 至 {top} 元之间")
    return int(fen)


def fen_to_yuan(amount_fen: int) -> str:
    """Fen as a yuan string with exactly two decimals (no float on the way)."""
    sign = "-" if amount_fen < 0 else ""
    whole, cents = divmod(abs(amount_fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def ratio_to_bps(text: str | float | Decimal, *, max_decimals: int = 4) -> int:
    """A ratio or multiple ("0.7", "10", "10.5") as basis points; refuses finer than 1 bp."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    bps = value * BPS
    if not value.is_finite() or bps != bps.to_integral_value():
        raise ValueError(f"more than {max_decimals} decimals: {text!r}")
    return int(bps)


def share_of(amount_fen: int, share_bps: int) -> int:
    """``amount × share`` rounded half up to the fen (amounts are non-negative in every caller)."""
    return (amount_fen * share_bps + BPS // 2) // BPS


def multiple_of(balance_fen: int, multiple_bps: int) -> int:
    """``balance × multiple`` in fen, rounded down (a cap never grows by rounding)."""
    return balance_fen * multiple_bps // BPS


def interest_fen(rated_principal_days: int, day_count: int) -> int:
    """Interest on Σ principal (fen) × days × rate (bps) at a ``day_count``-day year, rounded half up to the fen."""
    denominator = BPS * day_count
    return (rated_principal_days + denominator // 2) // denominator
