"""The fund page's charts as inline SVG, drawn in Python by :mod:`credit_engine.reports.charts` (no script, no CDN:
they work on an intranet and offline), each with an SVG ``<title>`` and ``<desc>`` for screen readers: the month-end
multiple against the floor and the cap, and the NPL ratio with PAR30 and PAR90 against the suspension threshold."""

from __future__ import annotations

from credit_engine.ledger.domain import PolicyTerms
from credit_engine.ledger.money import BPS
from credit_engine.reports import charts
from credit_engine.workspace.trend import TrendPoint


def _described(svg: str, title: str, desc: str) -> str:
    """The chart with ``<title>`` and ``<desc>`` as its first children (what assistive technology reads)."""
    head, rest = svg.split(">", 1)
    return f"{head}><title>{charts.escape(title)}</title><desc>{charts.escape(desc)}</desc>{rest}"


def multiple_chart(trend: list[TrendPoint], terms: PolicyTerms) -> str:
    title = "月末放大倍数 Month-end multiple"
    references = {f"下限 floor {terms.floor_multiple_bps / BPS:g}×": terms.floor_multiple_bps / BPS}
    if terms.cap_multiple_bps is not None:
        references[f"上限 cap {terms.cap_multiple_bps / BPS:g}×"] = terms.cap_multiple_bps / BPS
    labels = [p.on.isoformat()[:7] for p in trend]
    svg = charts.lines(title, labels, {"放大倍数 multiple": [p.multiple for p in trend]}, references, "×")
    last = trend[-1].multiple if trend else None
    desc = (
        f"{len(trend)} month-ends; latest multiple {'none' if last is None else f'{last:.2f}'}; "
        f"floor {terms.floor_multiple_bps / BPS:g}, cap "
        f"{'none' if terms.cap_multiple_bps is None else f'{terms.cap_multiple_bps / BPS:g}'}"
    )
    return _described(svg, title, desc)


def quality_chart(trend: list[TrendPoint], terms: PolicyTerms) -> str:
    title = "月末资产质量 Month-end NPL, PAR30 and PAR90"
    threshold = terms.npl_suspension_bps / 100
    series = {
        "PAR30 %": [p.par30 * 100 for p in trend],
        "PAR90 = 不良率 NPL %": [p.par90 * 100 for p in trend],
    }
    labels = [p.on.isoformat()[:7] for p in trend]
    svg = charts.lines(title, labels, series, {f"暂停阈值 suspension {threshold:g}%": threshold}, "%")
    last = trend[-1] if trend else None
    desc = f"{len(trend)} month-ends; suspension threshold {threshold:g}%" + (
        f"; latest PAR30 {last.par30:.2%}, PAR90 {last.par90:.2%}" if last else ""
    )
    return _described(svg, title, desc)
