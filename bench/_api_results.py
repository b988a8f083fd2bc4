"""The API benchmark's results: ``bench/results/api_assessment[_postgresql].json`` for machines and ``.md`` for
people, with the machine's load, the exact command and one table per load generator (bench/api_load.py, wrk)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
NOTES = (
    "Every request is a full assessment: validation, knock-outs, PD and 4 reasons (TreeSHAP), grade, line, the "
    "county fund's headroom (in memory) and the audit record (group commit, durable before the answer). The bound "
    "runs on one thread without competition; the server shares the 2 cores with the load generator and with "
    "whatever else runs on the machine (see the load average), so the CPU column — CPU time of the server's process "
    "tree per request vs CPU time of the bound per request — is the load-independent comparison. wrk posts one "
    "application body (the first of the sample) on every request, as a bank system repeating a call would."
)
PYTHON_HEAD = [
    "| workers | req/s at 16 conn | ratio to bound (≥ 0.70) | server CPU ms/req (bound CPU ms) | p50 ms | p99 ms (≤ 100) | errors | single-client p50 ms (≤ 10) | batch 1,000 s (≤ 2) |",  # noqa: E501
    "|---|---|---|---|---|---|---|---|---|",
]
WRK_HEAD = [
    "| workers | req/s at 16 conn | ratio to bound (≥ 0.70) | server CPU ms/req (bound CPU ms) | p50 ms | p90 ms | p99 ms (≤ 100) | max ms | errors |",  # noqa: E501
    "|---|---|---|---|---|---|---|---|---|",
]


def write_results(args, trees: int, bound: dict, runs: list[dict], load_before) -> None:
    backend = "PostgreSQL" if args.database_url and "postgresql" in args.database_url else "SQLite"
    load = f"load average {load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after"
    result = {
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores shared with other work; {load}",
        "command": "python bench/api_assessment.py " + " ".join(sys.argv[1:]),
        "champion": {"family": "lightgbm", "trees": trees, "trained_on_households": args.households},
        "database": backend,
        "in_process": bound,
        "runs": runs,
        "targets": {"ratio_to_bound": 0.70, "p99_ms": 100, "single_client_p50_ms": 10, "batch_1000_seconds": 2},
    }
    RESULTS.mkdir(exist_ok=True)
    name = "api_assessment" if backend == "SQLite" else "api_assessment_postgresql"
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Scoring API benchmark",
        "",
        f"{result['date']}, {result['machine']}; champion LightGBM, {trees} trees; database {backend}.",
        f"Command: `{result['command']}`",
        "",
        f"In-process bound (validation + predict + pred_contrib, one thread): **{bound['bound_rps']:.0f} req/s** "
        f"({bound['bound_ms']:.3f} ms); full in-process path (+ encoding, calibration, reasons, policy): "
        f"{bound['full_in_process_rps']:.0f} req/s.",
    ]
    lines += _tables(runs, bound)
    lines += ["", NOTES]
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _tables(runs: list[dict], bound: dict) -> list[str]:
    lines = []
    python = [run for run in runs if "concurrent" in run]
    if python:
        lines += ["", "Load: bench/api_load.py (500 different applications, cycled), 16 keep-alive connections.", ""]
        lines += PYTHON_HEAD
        for run in python:
            c, s, b = run["concurrent"], run["single_client"], run["batch"]
            lines.append(
                f"| {run['workers']} | {c['requests_per_second']:.0f} | {run['ratio_to_bound']:.2f} | "
                f"{c['server_cpu_ms_per_request']:.2f} ({bound['bound_cpu_ms']:.2f}) | {c['p50_ms']:.1f} | "
                f"{c['p99_ms']:.1f} | {c['errors']} | {s['p50_ms']:.2f} | {b['median_seconds']:.2f} |"
            )
    loaded = [run for run in runs if "wrk" in run]
    if loaded:
        lines += ["", f"Load: `{loaded[0]['wrk']['command']}` (one application body on every request).", ""]
        lines += WRK_HEAD
        for run in loaded:
            w = run["wrk"]
            lines.append(
                f"| {run['workers']} | {w['requests_per_second']:.0f} | {w['ratio_to_bound']:.2f} | "
                f"{w['server_cpu_ms_per_request']:.2f} ({bound['bound_cpu_ms']:.2f}) | {w['p50_ms']:.1f} | "
                f"{w['p90_ms']:.1f} | {w['p99_ms']:.1f} | {w['max_ms']:.0f} | {w['errors']} |"
            )
    return lines
