"""Exact money and ratios: yuan text to integer fen, basis points, and the one rounding rule of the ledger.

Files and the command line speak yuan with at most two decimals ("1234.5", "1,234.50"); a third decimal is an
error, never rounded. Inside the ledger every amount is an ``int`` of fen. Shares and multiples are basis points
(``fund_share_bps`` 7000 = 70 %, ``cap_multiple_bps`` 100000 = 10×); a share of an amount is rounded half up to the
fen (:func:`share_of`), the only rounding the ledger does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

BPS = 10_000


def yuan_to_fen(text: str | int | float | Decimal) -> int:
    """Parse a yuan amount with at most 2 decimals into fen; raises ``ValueError`` naming the rule broken."""
    raw = str(text).strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {text!r}")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"more than 2 decimals: {text!r}")
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
