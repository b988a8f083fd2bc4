"""The drought simulation's stability-by-county figure, from a monitor JSON document: a shocked county names the
drought features it flags, an unshocked one stays green; the bench's table lists both groups."""

from __future__ import annotations

from training.simulation_figures import county_stability, county_stability_lines


def _row(county: str, variable: str, value: float, status: str) -> dict:
    index = "PSI" if variable == "pd" else "CSI"
    return {"county": county, "variable": variable, "index": index, "rows": 400, "reference_rows": 4000,
            "value": value, "status": status}  # fmt: skip


MONITORING = {"sections": {"by_county": [
    _row("140121", "pd", 0.04, "green"), _row("140121", "income_per_capita", 0.61, "act"),
    _row("140121", "ecommerce_sales", 0.31, "act"), _row("140121", "debt_to_assets", 0.12, "watch"),
    _row("140122", "pd", 0.01, "green"), _row("140122", "ecommerce_sales", 0.05, "green"),
]}}  # fmt: skip


def test_a_shocked_county_names_its_flagged_drought_features_and_an_unshocked_one_stays_green():
    counties = county_stability(MONITORING, frozenset({"140121"}))
    shocked, other = counties["140121"], counties["140122"]
    assert shocked["group"] == "shocked" and shocked["status"] == "act" and shocked["pd_psi"] == 0.04
    assert shocked["drought_flagged"] == {"income_per_capita": 0.61, "debt_to_assets": 0.12}
    assert other == {"group": "unshocked", "pd_psi": 0.01, "drought_flagged": {}, "status": "green"}
    lines = county_stability_lines(counties)
    assert any("140121 | shocked" in line and "income_per_capita 0.610" in line for line in lines)
    assert any("140122 | unshocked" in line and "| none | green |" in line for line in lines)


def test_a_monitor_document_without_the_county_table_gives_no_lines():
    assert county_stability({"sections": {}}, frozenset()) == {}
    assert county_stability_lines({}) == []
