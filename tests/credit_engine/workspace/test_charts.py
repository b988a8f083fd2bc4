"""The fund page's charts: SVG drawn in Python with a title and a description for screen readers, the floor and the
cap as reference lines, PAR30 and PAR90 against the suspension threshold; and how figures are written."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from credit_engine.ledger.domain import default_terms
from credit_engine.workspace.charts import multiple_chart, quality_chart
from credit_engine.workspace.figures import multiple, percent, yuan
from credit_engine.workspace.trend import TrendPoint

SVG = "{http://www.w3.org/2000/svg}"
TREND = [
    TrendPoint(dt.date(2025, 1, 31), 100_000_000, 0, 0, 0),
    TrendPoint(dt.date(2025, 2, 28), 100_000_000, 400_000_000, 0, 100_000_000),
    TrendPoint(dt.date(2025, 3, 31), 100_000_000, 900_000_000, 45_000_000, 90_000_000),
]


def _parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_the_multiple_chart_is_described_and_draws_floor_and_cap():
    root = _parsed(multiple_chart(TREND, default_terms()))
    assert root.get("role") == "img"
    assert [child.tag for child in root[:2]] == [f"{SVG}title", f"{SVG}desc"]
    assert root[0].text == "月末放大倍数 Month-end multiple"
    assert root[1].text == "3 month-ends; latest multiple 9.00; floor 8, cap 10"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "下限 floor 8×" in texts and "上限 cap 10×" in texts
    line = root.find(f"{SVG}polyline").get("points").split()
    assert len(line) == 3  # a point per month-end


def test_the_quality_chart_draws_par30_and_par90_against_the_threshold():
    root = _parsed(quality_chart(TREND, default_terms()))
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert "暂停阈值 suspension 3%" in [t.text for t in root.iter(f"{SVG}text")]
    assert root[1].text == "3 month-ends; suspension threshold 3%; latest PAR30 10.00%, PAR90 5.00%"


def test_a_fund_without_a_cap_or_a_multiple_still_has_its_chart():
    root = _parsed(
        multiple_chart([TrendPoint(dt.date(2025, 1, 31), 0, 0, 0, 0)], default_terms().replace(cap_multiple_bps=None))
    )
    assert root[1].text == "1 month-ends; latest multiple none; floor 8, cap none"


def test_figures_are_written_from_fen_without_floats():
    assert yuan(123_456_789_01) == "123,456,789.01" and yuan(-5) == "-0.05" and yuan(None) == "—"
    assert multiple(8.004) == "8.00×" and multiple(None) == "—"
    assert percent(0.0563) == "5.63%" and percent(None) == "—"
