"""A fund's insurance cover (保证保险): its terms, its versions by effective date, and the loss it takes.

A cover names the insurer and its kind: ``share`` — the insurer pays ``share_bps`` of every loss — or ``first_loss`` —
the insurer pays every loss until its layer is used up within a policy year (12 months from the version's
``effective_from``; the layer is fresh each year): ``layer_fen`` (yuan at the boundary), or ``layer_bps`` of the
insured principal on the first day of the policy year (the first X % of the insured principal). It also carries the
premium rate (per year, on the insured outstanding principal), the county's subsidy share of the premium, the products
it covers (none listed: every product) and, optionally, the last day it is in force (``effective_to``). Versions are
append-only like fund policies: the one in force on a date as known at a moment is the latest ``effective_from``, then
the latest record (:func:`cover_in_force`); a version of kind ``none`` ends the cover. Shares and rates are basis
points, money integer fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from credit_engine.errors import RowError
from credit_engine.identifiers import text_violation
from credit_engine.insurance.waterfall import BPS, split_one
from credit_engine.ledger.money import share_of

KINDS = ("share", "first_loss", "none")
KIND_ZH = {"share": "比例分担", "first_loss": "首损层", "none": "无保险"}


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverTerms:
    """What the insurer takes: ``share`` (``share_bps`` of each loss) or ``first_loss`` (up to ``layer_fen``, or
    ``layer_bps`` of the insured principal, a policy year); premium rate and the county's subsidy share of it in
    bps; the covered product codes."""

    insurer: str
    kind: str
    share_bps: int = 0
    layer_fen: int = 0
    layer_bps: int = 0
    premium_rate_bps: int = 0
    subsidy_share_bps: int = 0
    products: tuple[str, ...] = ()
    effective_to: dt.date | None = None

    def errors(self) -> list[RowError]:
        """Every term that breaks its rule (an empty list when the terms are valid)."""
        checks = {
            "insurer": (
                bool(self.insurer.strip()) and len(self.insurer) <= 128 and text_violation(self.insurer) is None,
                "1–128 characters, none of them control, bidirectional or zero-width / "
                "1–128 个字符，不得含控制字符、方向控制符或零宽字符",
            ),
            "kind": (self.kind in KINDS, f"one of / 可选: {', '.join(KINDS)}"),
            "share_bps": (_share_ok(self), "a share cover takes 0–100 % / 比例分担须在 0–100% 之间"),
            "layer_fen": (_layer_ok(self), "a first-loss layer: an amount or a share / 首损层须为金额或比例之一"),
            "premium_rate_bps": (0 <= self.premium_rate_bps <= BPS, "0–100 % a year / 年费率须在 0–100% 之间"),
            "subsidy_share_bps": (0 <= self.subsidy_share_bps <= BPS, "0–100 % / 补贴比例须在 0–100% 之间"),
        }
        return [
            RowError(None, name, "insurance_cover", message, str(getattr(self, name)))
            for name, (ok, message) in checks.items()
            if not ok
        ]

    def layer_of(self, insured_fen: int) -> int:
        """A first-loss layer in fen: the amount, or its share of ``insured_fen`` (the insured principal)."""
        return self.layer_fen or share_of(insured_fen, self.layer_bps)

    def covers(self, product: str) -> bool:
        return self.kind != "none" and (not self.products or product in self.products)

    def as_dict(self) -> dict[str, object]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["products"] = list(self.products)
        values["effective_to"] = None if self.effective_to is None else self.effective_to.isoformat()
        return values


def _share_ok(terms: CoverTerms) -> bool:
    if terms.kind == "share":
        return 0 < terms.share_bps <= BPS
    return terms.share_bps == 0


def _layer_ok(terms: CoverTerms) -> bool:
    if not (terms.layer_fen >= 0 and 0 <= terms.layer_bps <= BPS):
        return False
    if terms.kind == "first_loss":
        return (terms.layer_fen > 0) != (terms.layer_bps > 0)
    return terms.layer_fen == terms.layer_bps == 0


@dataclass(frozen=True, slots=True)
class InsuranceCover:
    """One version of a fund's cover: in force from ``effective_from``, known from ``recorded_at``."""

    fund_id: str
    effective_from: dt.date
    recorded_at: dt.datetime
    terms: CoverTerms

    def in_force_on(self, on: dt.date) -> bool:
        ends = self.terms.effective_to
        return self.terms.kind != "none" and self.effective_from <= on and (ends is None or on <= ends)

    def year_start(self, on: dt.date) -> dt.date:
        """The first day of the policy year that ``on`` falls in (years run from ``effective_from``)."""
        start = self.effective_from
        years = on.year - start.year - ((on.month, on.day) < (start.month, start.day))
        return _add_years(start, max(years, 0))

    def insurer_part(self, loss_fen: int, fund_share_bps: int, layer_used_fen: int, insured_fen: int = 0) -> int:
        """The insurer's part of one loss, given the layer already used this policy year and the insured principal
        on its first day (the waterfall)."""
        if self.terms.kind == "share":
            return split_one(loss_fen, fund_share_bps, self.terms.share_bps)[0]
        return split_one(loss_fen, fund_share_bps, BPS, self.terms.layer_of(insured_fen) - layer_used_fen)[0]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def cover_in_force(
    versions: list[InsuranceCover], on: dt.date, known_at: dt.datetime | None = None
) -> InsuranceCover | None:
    """The cover in force on ``on`` as known at ``known_at`` (None without one, or when it has ended)."""
    candidates = [v for v in versions if v.effective_from <= on and (known_at is None or v.recorded_at <= known_at)]
    latest = max(candidates, key=lambda v: (v.effective_from, v.recorded_at), default=None)
    return latest if latest is not None and latest.in_force_on(on) else None


def premium_subsidy_fen(amount_fen: int, subsidy_share_bps: int) -> int:
    """The county's part of a premium, rounded half up to the fen as every share is (the bank pays the rest)."""
    return share_of(amount_fen, subsidy_share_bps)
