"""Scoring API throughput and latency against the in-process bound of the same champion (issue 5 targets).

1. A champion as the README's demo trains it (LightGBM PD, default parameters, early stopping) on a generated
   registry, registered in a temporary MLflow store; a fresh database with one fund per county of the sample and
   an officer's key for the province.
2. The in-process bound, measured in this process on the same applications: validation (the API's single-record
   path) + ``booster.predict`` (raw score) + ``booster.predict(pred_contrib=True)`` on the encoded row — one thread,
   requests per second. The full in-process path (adding encoding, calibration, reasons, policy) is reported too.
3. ``credit-engine serve`` on 127.0.0.1 (1 and 2 workers), loaded by ``bench/api_load.py`` in a separate process:
   16 keep-alive connections for ``--seconds`` (throughput, p50/p90/p99), then one connection (single-client
   latency). Every request is a full assessment: 4 reasons, the fund's headroom and the audit write.
   With ``--load wrk`` (or ``both``, the default) the same server is then loaded by ``wrk -t2 -c16 -d<seconds>s
   --latency`` (the Debian package; bench/_wrk.py) posting one real application body with the officer's key.
4. A batch of 1,000 applications in one request (median of 3).

    .venv/bin/python bench/api_assessment.py [--households 100000] [--seconds 20] [--workers 1 2] [--load both]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._api_results import write_results  # noqa: E402
from bench._data import WORK, registry  # noqa: E402
from bench._wrk import run_wrk  # noqa: E402

CLI = Path(sys.executable).with_name("credit-engine")
COUNTY_SCOPE = "14"
WARMUP_SECONDS = 3.0  # api_load.py's default warm-up


def _train(home: Path, households: int) -> tuple[str, int]:
    import mlflow
    import mlflow.sklearn
    import pandas as pd
    from mlflow import MlflowClient

    from credit_engine.contract import validate_applications
    from credit_engine.features import household_spec
    from models import LightGBMPD

    frame = validate_applications(pd.read_parquet(registry(households, 7) / "households.parquet"), require_label=True)
    model = LightGBMPD(spec=household_spec()).fit(frame.frame, frame.frame["defaulted"].to_numpy())
    uri = f"sqlite:///{home / 'mlflow.db'}"
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    client.create_experiment("bench", artifact_location=(home / "artifacts").as_uri())
    mlflow.set_experiment("bench")
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name="household-pd", serialization_format="cloudpickle"
        )
    client.set_registered_model_alias("household-pd", "champion", str(info.registered_model_version))
    return uri, int(model.best_iteration_)


def _bodies(households: int, n: int = 500) -> list[dict]:
    import pandas as pd

    from credit_engine.contract.record import validate_record

    sample = (
        pd.read_parquet(registry(households, 7) / "households.parquet")
        .drop(columns="defaulted")
        .sample(n, random_state=1)
    )
    bodies = []
    for row in sample.to_dict("records"):
        body = {k: v.date().isoformat() if hasattr(v, "date") else v for k, v in row.items()}
        body = {k: (v.item() if hasattr(v, "item") else v) for k, v in body.items()}
        if not validate_record(body, report_unknown=True)[1]:
            bodies.append(body)
    return bodies


def _prepare_database(env: dict[str, str], counties: set[str]) -> str:
    from credit_engine.access.keys import create_key
    from credit_engine.access.principal import Scope
    from credit_engine.config import load_settings
    from credit_engine.ledger import commands, services
    from credit_engine.ledger.database import engine_for_settings, migrate
    from credit_engine.ledger.domain import default_terms
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.service_db import database as service_db

    settings = load_settings(
        **{k.removeprefix("CREDIT_ENGINE_").lower(): v for k, v in env.items() if k.startswith("CREDIT_ENGINE_")}
    )
    engine = engine_for_settings(settings)
    migrate(engine)
    service_db.migrate(engine)
    for county in sorted(counties):
        command = commands.CreateFund(
            fund_id=f"F-{county}", idempotency_key="open", county_code=county, bank_code="RCC",
            value_date=dt.date(2024, 1, 1), amount_fen=500_000_000, terms=default_terms(),
        )  # fmt: skip
        services.create_fund(UnitOfWork(engine), command)
    _, token = create_key(engine, "officer", "bench", Scope("RCC", frozenset(), COUNTY_SCOPE))
    engine.dispose()
    return token


def _fresh_database(server_url: str | None, home: Path) -> str:
    """An empty database: a new SQLite file, or a new database on the PostgreSQL server given."""
    if server_url is None:
        (home / "data" / "engine.db").unlink(missing_ok=True)
        return f"sqlite:///{home / 'data' / 'engine.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "ce_bench_api" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "ce_bench_api"'))
    admin.dispose()
    return server.set(database="ce_bench_api").render_as_string(hide_password=False)


def _bound(uri: str, bodies: list[dict], passes: int = 5) -> dict:
    """Validation + predict + pred_contrib of the champion on the same applications, one thread, in this process."""
    from api.scorer import ServedModel
    from credit_engine.assessment.rating import rate_record
    from credit_engine.contract.record import validate_record
    from credit_engine.policy import load_policy
    from models.store import load_estimator

    served = ServedModel(load_estimator("models:/household-pd@champion", uri))
    served.check()
    booster, trees = served.estimator.booster_, served.estimator.best_iteration_
    policy = load_policy()
    rows = [served.estimator.encoder_.record_row(validate_record(b)[0]) for b in bodies]
    timings = {"bound": [], "full": []}
    cpu = []
    for _ in range(passes):
        start, start_cpu = time.perf_counter(), time.process_time()
        for body, row in zip(bodies, rows, strict=True):
            validate_record(body, report_unknown=True)
            booster.predict(row, raw_score=True, num_iteration=trees, num_threads=1)
            booster.predict(row, pred_contrib=True, num_iteration=trees, num_threads=1)
        timings["bound"].append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        start = time.perf_counter()
        for body in bodies:
            record, _ = validate_record(body, report_unknown=True)
            pd_value, reasons = served.champion.scorer.score_record(record, 4)
            rate_record(record, pd_value, reasons, policy)
        timings["full"].append(time.perf_counter() - start)
    best = {name: min(values) / len(bodies) for name, values in timings.items()}
    return {
        "bound_ms": best["bound"] * 1000,
        "bound_rps": 1 / best["bound"],
        "full_in_process_ms": best["full"] * 1000,
        "full_in_process_rps": 1 / best["full"],
        "bound_cpu_ms": min(cpu) / len(bodies) * 1000,
        "fast_path": served.fast_path,
    }


def _tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants, from /proc (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    import httpx

    port = _free_port()
    command = [str(CLI), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                time.sleep(3 if workers > 1 else 1)  # the other workers finish loading too
                return process, port
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"the server did not start: {log.read_text()[-2000:]}")


def _load(
    port: int, token: str, bodies_path: Path, connections: int, seconds: float, path: str = "/v1/fumin/assessments"
) -> dict:
    command = [sys.executable, str(Path(__file__).with_name("api_load.py")), "--port", str(port), "--token", token]
    command += ["--path", path]
    command += ["--bodies", str(bodies_path), "--connections", str(connections), "--seconds", str(seconds)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=True)
    return json.loads(done.stdout)


def _batch(port: int, token: str, bodies: list[dict]) -> dict:
    import httpx

    batch = [b | {"application_id": f"B-{i}"} for i, b in enumerate((bodies * 3)[:1000])]
    times = []
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        for _ in range(3):
            start = time.perf_counter()
            response = client.post("/v1/fumin/assessments:batch", json=batch)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200 and response.json()["assessed"] == 1000, response.text[:500]
    return {"rows": 1000, "median_seconds": statistics.median(times), "all_seconds": times}


def _measure(args, env: dict[str, str], workers: int, token: str, bodies: list[dict], bodies_path: Path, bound: dict):
    """One server of ``workers`` workers under each load generator asked for, then single-client and batch."""
    home = Path(env["CREDIT_ENGINE_HOME"])
    process, port = _serve(env, workers, home / f"server-{workers}.log")
    run: dict = {"workers": workers}
    try:
        if args.load in ("python", "both"):
            cpu_before = _tree_cpu_seconds(process.pid)
            concurrent = _load(port, token, bodies_path, args.connections, args.seconds)
            served = concurrent["requests"] * (WARMUP_SECONDS + args.seconds) / args.seconds  # warm-up included
            cpu_ms = (_tree_cpu_seconds(process.pid) - cpu_before) / served * 1000
            concurrent["server_cpu_ms_per_request"] = cpu_ms
            concurrent["cpu_ratio_to_bound"] = bound["bound_cpu_ms"] / cpu_ms
            run |= {"concurrent": concurrent, "ratio_to_bound": concurrent["requests_per_second"] / bound["bound_rps"]}
            run["single_client"] = _load(port, token, bodies_path, 1, min(args.seconds, 10))
        if args.load in ("wrk", "both"):
            cpu_before = _tree_cpu_seconds(process.pid)
            loaded = run_wrk(port, token, bodies[0], connections=args.connections, seconds=args.seconds)
            served = loaded["requests"] * (WARMUP_SECONDS + args.seconds) / args.seconds  # warm-up included
            loaded["server_cpu_ms_per_request"] = (_tree_cpu_seconds(process.pid) - cpu_before) / served * 1000
            run["wrk"] = loaded | {"ratio_to_bound": loaded["requests_per_second"] / bound["bound_rps"]}
        run["batch"] = _batch(port, token, bodies)
    finally:
        process.terminate()
        process.wait(60)
    print(json.dumps(run), flush=True)
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--load", choices=["python", "wrk", "both"], default="both", help="bench/api_load.py, wrk (Debian), or both"
    )
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--reuse", action="store_true", help="reuse the champion and database of the last run")
    args = parser.parse_args()
    home = WORK / "api"
    uri = f"sqlite:///{home / 'mlflow.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_", "PROMETHEUS_"))}
    env |= {"CREDIT_ENGINE_HOME": str(home), "CREDIT_ENGINE_MLFLOW_TRACKING_URI": uri}
    bodies_path = home / "bodies.json"
    if args.reuse and (home / "prepared.json").exists():
        trees, bodies = json.loads((home / "prepared.json").read_text())["trees"], json.loads(bodies_path.read_text())
    else:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        started = time.perf_counter()
        uri, trees = _train(home, args.households)
        print(f"champion trained: {trees} trees ({time.perf_counter() - started:.0f} s)", flush=True)
        bodies = _bodies(args.households)
        bodies_path.write_text(json.dumps(bodies, ensure_ascii=False))
        (home / "prepared.json").write_text(json.dumps({"trees": trees}))
    env |= {"CREDIT_ENGINE_DATABASE_URL": _fresh_database(args.database_url, home)}
    token = _prepare_database(env, {b["county_code"] for b in bodies})
    load_before = os.getloadavg()
    bound = _bound(f"sqlite:///{home / 'mlflow.db'}", bodies)
    print(f"in-process bound: {bound['bound_rps']:.0f} req/s ({bound['bound_ms']:.3f} ms)", flush=True)
    runs = [_measure(args, env, workers, token, bodies, bodies_path, bound) for workers in args.workers]
    write_results(args, trees, bound, runs, load_before)


if __name__ == "__main__":
    main()
