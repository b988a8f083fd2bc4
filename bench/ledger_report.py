"""Leverage report for 58 funds over 1,000,000 postings on PostgreSQL (target ≤ 2 s).

1. A fresh database (``ce_bench_<pid>``, dropped afterwards) gets the 58 funds and a five-year history per fund —
   富民贷 loans disbursed through 2021–2025, partly prepaid, repaid at maturity, a few briefly overdue and cured,
   some still overdue at the end — posted through the ledger's own services (one transaction per fund, two
   worker processes), until the journal holds at least 1,000,000 postings.
2. The audit runs over the whole ledger and must find nothing: the history is exactly what the services wrote.
3. The leverage report as of 2025-12-31 is built and rendered as JSON (what ``credit-engine report leverage
   --format json`` does after start-up), 5 times: median and worst seconds; then once as HTML with the month-end
   series, and the CLI end to end, for information.

    .venv/bin/python bench/ledger_report.py [--postings 1000000] [--server URL] [--keep NAME]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._ledger import SERVER, fresh_database, machine, open_funds  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
AS_OF = dt.date(2025, 12, 31)
START = dt.date(2021, 1, 15)
CLI = Path(sys.executable).with_name("credit-engine")


def history(fund_id: str, loans: int, seed: int, prefix: str = "L") -> list:
    """The fund's commands in value-date order: ``loans`` one-year loans spread over five years."""
    import numpy as np

    from credit_engine.ledger import commands as c

    rng = np.random.default_rng([seed, int(fund_id[:6]), len(fund_id), len(prefix)])
    span = (AS_OF - START).days - 30
    steps = []
    for n in range(loans):
        lent = START + dt.timedelta(days=int(span * n / loans))
        amount = int(rng.integers(20, 51)) * 100_000
        maturity = lent + dt.timedelta(days=365)
        loan = f"{prefix}{n:06d}"
        base = {"fund_id": fund_id, "recorded_by": "bench", "loan_id": loan}
        steps.append(
            (
                lent,
                0,
                c.Disburse(
                    **base,
                    idempotency_key=f"{loan}/1",
                    product="fumin",
                    borrower_ref=f"hh-{n}",
                    value_date=lent,
                    amount_fen=amount,
                    maturity_date=maturity,
                ),
            )
        )
        left, seq, last = amount, 2, lent
        draw = rng.random()
        if draw < 0.5 and lent + dt.timedelta(days=180) <= AS_OF:
            last = lent + dt.timedelta(days=180)
            steps.append(
                (last, 1, c.Repay(**base, idempotency_key=f"{loan}/{seq}", value_date=last, amount_fen=amount // 2))
            )
            left, seq = amount - amount // 2, seq + 1
        if draw > 0.97 and maturity + dt.timedelta(days=40) <= AS_OF:
            steps.append(
                (
                    maturity + dt.timedelta(days=10),
                    2,
                    c.ReportDelinquency(
                        **base,
                        idempotency_key=f"{loan}/{seq}",
                        value_date=maturity + dt.timedelta(days=10),
                        days_past_due=10,
                    ),
                )
            )
            steps.append(
                (
                    maturity + dt.timedelta(days=35),
                    1,
                    c.Cure(**base, idempotency_key=f"{loan}/{seq + 1}", value_date=maturity + dt.timedelta(days=35)),
                )
            )
            maturity, seq = maturity + dt.timedelta(days=40), seq + 2
        if maturity <= AS_OF:
            steps.append(
                (maturity, 1, c.Repay(**base, idempotency_key=f"{loan}/{seq}", value_date=maturity, amount_fen=left))
            )
        elif draw > 0.985:  # still overdue at the end, 5–120 days past due
            on, days = AS_OF - dt.timedelta(days=int(rng.integers(0, 20))), int(rng.integers(5, 120))
            if on - dt.timedelta(days=days) > lent and on > last:
                command = c.ReportDelinquency(
                    **base, idempotency_key=f"{loan}/{seq}", value_date=on, days_past_due=days
                )
                steps.append((on, 2, command))
    steps.sort(key=lambda s: (s[0], s[1], s[2].loan_id))
    return [command for _, _, command in steps]


def post_fund(url: str, fund_id: str, loans: int, prefix: str = "L") -> int:
    """Post one fund's history through the services in one transaction; returns the commands posted."""
    from credit_engine.ledger.database import make_engine
    from credit_engine.ledger.seed import post_commands

    engine = make_engine(url, pool_size=1, max_overflow=0)
    try:
        return post_commands(engine, history(fund_id, loans, 7, prefix))["posted"]
    finally:
        engine.dispose()


def postings(engine) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from credit_engine.ledger.tables import PostingRow

    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(PostingRow)).scalar_one())


