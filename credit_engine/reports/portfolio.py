"""Portfolio quality (资产质量) per fund and per county/province: overdue buckets, NPL, compensation, losses.

Buckets count days past due on the as-of date from the day the unpaid principal fell due: 1–30, 31–60, 61–89 and
90+ days (90 days is where a loan becomes non-performing and compensation may be claimed, so the dashboards'
"61–90" bucket stops at 89 here). Compensation is the fund's share: claimed, paid and pending. Recoveries are
principal recovered after compensation (and the fund's pro-rata part of it); write-offs are principal given up.
The loss rate is the principal lost — compensated and neither recovered nor still pending recovery, i.e.
compensated principal still open plus written off — over all principal lent that is still covered or was
compensated: ``(compensated_outstanding + written_off) / (covered + compensated_outstanding + recovered +
written_off)``; the fund's net cost is compensation claimed less recoveries returned to it.

The 带贫 linkage (:mod:`credit_engine.ledger.queries.linkage`) stands beside the quality figures: the 强农贷 loans
still covered on the as-of date, the registered poor households they drive, their covered principal and the
principal per household driven — the figure poverty offices report upward; an area sums its funds' loans,
households and principal and divides once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from credit_engine.ledger.position import FundPosition
from credit_engine.ledger.queries.linkage import Linkage
from credit_engine.reports.leverage import area_status, county_name, province_name, status_summary


@dataclass(frozen=True, slots=True)
class QualityFigures:
    """The summable amounts of portfolio quality (fen)."""

    covered_principal_fen: int = 0
    current_fen: int = 0
    overdue_1_30_fen: int = 0
    overdue_31_60_fen: int = 0
    overdue_61_89_fen: int = 0
    overdue_90_plus_fen: int = 0
    compensation_claimed_fen: int = 0
    compensation_paid_fen: int = 0
    compensation_pending_fen: int = 0
    compensated_outstanding_fen: int = 0
    recovered_fen: int = 0
    recovered_to_fund_fen: int = 0
    written_off_fen: int = 0
    insurer_claimed_fen: int = 0
    insurer_paid_fen: int = 0

    @property
    def overdue_fen(self) -> int:
        return self.overdue_1_30_fen + self.overdue_31_60_fen + self.overdue_61_89_fen + self.overdue_90_plus_fen

    @property
    def npl_ratio(self) -> float:
        covered = self.covered_principal_fen
        return round(self.overdue_90_plus_fen / covered, 6) if covered else 0.0

    @property
    def lost_fen(self) -> int:
        return self.compensated_outstanding_fen + self.written_off_fen

    @property
    def loss_rate(self) -> float:
        base = self.covered_principal_fen + self.compensated_outstanding_fen + self.recovered_fen + self.written_off_fen
        return round(self.lost_fen / base, 6) if base else 0.0

    @property
    def fund_net_cost_fen(self) -> int:
        return self.compensation_claimed_fen - self.recovered_to_fund_fen

    def plus(self, other: QualityFigures) -> QualityFigures:
        return QualityFigures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def derived(self) -> dict[str, object]:
        return {
            "overdue_fen": self.overdue_fen,
            "npl_ratio": self.npl_ratio,
            "loss_rate": self.loss_rate,
            "fund_net_cost_fen": self.fund_net_cost_fen,
        }


def figures(position: FundPosition) -> QualityFigures:
    """The position's amounts under the same names (its overdue buckets as ``overdue_<bucket>_fen``)."""
    amounts = {f"overdue_{bucket}_fen": fen for bucket, fen in position.overdue_fen.items()}
    names = (f.name for f in fields(QualityFigures))
    return QualityFigures(**{name: amounts[name] if name in amounts else getattr(position, name) for name in names})


@dataclass(frozen=True, slots=True)
class PortfolioLine:
    """One fund's portfolio quality (``level`` "fund"), or a county's / province's sum of its funds."""

    level: str
    code: str
    name: str
    county_code: str
    bank: str
    status: str
    figures: QualityFigures
    worst_status: str = ""
    status_counts: dict[str, int] | None = None
    linkage: Linkage = Linkage()

    def as_dict(self) -> dict[str, object]:
        head = {"fund_id" if self.level == "fund" else "code": self.code}
        head |= {"county_code": self.county_code, "county_name": self.name, "bank": self.bank}
        tail: dict[str, object] = {"status": self.status}
        if self.level != "fund":
            head = {"level": self.level, "code": self.code, "name": self.name}
            counts = self.status_counts or {}
            tail |= {
                "worst_status": self.worst_status,
                "status_counts": counts,
                "status_summary": status_summary(counts),
            }
        return head | asdict(self.figures) | self.figures.derived() | linkage_figures(self.linkage) | tail


def linkage_figures(linkage: Linkage) -> dict[str, object]:
    """The linkage columns of a line (amounts in fen; the per-household amount None without households)."""
    return {
        "qiangnong_loans": linkage.loans,
        "households_driven": linkage.households_driven,
        "linked_principal_fen": linkage.principal_fen,
        "principal_per_household_fen": linkage.principal_per_household_fen,
    }


def portfolio_line(position: FundPosition, linkage: Linkage | None = None) -> PortfolioLine:
    code, status = position.county_code, position.status
    line = PortfolioLine(
        "fund", position.fund_id, county_name(code), code, position.bank_code, status, figures(position)
    )
    return line if linkage is None else replace(line, linkage=linkage)


def _summed(
    level: str, code: str, name: str, positions: list[FundPosition], linked: dict[str, Linkage]
) -> PortfolioLine:
    total, linkage = QualityFigures(), Linkage()
    for position in positions:
        total = total.plus(figures(position))
        linkage = linkage.plus(linked.get(position.fund_id, Linkage()))
    status, worst, counts = area_status(p.status for p in positions)
    county = code if level == "county" else ""
    return PortfolioLine(level, code, name, county, "", status, total, worst, counts, linkage)


def portfolio_rollups(
    positions: list[FundPosition], level: str, linked: dict[str, Linkage] | None = None
) -> list[PortfolioLine]:
    """Per county (``level`` "county") or per province ("province"), with the funds' ``linked`` loans summed."""
    width = 6 if level == "county" else 2
    groups: dict[str, list[FundPosition]] = {}
    for position in positions:
        groups.setdefault(position.county_code[:width], []).append(position)
    name = county_name if level == "county" else province_name
    return [_summed(level, code, name(code), group, linked or {}) for code, group in sorted(groups.items())]
