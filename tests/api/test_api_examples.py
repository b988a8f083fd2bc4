"""The examples a new user copies work on the demo as printed: the OpenAPI example application, the README's curl
and the curl ``serve --demo`` prints are one application, in a county the demo ledger opens a fund for, and the
demo key is scoped to that county and bank."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from api.schemas.assessments import EXAMPLE_BANK, EXAMPLE_COUNTY, example_body
from credit_engine.access.keys import create_key
from credit_engine.access.principal import Scope
from credit_engine.contract import validate_applications
from credit_engine.ledger.database import engine_for_settings


def _openapi_example(api) -> dict:
    return api.client.get("/openapi.json").json()["components"]["schemas"]["FuminApplication"]["example"]


def test_the_openapi_example_application_validates_in_the_example_county(api):
    example = _openapi_example(api)
    assert example == example_body() and example["county_code"] == EXAMPLE_COUNTY
    assert validate_applications(pd.DataFrame([example])).errors == []


def test_the_demo_ledger_opens_the_example_county_s_fund_first():
    from credit_engine.ledger.seed_plan import MAIN_BANK, fund_specs
    from credit_engine.policy.config import load_policy
    from training.generator import generate_registry

    households, _ = generate_registry(3000, 42)
    ids = sorted(spec.fund_id for spec in fund_specs(households, 500_000_000, load_policy()))
    assert (MAIN_BANK, ids[0]) == (EXAMPLE_BANK, f"{EXAMPLE_COUNTY}-{EXAMPLE_BANK}")  # the fund `serve --demo` uses


def test_the_example_assessed_with_a_key_of_its_county_and_bank_uses_that_fund(api):
    fund = f"{EXAMPLE_COUNTY}-{EXAMPLE_BANK}"
    api.open_fund(fund, county=EXAMPLE_COUNTY, bank=EXAMPLE_BANK)
    engine = engine_for_settings(api.settings)
    try:
        _, token = create_key(engine, "officer", "readme officer", Scope(EXAMPLE_BANK, frozenset({EXAMPLE_COUNTY})))
    finally:
        engine.dispose()
    api.services.keys.refresh()
    response = api.post(token, "/v1/fumin/assessments", _openapi_example(api))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["fund"]["fund_id"], answer["fund"]["status"]) == (
        fund,
        "below_floor",
    )  # a new fund: headroom
    assert "F04" not in {reason["code"] for reason in answer["reasons"]}


@pytest.fixture
def demo_home(monkeypatch, tmp_path):
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    for name in ("CREDIT_ENGINE_CONFIG", "CREDIT_ENGINE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_serve_demo_prints_a_key_and_the_readme_curl_for_the_example_county(demo_home, capsys):
    from typer.testing import CliRunner

    from cli.main import app
    from cli.serve import _print_demo

    runner = CliRunner()
    for fund, county, bank in (
        ("0-FIRST", "140123", "RCC"),
        (f"{EXAMPLE_COUNTY}-{EXAMPLE_BANK}", EXAMPLE_COUNTY, EXAMPLE_BANK),
    ):
        opened = runner.invoke(
            app,
            [
                "ledger",
                "fund",
                "create",
                "--fund-id",
                fund,
                "--county",
                county,
                "--bank",
                bank,
                "--value-date",
                "2025-01-01",
            ],
        )
        assert opened.exit_code == 0, opened.output
    _print_demo("127.0.0.1", 8000)
    printed = capsys.readouterr().out
    assert f"demo officer key for bank {EXAMPLE_BANK}, county {EXAMPLE_COUNTY}" in printed
    payload = printed.split(" -d '", 1)[1].rsplit("'", 1)[0]
    assert json.loads(payload) == example_body()
