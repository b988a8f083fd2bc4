"""Charts for the web page as inline SVG, drawn here: no script, no font or library fetched, works offline.

:func:`bars` draws one horizontal bar per county with optional markers (the floor and the cap of each county) and
an optional threshold line (the 3% NPL suspension threshold); :func:`lines` draws month-end series with dashed
reference lines (floor, cap, threshold). Every label is escaped (a stored control character shows as U+FFFD);
colours follow the status palette of the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as _html_escape

from credit_engine.cell_text import xml_text

STATUS_COLOURS = {
    "ok": "#38a169",
    "below_floor": "#dd8a1f",
    "at_cap": "#3b6fd8",
    "over_cap": "#805ad5",
    "suspended": "#d64545",
    "needs_action": "#d69e2e",
}
LINE_COLOURS = ("#3b6fd8", "#d64545", "#38a169", "#805ad5")
ROW = 18
LEFT = 170
WIDTH = 760


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    status: str = "ok"
    markers: dict[str, float] = field(default_factory=dict)  # name -> value (e.g. floor, cap)
    text: str = ""


def escape(text: str) -> str:
    """Text for an SVG element or attribute: HTML-escaped, and a character XML forbids shown as U+FFFD."""
    return _html_escape(xml_text(str(text)))


def _x(value: float, top: float, span: float) -> float:
    return LEFT + span * (value / top if top > 0 else 0)


def bars(title: str, items: list[Bar], unit: str = "", threshold: tuple[str, float] | None = None) -> str:
    """Horizontal bars, one per item, with markers and a threshold line."""
    span = WIDTH - LEFT - 90
    top = max(
        [b.value for b in items] + [m for b in items for m in b.markers.values()] + [threshold[1] if threshold else 0]
    )
    top = top * 1.05 or 1.0
    height = 40 + ROW * len(items) + 24
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<text x="4" y="16" class="title">{escape(title)}</text>')
    for index, bar in enumerate(items):
        y = 32 + index * ROW
        colour = STATUS_COLOURS.get(bar.status, "#718096")
        parts.append(f'<text x="{LEFT - 6}" y="{y + 12}" text-anchor="end">{escape(bar.label)}</text>')
        width = max(_x(bar.value, top, span) - LEFT, 0)
        parts.append(f'<rect x="{LEFT}" y="{y + 2}" width="{width:.1f}" height="{ROW - 5}" fill="{colour}"/>')
        for name, value in bar.markers.items():
            x = _x(value, top, span)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + ROW - 1}" class="marker {escape(name)}"/>')
        label = bar.text or f"{bar.value:.2f}{unit}"
        parts.append(f'<text x="{LEFT + width + 4:.1f}" y="{y + 12}">{escape(label)}</text>')
    if threshold:
        x = _x(threshold[1], top, span)
        bottom = 32 + ROW * len(items)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="26" y2="{bottom}" class="threshold"/>')
        parts.append(f'<text x="{x + 3:.1f}" y="{bottom + 14}" class="note">{escape(threshold[0])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def lines(
    title: str,
    labels: list[str],
    series: dict[str, list[float | None]],
    references: dict[str, float] | None = None,
    unit: str = "",
) -> str:
    """Month-end lines (one per series) with dashed horizontal references."""
    references = references or {}
    height, bottom, span = 260, 220, WIDTH - 70 - 30
    values = [v for vs in series.values() for v in vs if v is not None] + list(references.values())
    top = (max(values) if values else 1.0) * 1.1 or 1.0
    step = span / max(len(labels) - 1, 1)

    def point(i: int, v: float) -> str:
        return f"{70 + i * step:.1f},{bottom - (bottom - 30) * v / top:.1f}"

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<text x="4" y="16" class="title">{escape(title)}</text>')
    parts.append(f'<line x1="70" x2="{70 + span}" y1="{bottom}" y2="{bottom}" class="axis"/>')
    for fraction in (0, 0.5, 1):
        y = bottom - (bottom - 30) * fraction
        parts.append(f'<text x="64" y="{y + 4:.1f}" text-anchor="end">{top * fraction:.2f}{escape(unit)}</text>')
    for i, label in enumerate(labels):
        if i % max(len(labels) // 8, 1) == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{70 + i * step:.1f}" y="{bottom + 16}" text-anchor="middle">{escape(label)}</text>')
    for name, value in references.items():
        y = bottom - (bottom - 30) * value / top
        parts.append(f'<line x1="70" x2="{70 + span}" y1="{y:.1f}" y2="{y:.1f}" class="threshold"/>')
        parts.append(f'<text x="74" y="{y - 3:.1f}" class="note">{escape(name)}</text>')
    for (name, values), colour in zip(series.items(), LINE_COLOURS, strict=False):
        path = " ".join(point(i, v) for i, v in enumerate(values) if v is not None)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.append(
            f'<text x="{80 + list(series).index(name) * 180}" y="{bottom + 34}" fill="{colour}">■ {escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
