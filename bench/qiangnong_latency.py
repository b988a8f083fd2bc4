"""One 强农贷 assessment over HTTP against one 富民贷 assessment on the same server (issue 13: "within the same
latency as 富民贷").

A household champion (as ``bench/api_assessment.py`` trains it, on ``--households`` generated households) and the
enterprise model (``credit-engine train --spec credit_engine/specs/enterprise.yaml`` on ``--enterprises`` generated
enterprises, registered as ``enterprise-pd``) in one temporary MLflow store; a fresh SQLite database with a fund per
county of both samples and an officer's key for the province; ``credit-engine serve`` (one worker) on 127.0.0.1.
One keep-alive connection (``bench/api_load.py`` in its own process) posts full assessments — validation, PD and
reasons, grade, size, the fund's headroom, the audit write — for ``--seconds`` on each route, twice in turn
(富民贷, 强农贷, 富民贷, 强农贷); the report is the p50 and p99 of each and their ratios.

    .venv/bin/python bench/qiangnong_latency.py [--households 20000] [--enterprises 2000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._data import WORK  # noqa: E402
from bench.api_assessment import _bodies, _load, _prepare_database, _serve, _train  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
ROUTES = {"fumin": "/v1/fumin/assessments", "qiangnong": "/v1/qiangnong/assessments"}


def _enterprise_model(home: Path, uri: str, n: int) -> list[dict]:
    """``enterprise-pd`` trained by the training job and registered in the store at ``uri``; valid bodies to post."""
    from credit_engine.config import load_settings
    from credit_engine.enterprise.validation import validate_enterprise
    from training.generator_enterprise import generate_enterprises
    from training.train_job import TrainJob

    frame, _ = generate_enterprises(n, seed=7)
    path = home / "enterprises.parquet"
    frame.to_parquet(path, index=False)
    spec = Path(__file__).resolve().parents[1] / "credit_engine" / "specs" / "enterprise.yaml"
    TrainJob(data=path, spec=spec).run(load_settings(home=home, mlflow_tracking_uri=uri))
    bodies = []
    for row in frame.drop(columns="defaulted").head(500).to_dict("records"):
        body = {k: v.date().isoformat() if hasattr(v, "date") else v for k, v in row.items()}
        body = {k: (v.item() if hasattr(v, "item") else v) for k, v in body.items()}
        if not validate_enterprise(body)[1]:
            bodies.append(body)
    return bodies


def _rounds(port: int, token: str, paths: dict[str, Path], seconds: float) -> dict[str, list[dict]]:
    runs: dict[str, list[dict]] = {name: [] for name in ROUTES}
    for _ in range(2):
        for name, route in ROUTES.items():
            runs[name].append(_load(port, token, paths[name], 1, seconds, path=route))
    return runs


def _summary(runs: dict[str, list[dict]]) -> dict:
    def best(name: str, key: str) -> float:
        return min(run[key] for run in runs[name])  # the quieter of the two rounds

    figures = {name: {"p50_ms": best(name, "p50_ms"), "p99_ms": best(name, "p99_ms")} for name in ROUTES}
    errors = {name: sum(run["errors"] for run in runs[name]) for name in ROUTES}
    ratios = {key: figures["qiangnong"][key] / figures["fumin"][key] for key in ("p50_ms", "p99_ms")}
    return {"figures": figures, "ratios": ratios, "errors": errors, "rounds": runs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=20_000)
    parser.add_argument("--enterprises", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    home = WORK / "qiangnong-latency"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    uri, _ = _train(home, args.households)
    bodies = {"fumin": _bodies(args.households), "qiangnong": _enterprise_model(home, uri, args.enterprises)}
    paths = {name: home / f"{name}.json" for name in ROUTES}
    for name, path in paths.items():
        path.write_text(json.dumps(bodies[name], ensure_ascii=False))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CREDIT_ENGINE_", "MLFLOW_", "PROMETHEUS_"))}
    env |= {"CREDIT_ENGINE_HOME": str(home), "CREDIT_ENGINE_MLFLOW_TRACKING_URI": uri}
    env |= {"CREDIT_ENGINE_DATABASE_URL": f"sqlite:///{home / 'engine.db'}"}
    counties = {b["county_code"] for name in ROUTES for b in bodies[name]}
    token = _prepare_database(env, counties)
    load_before = os.getloadavg()
    process, port = _serve(env, 1, home / "server.log")
    try:
        summary = _summary(_rounds(port, token, paths, args.seconds))
    finally:
        process.terminate()
        process.wait(timeout=60)
    summary |= {"load_before": load_before, "load_after": os.getloadavg(), "seconds": args.seconds,
                "households": args.households, "enterprises": args.enterprises}  # fmt: skip
    _write(summary)


def _write(summary: dict) -> None:
    figures, ratios = summary["figures"], summary["ratios"]
    lines = [
        "| route | p50 (ms) | p99 (ms) |",
        "|---|---|---|",
        *(f"| `{ROUTES[n]}` | {figures[n]['p50_ms']:.2f} | {figures[n]['p99_ms']:.2f} |" for n in ROUTES),
        f"| 强农贷 / 富民贷 | {ratios['p50_ms']:.2f}× | {ratios['p99_ms']:.2f}× |",
        "",
        f"One keep-alive connection, {summary['seconds']:.0f} s a round, two rounds a route (the quieter shown); "
        f"errors {summary['errors']}; load before {summary['load_before'][0]:.1f}, "
        f"after {summary['load_after'][0]:.1f} (2 cores).",
    ]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "qiangnong_latency.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    (RESULTS / "qiangnong_latency.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
