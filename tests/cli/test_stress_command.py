"""``credit-engine stress`` end to end on a seeded ledger: JSON, XLSX and HTML written; bad options exit 2 naming
each option at fault."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
COUNTY = "140122"
QUICK = ("--scenarios", "300", "--horizon-months", "24", "--seed", "3", "--workers", "1")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A demo ledger seeded from a small generated registry of four counties, five funds (SQLite, temporary home)."""
    from training.generator import generate_registry

    folder = tmp_path_factory.mktemp("stress-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDIT_ENGINE_HOME", str(folder))
        patch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
        patch.delenv("CREDIT_ENGINE_CONFIG", raising=False)
        households, _ = generate_registry(3_000, 5)
        households[households["county_code"].isin([COUNTY, "140221", "140425", "141123"])].to_parquet(
            folder / "households.parquet", index=False
        )
        seeded = runner.invoke(app, ["ledger", "seed", "--from", str(folder), "--fund-yuan", "500000"])
        assert seeded.exit_code == 0, seeded.output
        yield folder


@pytest.fixture
def run(home, monkeypatch):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(home))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CREDIT_ENGINE_CONFIG", raising=False)
    return lambda *args: runner.invoke(app, ["stress", "--as-of", "2025-12-31", *args])


def test_json_holds_every_fund_of_the_ledger_with_its_figures_in_yuan(run, home):
    out = home / "out" / "stress.json"
    result = run(*QUICK, "--leverage", "6,12", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert (document["scenarios"], document["horizon_months"], document["leverages"]) == (300, 24, [6.0, 12.0])
    assert len(document["funds"]) == 5 and document["loans"] > 0
    assert document["loans_with_model_pd"] + document["loans_with_product_pd"] == document["loans"]
    fund = document["funds"][0]
    assert {"balance_yuan", "safe_multiple", "top_up_yuan", "p_exhaustion_12m", "p_exhaustion_24m"} <= set(fund)
    assert "p_exhaustion_36m" not in fund  # beyond the horizon
    assert [case["leverage"] for case in fund["tested"]] == [6.0, 12.0]
    assert 0.0 <= fund["tested"][0]["p_exhaustion_horizon"] <= fund["tested"][1]["p_exhaustion_horizon"] <= 1.0


def test_one_county_as_a_workbook_with_chinese_headers_and_english_below(run, home):
    from openpyxl import load_workbook

    out = home / "out" / "stress.xlsx"
    result = run(*QUICK, "--county", COUNTY, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert book.sheetnames == ["压力测试汇总", "各放大倍数结果", "说明 About"]
    sheet = book["压力测试汇总"]
    assert sheet["A1"].value == "基金编号\nFund" and sheet.max_row == 2
    assert str(sheet["A2"].value).startswith(COUNTY)


def test_one_fund_as_a_self_contained_page(run, home):
    fund = f"{COUNTY}-SXRCU"
    out = home / "out" / "stress.html"
    result = run(*QUICK, "--fund", fund, "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "基金压力测试" in page and "Fund stress test" in page and fund in page
    assert "<svg" in page and "src=" not in page and "http" not in page.replace("http://www.w3.org", "")


@pytest.mark.parametrize(
    ("options", "fields"),
    [
        (("--horizon-months", "0"), {"--horizon-months"}),
        (("--scenarios", "0", "--leverage", "8,x"), {"--scenarios", "--leverage"}),
        (("--leverage", "-8"), {"--leverage"}),
        (("--fund", "F 1"), {"--fund"}),
        (("--county", "14"), {"--county"}),
        (("--fund", "140122-SXRCU", "--county", COUNTY), {"--county"}),
        (("--fund", "no-such-fund"), {"--fund"}),
        (("--workers", "0"), {"--workers"}),
    ],
)
def test_bad_options_exit_2_naming_each_one(run, home, options, fields):
    result = run(*QUICK, *options, "--format", "json", "--out", str(home / "x.json"))
    assert result.exit_code == 2, result.output
    named = {line.split(":")[0].strip() for line in result.output.splitlines() if line.startswith("  --")}
    assert named == fields, result.output


def test_a_bad_date_and_format_are_listed_together(home, monkeypatch):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(home))
    monkeypatch.delenv("CREDIT_ENGINE_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["stress", "--as-of", "2025-13-01", "--format", "pdf", "--out", str(home / "x")])
    assert result.exit_code == 2
    assert "--as-of" in result.output and "--format" in result.output


def test_a_bad_scenario_file_is_listed_with_the_bad_options(run, home):
    path = home / "scenario.yaml"
    path.write_text("version: x\nrecovery_rate: 2\n", encoding="utf-8")
    result = run(*QUICK, "--scenario-file", str(path), "--format", "pdf", "--out", str(home / "x.json"))
    assert result.exit_code == 2
    assert "recovery_rate" in result.output and "products" in result.output and "--format" in result.output


def test_a_missing_scenario_file_exits_2(run, home):
    result = run(*QUICK, "--scenario-file", str(home / "nothing.yaml"), "--format", "json", "--out", str(home / "x"))
    assert result.exit_code == 2 and "scenario_file" in result.output
