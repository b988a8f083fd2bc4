"""Leverage (放大倍数) and household share (富民贷占比) per fund, and their roll-ups per county and per province.

A :class:`LeverageLine` is one fund's position as the fund administrator reads it: balance, covered principal by
product, the multiple against the floor and the cap, the floor shortfall (how much more the bank must lend to
reach the floor) and the cap headroom — or, for a fund a clawback left over its cap, the excess (status
``over_cap``, 超上限) — the NPL ratio and the status. A :class:`Rollup` sums the funds of a county
or a province. Its multiple is the multiple of the sums; its floor is the balance-weighted floor of its funds
(Σ floor × balance ÷ Σ balance) and its cap the balance-weighted cap of its capped funds; its floor shortfall and
cap headroom are the sums of the funds' own (a fund above its floor never offsets one below it: they are different
banks' obligations), uncapped funds adding no headroom and counted apart. Its status follows :func:`area_status`.
A :class:`HouseholdLine` compares the household share of covered lending with the fund's minimum and says how much
more 富民贷 lending would reach it at today's enterprise lending. Covered principal is shown per product, one
``covered_<code>_fen`` key per configured product (:mod:`credit_engine.ledger.products`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from credit_engine.ledger.money import BPS
from credit_engine.ledger.position import FundPosition
from credit_engine.regions import PROVINCES, county_by_code
from credit_engine.reports.products import COVERED_KEY, per_product, summed_by_product

STATUSES = ("ok", "below_floor", "at_cap", "over_cap", "suspended")  # a fund's, least to most severe
NEEDS_ACTION = "needs_action"  # a county's or province's whose funds differ in status
STATUS_LABELS = {
    "ok": "正常 ok",
    "below_floor": "低于下限 below floor",
    "at_cap": "已达上限 at cap",
    "over_cap": "超上限 over cap",
    "suspended": "暂停放款 suspended",
    NEEDS_ACTION: "需处理 needs action",
}
SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}
BANKS = {"SXRCU": "山西省农村信用社", "PSBC": "中国邮政储蓄银行", "RCC": "农村信用社"}


def county_name(code: str) -> str:
    try:
        return county_by_code(code).name_zh
    except KeyError:
        return ""


def prefecture(code: str) -> str:
    try:
        return county_by_code(code).prefecture_zh
    except KeyError:
        return ""


def province_name(code: str) -> str:
    return PROVINCES.get(code[:2], code[:2])


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _multiple(bps: int | None) -> float | None:
    return None if bps is None else bps / BPS


@dataclass(frozen=True, slots=True)
class LeverageLine:
    """One fund: the JSON leverage report's row (its first twelve keys are the contract's)."""

    fund_id: str
    county_code: str
    bank: str
    fund_balance_fen: int
    covered_principal_fen: int
    multiple: float | None
    floor_multiple: float
    cap_multiple: float | None
    floor_shortfall_fen: int
    headroom_fen: int | None
    npl_ratio: float
    status: str
    county_name: str
    prefecture: str
    bank_name: str
    covered_by_product_fen: dict[str, int]  # JSON: ``covered_<code>_fen`` per product
    npl_fen: int
    household_share: float | None
    policy_effective_from: str
    over_cap_fen: int = 0  # covered principal above cap × balance (status ``over_cap``)
    insured_principal_fen: int = 0  # covered principal of the products the fund's insurance cover takes
    insurer_paid_fen: int = 0  # the insurer's payments on claims (保证保险)

    def as_dict(self) -> dict[str, object]:
        return per_product(asdict(self), "covered_by_product_fen", COVERED_KEY)


def leverage_line(position: FundPosition, insured_fen: int = 0) -> LeverageLine:
    terms = position.terms
    return LeverageLine(
        fund_id=position.fund_id,
        county_code=position.county_code,
        bank=position.bank_code,
        fund_balance_fen=position.fund_balance_fen,
        covered_principal_fen=position.covered_principal_fen,
        multiple=_ratio(position.multiple),
        floor_multiple=terms.floor_multiple_bps / BPS,
        cap_multiple=_multiple(terms.cap_multiple_bps),
        floor_shortfall_fen=position.floor_shortfall_fen,
        headroom_fen=position.headroom_fen,
        npl_ratio=_ratio(position.npl_ratio) or 0.0,
        status=position.status,
        county_name=county_name(position.county_code),
        prefecture=prefecture(position.county_code),
        bank_name=BANKS.get(position.bank_code, ""),
        covered_by_product_fen=dict(position.covered_by_product_fen),
        npl_fen=position.npl_fen,
        household_share=_ratio(position.household_share),
        policy_effective_from=position.policy_effective_from.isoformat(),
        over_cap_fen=position.over_cap_fen,
        insured_principal_fen=insured_fen,
        insurer_paid_fen=position.insurer_paid_fen,
    )


def area_status(statuses: Iterable[str]) -> tuple[str, str, dict[str, int]]:
    """The status of a county or a province from its funds' statuses: ``(status, worst_status, status_counts)``.

    ``status`` is the funds' own status when they all share it (a county whose only fund is suspended is
    ``suspended``, one whose funds are all fine is ``ok``), and ``needs_action`` (需处理) when they differ: two
    suspended funds out of 58 do not make a province "suspended", they make it need action. ``worst_status`` is the
    most severe status of any of its funds (what to look at first) and ``status_counts`` how many funds are in each
    status, every status listed from the least to the most severe.
    """
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    present = [status for status, n in counts.items() if n]
    worst = max(present, key=lambda s: SEVERITY.get(s, len(SEVERITY)), default="ok")
    return (present[0] if len(present) == 1 else NEEDS_ACTION if present else "ok"), worst, counts


def status_summary(counts: dict[str, int]) -> str:
    """Funds by status, the most severe first: ``暂停放款 suspended 2/58; 正常 ok 56/58``."""
    total = sum(counts.values())
    present = sorted((s for s, n in counts.items() if n), key=lambda s: -SEVERITY.get(s, len(SEVERITY)))
    return "; ".join(f"{STATUS_LABELS.get(s, s)} {counts[s]}/{total}" for s in present)


def weighted_multiple(pairs: Iterable[tuple[int, int]]) -> float | None:
    """Σ (multiple in bps × balance) ÷ Σ balance, as a multiple (None when the balances sum to nothing)."""
    pairs = list(pairs)
    balance = sum(fen for _, fen in pairs)
    return _ratio(sum(bps * fen for bps, fen in pairs) / (balance * BPS)) if balance > 0 else None


@dataclass(frozen=True, slots=True)
class Rollup:
    """The funds of one county (``level`` "county") or province (``level`` "province"), summed.

    ``floor_multiple`` is the balance-weighted floor of all its funds and ``floor_required_fen`` the sum of their
    floors in fen; ``cap_multiple`` the balance-weighted cap of its capped funds and ``headroom_fen`` the sum of
    their headrooms (both None when no fund is capped); ``uncapped_funds`` counts the funds without a cap.
    """

    level: str
    code: str
    name: str
    funds: int
    fund_balance_fen: int
    covered_principal_fen: int
    covered_by_product_fen: dict[str, int]  # JSON: ``covered_<code>_fen`` per product
    floor_multiple: float | None
    floor_required_fen: int
    floor_shortfall_fen: int
    cap_multiple: float | None
    headroom_fen: int | None
    uncapped_funds: int
    npl_fen: int
    status: str
    worst_status: str
    status_counts: dict[str, int] = field(default_factory=dict)
    household_fen: int = 0  # covered principal of the household products (not an output column)

    @property
    def multiple(self) -> float | None:
        return _ratio(self.covered_principal_fen / self.fund_balance_fen) if self.fund_balance_fen > 0 else None

    @property
    def npl_ratio(self) -> float:
        return _ratio(self.npl_fen / self.covered_principal_fen) or 0.0 if self.covered_principal_fen else 0.0

    @property
    def household_share(self) -> float | None:
        covered = self.covered_principal_fen
        return _ratio(self.household_fen / covered) if covered else None

    @property
    def status_summary(self) -> str:
        return status_summary(self.status_counts)

    def as_dict(self) -> dict[str, object]:
        values = asdict(self)
        del values["household_fen"]
        values = per_product(values, "covered_by_product_fen", COVERED_KEY)
        for name in ("multiple", "npl_ratio", "household_share", "status_summary"):
            values[name] = getattr(self, name)
        return values


def _floor_fen(position: FundPosition) -> int:
    """The fund's floor in fen (its balance × its floor multiple, rounded up as its shortfall is)."""
    return -(-position.fund_balance_fen * position.terms.floor_multiple_bps // BPS)


def _rollup(level: str, code: str, name: str, positions: list[FundPosition]) -> Rollup:
    capped = [p for p in positions if p.terms.cap_multiple_bps is not None]
    status, worst, counts = area_status(p.status for p in positions)
    return Rollup(
        level=level,
        code=code,
        name=name,
        funds=len(positions),
        fund_balance_fen=sum(p.fund_balance_fen for p in positions),
        covered_principal_fen=sum(p.covered_principal_fen for p in positions),
        covered_by_product_fen=summed_by_product(positions),
        floor_multiple=weighted_multiple((p.terms.floor_multiple_bps, p.fund_balance_fen) for p in positions),
        floor_required_fen=sum(_floor_fen(p) for p in positions),
        floor_shortfall_fen=sum(p.floor_shortfall_fen for p in positions),
        cap_multiple=weighted_multiple((p.terms.cap_multiple_bps or 0, p.fund_balance_fen) for p in capped),
        headroom_fen=sum(p.headroom_fen or 0 for p in capped) if capped else None,
        uncapped_funds=len(positions) - len(capped),
        npl_fen=sum(p.npl_fen for p in positions),
        status=status,
        worst_status=worst,
        status_counts=counts,
        household_fen=sum(p.household_fen for p in positions),
    )


def _grouped(positions: Iterable[FundPosition], key: Callable[[FundPosition], str]) -> dict[str, list]:
    groups: dict[str, list[FundPosition]] = {}
    for position in positions:
        groups.setdefault(key(position), []).append(position)
    return dict(sorted(groups.items()))


def rollup_of(positions: list[FundPosition]) -> Rollup:
    """All ``positions`` as one roll-up (level "all"): the figures of everything reported."""
    return _rollup("all", "", "全部 all", positions)


def county_rollups(positions: list[FundPosition]) -> list[Rollup]:
    groups = _grouped(positions, lambda p: p.county_code)
    return [_rollup("county", code, county_name(code), group) for code, group in groups.items()]


def province_rollups(positions: list[FundPosition]) -> list[Rollup]:
    groups = _grouped(positions, lambda p: p.county_code[:2])
    return [_rollup("province", code, province_name(code), group) for code, group in groups.items()]


@dataclass(frozen=True, slots=True)
class HouseholdLine:
    """Household share of covered lending (富民贷 ÷ all covered) against the fund's minimum (60% by default); the
    household products are those configured so (:attr:`.products.Product.household`)."""

    fund_id: str
    county_code: str
    county_name: str
    bank: str
    covered_by_product_fen: dict[str, int]  # JSON: ``covered_<code>_fen`` per product
    household_share: float | None
    household_min_share: float
    meets_minimum: bool
    household_gap_fen: int

    def as_dict(self) -> dict[str, object]:
        return per_product(asdict(self), "covered_by_product_fen", COVERED_KEY)


def household_line(position: FundPosition) -> HouseholdLine:
    household = position.household_fen
    other = position.covered_principal_fen - household
    minimum = position.terms.household_min_share_bps
    # household / (household + other) >= m  <=>  household >= m × other / (1 − m), rounded up to the fen
    needed = -(-minimum * other // (BPS - minimum)) if minimum < BPS else household
    return HouseholdLine(
        fund_id=position.fund_id,
        county_code=position.county_code,
        county_name=county_name(position.county_code),
        bank=position.bank_code,
        covered_by_product_fen=dict(position.covered_by_product_fen),
        household_share=_ratio(position.household_share),
        household_min_share=minimum / BPS,
        meets_minimum=household * BPS >= minimum * (household + other),
        household_gap_fen=max(needed - household, 0),
    )
