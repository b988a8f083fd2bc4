"""End to end: the real server on a free loopback port, keys from the command line, and an officer's journey —
assess → disburse → delinquency → compensation → report — then the audit export and a graceful shutdown."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.xdist_group("test_api_server")  # one worker: the module shares its app and database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _engine_env(home: Path, tracking_uri: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_"))}
    return env | {
        "CREDIT_ENGINE_HOME": str(home),
        "CREDIT_ENGINE_MLFLOW_TRACKING_URI": tracking_uri,
        "CREDIT_ENGINE_MODEL_NAME": "household-pd",
        "CREDIT_ENGINE_PSEUDONYM_SECRET": "e2e-secret",
    }


def _credit_engine(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("credit-engine")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=env["CREDIT_ENGINE_HOME"])


def _key(env: dict[str, str], *args: str) -> str:
    done = _credit_engine(env, "keys", "create", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]  # the key alone on the last line


@pytest.fixture(scope="module")
def server(tmp_path_factory, mlflow_store):
    home = tmp_path_factory.mktemp("e2e")
    env = _engine_env(home, mlflow_store[0])
    keys = {
        "officer": _key(env, "--role", "officer", "--name", "信贷员", "--bank", "RCC", "--county", "140121"),
        "other": _key(env, "--role", "officer", "--name", "other", "--bank", "RCC", "--county", "140122"),
        "admin": _key(env, "--role", "fund_admin", "--name", "县扶贫办", "--county", "140121"),
        "auditor": _key(env, "--role", "auditor", "--name", "审计"),
    }
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("credit-engine")),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    log = (home / "server.log").open("w")
    process = subprocess.Popen(command, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {(home / 'server.log').read_text()[-2000:]}")
        time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the server did not become ready in 90 s")
    yield base, keys, env, process, home
    if process.poll() is None:
        process.kill()
    log.close()


def _client(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture(scope="module")
def journey(server) -> dict:
    """An officer's writes on this module's server, once per server: a fund opened, an application assessed, its loan
    disbursed (and retried), 96 days late, claimed and compensated. Both tests below read them — each gets them on
    the server it runs against (xdist may give the module a second server: a test must not rely on another's
    writes)."""
    from tests.api.conftest import Api

    api_application = Api.application()
    base, keys, _, _, _ = server
    admin, officer = (_client(base, keys[k]) for k in ("admin", "officer"))
    fund = {"fund_id": "F-E2E", "county_code": "140121", "bank_code": "RCC", "value_date": "2025-01-02"}
    opened = admin.post("/v1/funds", json=fund | {"amount_yuan": "1000000"}, headers={"Idempotency-Key": "open"})
    assert opened.status_code == 201, opened.text
    time.sleep(2.5)  # let the server's fund headroom refresh see the new fund (every 2 s)

    assessed = officer.post("/v1/fumin/assessments", json=api_application)
    assert assessed.status_code == 200, assessed.text
    assessment = assessed.json()

    loan = {"fund_id": "F-E2E", "loan_id": "E2E-1", "product": "fumin", "borrower_ref": "hh-e2e", "amount_yuan": 10000}
    loan |= {"value_date": "2025-01-10", "maturity_date": "2025-04-10"}
    if assessment["decision"] == "approve":
        loan["assessment_id"] = assessment["assessment_id"]
    disbursed = officer.post("/v1/loans", json=loan, headers={"Idempotency-Key": "disb-1"})
    retried = officer.post("/v1/loans", json=loan, headers={"Idempotency-Key": "disb-1"})
    late = {"fund_id": "F-E2E", "value_date": "2025-07-15", "days_past_due": 96}
    delinquent = officer.post("/v1/loans/E2E-1/delinquencies", json=late, headers={"Idempotency-Key": "late"})
    claim = {"fund_id": "F-E2E", "value_date": "2025-07-16"}
    claimed = officer.post("/v1/loans/E2E-1/compensation-claims", json=claim, headers={"Idempotency-Key": "claim"})
    pay = {"fund_id": "F-E2E", "value_date": "2025-07-20"}
    paid = admin.post("/v1/loans/E2E-1/compensation-payments", json=pay, headers={"Idempotency-Key": "pay"})
    return {"application": api_application, "assessment": assessment, "disbursed": disbursed, "retried": retried,
            "delinquent": delinquent, "claimed": claimed, "paid": paid}  # fmt: skip


def test_an_officers_journey_from_assessment_to_the_leverage_report(server, journey):
    base, keys, _, _, _ = server
    admin, auditor = (_client(base, keys[k]) for k in ("admin", "auditor"))
    assessment = journey["assessment"]
    assert assessment["fund"]["fund_id"] == "F-E2E" and assessment["reasons"][0]["text_zh"]
    disbursed = journey["disbursed"]
    assert disbursed.status_code == 201, disbursed.text
    assert journey["retried"].json() == disbursed.json()
    assert journey["delinquent"].status_code == 201 and journey["claimed"].status_code == 201
    paid = journey["paid"]
    assert paid.status_code == 201 and paid.json()["loan"]["state"] == "compensated"

    report = auditor.get("/v1/reports/leverage", params={"as_of": "2025-12-31", "format": "json"})
    assert report.status_code == 200
    row = next(r for r in report.json() if r["fund_id"] == "F-E2E")
    assert row["fund_balance_yuan"] == 1_000_000 - 7_000  # the fund paid its 70 % of 10,000 yuan
    portfolio = admin.get("/v1/reports/portfolio", params={"as_of": "2025-12-31", "format": "html"})
    assert portfolio.status_code == 200 and "<html" in portfolio.text.lower()

    other = _client(base, keys["other"])
    assert other.get(f"/v1/assessments/{assessment['assessment_id']}").status_code == 403
    assert other.get("/v1/funds/F-E2E").status_code == 403


def test_the_audit_export_holds_every_decision_and_write_and_no_raw_id_number(server, journey):
    _, _, env, _, home = server
    api_application = journey["application"]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    out = home / "audit.jsonl"
    wanted = {"assessment", "ledger.fund_created", "ledger.disbursement", "ledger.compensation_payment"}
    # the server's audit writer is a background thread (entries spooled to a file while the database is slow are
    # drained later): the log holds every entry eventually, so read it again for a few seconds
    for _ in range(10):
        done = _credit_engine(
            env, "audit", "export", "--from", str(today - dt.timedelta(days=1)), "--to", str(today), "--out", str(out)
        )
        assert done.returncode == 0, done.stderr
        records = [json.loads(line) for line in out.read_text().splitlines()]
        actions = {r["action"] for r in records}
        if wanted <= actions:
            break
        time.sleep(1)
    assert wanted <= actions, (sorted(actions), done.stderr)
    assert all(r["key_id"] and r["input_sha256"] for r in records)
    assert api_application["head_id_number"] not in out.read_text()


def test_the_server_logs_json_and_stops_gracefully_finishing_requests_in_flight(server, api_application):
    base, keys, _, process, home = server
    body = json.dumps([api_application | {"application_id": f"G-{i}"} for i in range(400)]).encode()
    outcome, sent = {}, threading.Event()

    def whole_body():  # the signal goes once the server has the request, however slow this machine is today
        yield body
        sent.set()

    def send_batch():
        with _client(base, keys["officer"]) as officer:
            try:
                outcome["response"] = officer.post(
                    "/v1/fumin/assessments:batch", content=whole_body(), headers={"Content-Type": "application/json"}
                )
            except httpx.HTTPError as error:
                outcome["error"] = error

    sender = threading.Thread(target=send_batch)
    sender.start()
    assert sent.wait(30)
    time.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    sender.join(60)
    assert "response" in outcome, outcome.get("error")
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once shut down
    assert outcome["response"].status_code == 200 and outcome["response"].json()["assessed"] == 400
    lines = [json.loads(line) for line in (home / "server.log").read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "Application shutdown complete." for line in lines)
    assert lines[-1]["message"] == f"Finished server process [{process.pid}]"  # queued log lines written at exit
    requests = [line for line in lines if line.get("message") == "request"]
    assert requests and {"route", "status", "ms", "request_id", "key_id"} <= set(requests[-1])
    assert not any("head_id_number" in json.dumps(line) for line in lines)
