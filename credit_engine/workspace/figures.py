"""How the workspace writes a figure for people: yuan with thousands separators (from integer fen, no float on the
way), multiples with one decimal and ×, ratios as percentages."""

from __future__ import annotations

from credit_engine.ledger.money import fen_to_yuan


def yuan(amount_fen: int | None) -> str:
    if amount_fen is None:
        return "—"
    whole, cents = fen_to_yuan(amount_fen).split(".")
    sign, digits = ("-", whole[1:]) if whole.startswith("-") else ("", whole)
    return f"{sign}{int(digits):,}.{cents}"


def multiple(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"
