"""Stability by county (分县稳定性): a shock in one county of three moves its own CSI to act while the province-wide
CSI of the same rows stays below watch; the other counties stay green; an old profile without county shares still
monitors, with a note; a county with few assessments is shown, not judged."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from credit_engine.assessment.audit_record import AssessmentDetail, StoredAssessment
from credit_engine.contract import example_application
from credit_engine.features import household_spec
from credit_engine.monitoring.policy import load_monitoring_policy
from credit_engine.monitoring.profile import COUNTY_MIN_ROWS, ReferenceProfile, build_profile
from credit_engine.monitoring.rendering import render_page, write_workbook
from credit_engine.monitoring.service import MonitoringInputs, monitor
from credit_engine.monitoring.stability import county_rows, stability_rows

POLICY = load_monitoring_policy()
COUNTIES = ("140121", "140122", "140123")
SHOCKED = "140121"
REFERENCE = np.linspace(0.0, 100.0, 1000)  # every county's incomes at training


def _reference_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "county_code": np.repeat(COUNTIES, len(REFERENCE)),
        "income": np.tile(REFERENCE, len(COUNTIES)),
        "debt": np.tile(REFERENCE[::-1], len(COUNTIES)),
    })  # fmt: skip


def _profile() -> ReferenceProfile:
    frame = _reference_frame()
    return build_profile(frame[["income", "debt"]], frame["income"] / 1000, (), counties=frame["county_code"])


def _monitored(shock: float = 0.75, rows: int = 1000, counties=COUNTIES) -> pd.DataFrame:
    """``rows`` assessments per county spread like the reference; the shocked county's incomes times ``shock``."""
    parts = []
    for county in counties:
        income = np.linspace(0.0, 100.0, rows) * (shock if county == SHOCKED else 1.0)
        parts.append(pd.DataFrame({"county_code": county, "cohort": "2025-07", "pd": np.linspace(0, 0.1, rows),
                                   "f:income": income, "f:debt": np.linspace(100.0, 0.0, rows)}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _by_county(rows: list[dict]) -> dict[tuple[str, str], dict]:
    return {(r["county"], r["variable"]): r for r in rows}


def test_the_profile_keeps_each_countys_shares_on_the_profiles_own_bins_and_reads_back():
    profile = _profile()
    assert set(profile.by_county) == set(COUNTIES)
    county = profile.by_county[SHOCKED]
    assert county.rows == len(REFERENCE)
    assert len(county.pd) == len(profile.pd_bins.shares)
    assert set(county.features) == {"income", "debt"}
    assert len(county.features["income"]) == len(profile.features["income"].shares)
    assert sum(county.features["income"]) == pytest.approx(1.0)
    again = ReferenceProfile.from_dict(profile.as_dict())
    assert again == profile and again.by_county[SHOCKED] == county


def test_a_county_with_fewer_training_rows_than_the_floor_has_no_shares_of_its_own():
    frame = _reference_frame()
    small = pd.DataFrame({"county_code": ["140199"] * (COUNTY_MIN_ROWS - 1), "income": 1.0, "debt": 1.0})
    frame = pd.concat([frame, small], ignore_index=True)
    profile = build_profile(frame[["income", "debt"]], frame["income"] / 1000, (), counties=frame["county_code"])
    assert "140199" not in profile.by_county and SHOCKED in profile.by_county


def test_the_grouping_column_is_not_profiled_by_county_when_it_is_a_feature():
    frame = _reference_frame()
    profile = build_profile(frame, frame["income"] / 1000, ("county_code",), counties=frame["county_code"])
    assert "county_code" in profile.features
    assert set(profile.by_county[SHOCKED].features) == {"income", "debt"}


def test_a_shock_in_one_county_is_at_act_there_and_green_elsewhere_though_below_watch_province_wide():
    profile, frame = _profile(), _monitored()
    rows = _by_county(county_rows(frame, ["income", "debt"], profile, POLICY))
    assert rows[(SHOCKED, "income")]["status"] == "act"
    assert rows[(SHOCKED, "income")]["index"] == "CSI" and rows[(SHOCKED, "income")]["rows"] == 1000
    for county in COUNTIES[1:]:
        statuses = {r["status"] for (c, _), r in rows.items() if c == county}
        assert statuses == {"green"}, county
        assert (county, "pd") in rows  # the PD's PSI of every county is shown
    province = {r["variable"]: r for r in stability_rows(frame, ["income", "debt"], profile, POLICY)
                if r["cohort"] == "all"}  # fmt: skip
    assert province["income"]["value"] < POLICY.stability.watch  # the case the table exists for
    assert province["income"]["status"] == "green"


def test_a_green_county_shows_its_pd_and_the_feature_that_moved_most_only():
    rows = county_rows(_monitored(), ["income", "debt"], _profile(), POLICY)
    green = [r for r in rows if r["county"] == COUNTIES[1]]
    assert [r["variable"] for r in green][0] == "pd" and len(green) == 2


def test_a_county_with_fewer_assessments_than_min_rows_is_shown_not_judged():
    frame = pd.concat([_monitored(counties=COUNTIES[1:]), _monitored(0.3, POLICY.stability.min_rows - 1,
                                                                      counties=(SHOCKED,))])  # fmt: skip
    rows = _by_county(county_rows(frame, ["income", "debt"], _profile(), POLICY))
    shocked = [r for (c, _), r in rows.items() if c == SHOCKED]
    assert shocked and {r["status"] for r in shocked} == {"not_judged"}
    assert rows[(SHOCKED, "income")]["value"] >= POLICY.stability.act  # the figure is shown
    assert rows[(SHOCKED, "pd")]["rows"] == POLICY.stability.min_rows - 1


def test_an_old_profile_without_county_shares_reads_and_gives_no_county_rows():
    raw = _profile().as_dict()
    del raw["by_county"]
    old = ReferenceProfile.from_dict(raw)
    assert old.by_county is None
    assert county_rows(_monitored(), ["income", "debt"], old, POLICY) == []


# --- the monitoring run: household assessments of the audit log, through the service, the page and the workbook

SPEC = household_spec()
GRADES = ("AAA", "AA", "A", "B", "C")
AT = dt.datetime(2025, 9, 1, tzinfo=dt.UTC)


def _application(county: str, income: float) -> dict:
    body = example_application(annual_net_income=income, county_code=county, application_date=dt.date(2025, 7, 10))
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in body.items()}


def _household_profile(old: bool = False) -> ReferenceProfile:
    applications = pd.DataFrame([
        _application(county, 20_000.0 + 20 * i) for county in COUNTIES for i in range(5 * COUNTY_MIN_ROWS)
    ])  # fmt: skip
    profile = build_profile(SPEC.prepare(applications), [0.02] * len(applications), SPEC.categorical,
                            counties=applications["county_code"])  # fmt: skip
    if old:
        raw = profile.as_dict()
        del raw["by_county"]
        return ReferenceProfile.from_dict(raw)
    return profile


def _assessments(drought: float) -> list[StoredAssessment]:
    """400 households per county like their county's training rows; the shocked county's incomes times ``drought``
    (enough on both sides that sampling alone stays below half the watch threshold)."""
    found = []
    for county in COUNTIES:
        for i in range(400):
            income = (20_000.0 + 50 * i + 25) * (drought if county == SHOCKED else 1.0)
            result = {"pd": 0.02, "grade": "AA", "decision": "approve", "reasons": []}
            detail = AssessmentDetail(_application(county, income), result, ())
            found.append(StoredAssessment(f"{county}-{i}", AT, "k", county, "x", "household-pd/1", "fumin-2026.1",
                                          detail))  # fmt: skip
    return found


def _run(drought: float, old: bool = False):
    inputs = MonitoringInputs(_assessments(drought), [], {}, AT)
    return monitor(inputs, _household_profile(old), SPEC, POLICY, GRADES, dt.date(2025, 8, 31))


def test_the_monitoring_run_flags_the_shocked_county_and_exits_3_while_the_province_is_below_watch():
    result = _run(drought=0.85)
    rows = _by_county(result.sections["by_county"])
    assert rows[(SHOCKED, "annual_net_income")]["status"] == "act"
    assert {r["status"] for r in result.sections["by_county"] if r["county"] != SHOCKED} == {"green"}
    province = {r["variable"]: r for r in result.sections["stability"] if r["cohort"] == "all"}
    assert province["annual_net_income"]["value"] < POLICY.stability.watch
    assert {r["status"] for r in result.sections["stability"]} <= {"green", "not_judged"}  # only the county acts
    assert (result.status, result.exit_code) == ("act", 3)
    assert "by_county" not in result.notes


def test_without_a_shock_every_county_is_green_and_the_run_exits_0():
    result = _run(drought=1.0)
    assert result.sections["by_county"] and {r["status"] for r in result.sections["by_county"]} == {"green"}
    assert result.exit_code == 0


def test_an_old_profile_monitors_with_a_bilingual_note_instead_of_county_rows():
    result = _run(drought=0.85, old=True)
    assert result.sections["by_county"] == []
    note = result.notes["by_county"]
    assert "分县" in note and "per county" in note
    assert result.sections["stability"]  # the rest of the run is as before


def test_the_page_and_the_workbook_show_the_county_table(tmp_path):
    result = _run(drought=0.85)
    page = render_page(result, GRADES)
    assert "分县稳定性" in page and "Stability by county" in page and "140121" in page
    write_workbook(result, tmp_path / "m.xlsx", GRADES)
    book = load_workbook(tmp_path / "m.xlsx")
    sheet = book["分县稳定性"]
    assert sheet["A1"].value == "县\nCounty"
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert any("处置 act" in row for row in values)


def test_a_monitored_county_without_reference_shares_of_its_own_is_named_in_a_note():
    from credit_engine.monitoring.stability import county_note

    frame = pd.concat([_monitored(), _monitored(counties=("140199",)).assign(county_code="140199")])
    rows = county_rows(frame, ["income", "debt"], _profile(), POLICY)
    assert "140199" not in {r["county"] for r in rows} and SHOCKED in {r["county"] for r in rows}
    note = county_note(frame, _profile())
    assert "140199" in note and "not shown" in note
    assert county_note(_monitored(), _profile()) is None


def test_a_small_countys_shift_is_shown_not_judged_when_sampling_alone_could_make_it():
    # 100 assessments against 1,000 reference rows over ten bins: ~0.10 from sampling alone, more than half the
    # watch threshold — a county that size would page by chance, so its figure is shown and not judged
    rows = _by_county(county_rows(_monitored(0.3, rows=100), ["income", "debt"], _profile(), POLICY))
    shocked = rows[(SHOCKED, "income")]
    assert shocked["value"] >= POLICY.stability.act and shocked["status"] == "not_judged"
    assert shocked["sampling_psi"] > POLICY.stability.watch / 2
    assert rows[(SHOCKED, "pd")]["status"] == "not_judged"
