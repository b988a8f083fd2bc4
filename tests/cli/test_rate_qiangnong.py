"""``credit-engine rate --product qiangnong``: a spreadsheet of enterprise applications rated through the same table
pipeline as households — every row kept, the bad one named, reasons in 中文, one batch_rating audit entry."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from cli.main import app
from credit_engine.contract import rejects_path, write_table
from credit_engine.enterprise.decision import rate_enterprise
from credit_engine.enterprise.fields import example_enterprise
from credit_engine.enterprise.policy import load_enterprise_policy

runner = CliRunner()


def test_rate_a_file_of_enterprises(tmp_path, monkeypatch, enterprise_store):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("CREDIT_ENGINE_HOME", str(tmp_path))
    monkeypatch.setenv("CREDIT_ENGINE_MLFLOW_TRACKING_URI", enterprise_store)
    rows = [example_enterprise(application_id=f"E-{i}", households_driven=50 + i) for i in range(3)]
    rows.append(example_enterprise(application_id="E-9", credit_record="adverse"))
    frame = pd.DataFrame(rows).astype(str)
    frame.loc[1, "term_months"] = "soon"
    write_table(frame, tmp_path / "enterprises.xlsx", chinese_headers=True)

    result = runner.invoke(app, ["rate", "--product", "qiangnong", "--input", str(tmp_path / "enterprises.xlsx"),
                                 "--output", str(tmp_path / "out.csv")])  # fmt: skip

    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out.csv", dtype={"reason_1": str})
    assert list(out["decision"])[1] == "invalid" and "term_months" in out.loc[1, "errors"]
    assert out.loc[3, "decision"] == "decline" and out.loc[3, "reason_1"] == "K11"
    assert set(out["policy_version"].dropna()) == {"qiangnong-2026.1"}
    assert set(out["model_version"].dropna()) == {"enterprise-pd/1"}
    first = rate_enterprise(rows[0], float(out.loc[0, "pd"]), [], load_enterprise_policy())
    assert (out.loc[0, "decision"], int(out.loc[0, "credit_line_yuan"])) == (first.decision, first.credit_line_yuan)
    rejects = pd.read_csv(rejects_path(tmp_path / "out.csv"), encoding="utf-8-sig")
    assert list(zip(rejects["row"], rejects["field"], strict=True)) == [(3, "term_months")]
    assert "audit record" in result.output
