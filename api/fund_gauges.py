"""The funds a key may see as Prometheus gauges: leverage against floor and cap, headroom, NPL, status.

``/metrics`` (no key) says how the service runs; a fund's figures are the county's business, so they are served
apart, by :func:`exposition`, on ``GET /v1/metrics/funds`` with a key that may read funds, and only for the funds in
the key's scope — a fund administrator's Prometheus sees its own counties. Prometheus scrapes it with a bearer
token (``authorization: {credentials: ce_…}`` in the scrape config). Every gauge is labelled with ``fund_id``,
``county_code`` and ``bank``; money in yuan, multiples as numbers (8.0 = 8×), ratios as fractions. The status is the
usual enum-as-gauges: one series per status, 1 for the fund's current one. A figure that does not exist (the
multiple of an empty fund, the headroom of a fund without a cap) is left out rather than written as 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from credit_engine.ledger.money import BPS
from credit_engine.ledger.position import FundPosition
from credit_engine.reports.leverage import STATUSES

LABELS = ("fund_id", "county_code", "bank")
Figure = Callable[[FundPosition], float | None]


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _bps(value: int | None) -> float | None:
    return None if value is None else value / BPS


GAUGES: tuple[tuple[str, str, Figure], ...] = (
    ("balance_yuan", "Fund balance (yuan). 基金余额（元）", lambda p: _yuan(p.fund_balance_fen)),
    ("covered_principal_yuan", "Covered principal (yuan). 在保贷款余额（元）",
     lambda p: _yuan(p.covered_principal_fen)),
    ("multiple", "Leverage: covered principal / fund balance. 放大倍数", lambda p: p.multiple),
    ("floor_multiple", "The floor multiple of the fund's policy. 最低放大倍数",
     lambda p: _bps(p.terms.floor_multiple_bps)),
    ("cap_multiple", "The cap multiple of the fund's policy. 放大倍数上限", lambda p: _bps(p.terms.cap_multiple_bps)),
    ("floor_shortfall_yuan", "Lending still needed to reach the floor (yuan). 距下限差额（元）",
     lambda p: _yuan(p.floor_shortfall_fen)),
    ("headroom_yuan", "What may still be lent under the cap (yuan). 距上限余量（元）", lambda p: _yuan(p.headroom_fen)),
    ("npl_ratio", "Principal 90+ days past due / covered principal. 不良率", lambda p: p.npl_ratio),
    ("npl_suspension_ratio", "The NPL ratio above which lending stops. 暂停放款不良率",
     lambda p: _bps(p.terms.npl_suspension_bps)),
)  # fmt: skip


class FundCollector(Collector):
    """The gauges of ``positions`` (read once, when the registry is collected)."""

    def __init__(self, positions: Sequence[FundPosition]) -> None:
        self.positions = positions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, documentation, figure in GAUGES:
            family = GaugeMetricFamily(f"credit_engine_fund_{name}", documentation, labels=LABELS)
            for position in self.positions:
                value = figure(position)
                if value is not None:
                    family.add_metric(_labels(position), float(value))
            yield family
        documentation = "1 for the fund's status, 0 for the others. 基金状态"
        status = GaugeMetricFamily("credit_engine_fund_status", documentation, labels=(*LABELS, "status"))
        for position in self.positions:
            for name in STATUSES:
                status.add_metric([*_labels(position), name], 1.0 if position.status == name else 0.0)
        yield status


def _labels(position: FundPosition) -> list[str]:
    return [position.fund_id, position.county_code, position.bank_code]


def exposition(positions: Iterable[FundPosition]) -> tuple[bytes, str]:
    """The Prometheus text exposition of the funds' gauges, and its media type."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(FundCollector(list(positions)))
    return generate_latest(registry), CONTENT_TYPE_LATEST