def build(url: str, target: int, present: int) -> dict[str, object]:
    """Post histories until the journal holds ``target`` postings (a kept database is topped up with new loans)."""
    from credit_engine.ledger.database import make_engine

    engine = make_engine(url)
    started = time.perf_counter()
    funds = open_funds(engine)  # idempotent: a kept database already has them
    loans = (target - present) * 100 // len(funds) // 455 + 1  # ≈ 4.6 postings per loan
    prefix = "L" if present == 0 else f"T{present}-"
    with ProcessPoolExecutor(2) as pool:
        posted = sum(pool.map(post_fund, [url] * len(funds), funds, [loans] * len(funds), [prefix] * len(funds)))
    seconds = time.perf_counter() - started
    count = postings(engine)
    engine.dispose()
    return {
        "funds": len(funds),
        "loans_per_fund": loans,
        "commands": posted,
        "postings": count,
        "build_seconds": seconds,
    }


def audit_seconds(url: str) -> tuple[float, int]:
    from credit_engine.ledger.database import make_engine
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.ledger.validations import audit

    engine = make_engine(url)
    started = time.perf_counter()
    with UnitOfWork(engine, read_only=True) as uow:
        violations = audit(uow)
    engine.dispose()
    return time.perf_counter() - started, len(violations)


def time_reports(url: str, runs: int = 5) -> dict[str, object]:
    from credit_engine.ledger.database import make_engine
    from credit_engine.ledger.unit_of_work import UnitOfWork
    from credit_engine.reports.build import build_report
    from credit_engine.reports.formats import to_json
    from credit_engine.reports.html import render_page

    engine = make_engine(url)
    seconds, rows = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        with UnitOfWork(engine, read_only=True) as uow:
            report = build_report(uow, "leverage", AS_OF, with_series=False)
        rows = len(json.loads(to_json(report)))
        seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    with UnitOfWork(engine, read_only=True) as uow:
        page = render_page(build_report(uow, "leverage", AS_OF))
    html_seconds = time.perf_counter() - started
    engine.dispose()
    env = {**os.environ, "CREDIT_ENGINE_DATABASE_URL": url}
    started = time.perf_counter()
    out = Path(f"/tmp/ce_bench_{os.getpid()}.json")
    subprocess.run(
        [str(CLI), "report", "leverage", "--as-of", str(AS_OF), "--format", "json", "--out", str(out)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    cli_seconds = time.perf_counter() - started
    out.unlink(missing_ok=True)
    return {
        "funds_in_report": rows,
        "json_seconds_median": statistics.median(seconds),
        "json_seconds_worst": max(seconds),
        "json_seconds_all": seconds,
        "html_with_series_seconds": html_seconds,
        "html_bytes": len(page.encode()),
        "cli_json_seconds": cli_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--server", default=SERVER)
    parser.add_argument("--keep", default=None, help="Keep (and reuse) the database of this name")
    args = parser.parse_args()
    summary: dict[str, object] = {"machine_before": machine()}
    with fresh_database(args.server, args.keep, keep=args.keep is not None) as url:
        from credit_engine.ledger.database import make_engine

        engine = make_engine(url)
        present = postings(engine)
        engine.dispose()
        if present < args.postings:
            summary |= build(url, args.postings, present)
        else:
            summary |= {"postings": present, "build_seconds": None}
        summary["audit_seconds"], summary["audit_violations"] = audit_seconds(url)
        summary |= time_reports(url)
    summary["machine_after"] = machine()
    summary["target_seconds"] = 2.0
    summary["passed"] = summary["json_seconds_median"] <= 2.0 and summary["audit_violations"] == 0
    write(summary)


def write(summary: dict[str, object]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ledger_report.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    lines = [
        "# Ledger: leverage report over 1,000,000 postings (PostgreSQL)",
        "",
        "`.venv/bin/python bench/ledger_report.py` — 58 funds, history posted through the ledger's services, audit,",
        "then the leverage report as of 2025-12-31 built and rendered as JSON (5 runs).",
        "",
        "| what | figure |",
        "|---|---|",
        f"| postings in the journal | {summary['postings']:,} |",
        f"| commands posted (build) | {summary.get('commands', '—')} in {summary.get('build_seconds') or 0:.0f} s |",
        f"| audit | {summary['audit_violations']} violations, {summary['audit_seconds']:.1f} s |",
        f"| leverage report, JSON, median of 5 | **{summary['json_seconds_median']:.3f} s** (target ≤ 2 s) |",
        f"| leverage report, JSON, worst of 5 | {summary['json_seconds_worst']:.3f} s |",
        f"| leverage report, HTML with month-end series | {summary['html_with_series_seconds']:.3f} s |",
        f"| `credit-engine report leverage --format json`, end to end | {summary['cli_json_seconds']:.2f} s |",
        "",
        f"Machine: {summary['machine_before']['cores']} cores, load average before "
        f"{summary['machine_before']['load_average']}, after {summary['machine_after']['load_average']}.",
    ]
    (RESULTS / "ledger_report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
