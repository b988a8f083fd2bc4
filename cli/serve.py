"""``credit-engine serve`` runs the scoring and ledger API with uvicorn; ``credit-engine migrate`` upgrades schemas.

``serve`` builds the app in each worker from the settings (``api.app:serve_app``): the champion is loaded once at
start-up from ``models:/<model_name>@champion``. Logs are JSON lines on stdout; SIGTERM or Ctrl-C stops accepting
connections, lets requests in flight finish (up to ``--graceful-seconds``) and drains the audit writer. With
several workers (:mod:`api.server`: each its own ``SO_REUSEPORT`` socket, so the kernel spreads connections),
Prometheus metrics are collected across processes in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer

from cli.common import console, fail, guarded, settings


@guarded
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on / 监听地址.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port / 端口.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes / 工作进程数.")] = 1,
    graceful_seconds: Annotated[int, typer.Option(help="Time for requests in flight at shutdown.")] = 30,
    log_level: Annotated[str, typer.Option(help="debug | info | warning | error")] = "info",
    demo: Annotated[bool, typer.Option("--demo", help="Create a demo officer key and print a curl to try.")] = False,
) -> None:
    """Serve the scoring and fund-ledger API / 启动评分与台账服务."""
    from api import server
    from api.logging import LOG_CONFIG

    settings()  # invalid settings stop here, before any worker starts
    if demo:
        _print_demo(host, port)
    metrics_dir = None
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="credit-engine-metrics-")
    config = {**LOG_CONFIG, "root": {**LOG_CONFIG["root"], "level": log_level.upper()}}
    try:
        server.run(host, port, workers, config, graceful_seconds)
    except OSError as error:  # the address is taken or not ours
        fail(f"cannot listen on {host}:{port}: {error.strerror or error} / 无法监听该地址")
    finally:
        if metrics_dir is not None:  # the workers' metric files die with the server
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _print_demo(host: str, port: int) -> None:
    """A demo officer key for the fund of the OpenAPI example's county (else the first fund of the ledger), and a
    ready-to-paste curl with an application there: the README's and the OpenAPI example's."""
    import json

    from sqlalchemy import select

    from api.schemas.assessments import EXAMPLE_BANK, EXAMPLE_COUNTY, example_body
    from credit_engine.access.keys import create_key
    from credit_engine.access.principal import Scope
    from credit_engine.ledger.database import open_ledger
    from credit_engine.ledger.tables import FundRow
    from credit_engine.service_db.database import ensure_migrated

    engine = open_ledger(settings())
    try:
        ensure_migrated(engine)
        funds = select(FundRow).order_by(FundRow.fund_id).limit(1)
        example = funds.where(FundRow.county_code == EXAMPLE_COUNTY, FundRow.bank_code == EXAMPLE_BANK)
        with engine.connect() as connection:
            fund = connection.execute(example).first() or connection.execute(funds).first()
        county, bank = (fund.county_code, fund.bank_code) if fund else (EXAMPLE_COUNTY, EXAMPLE_BANK)
        _, token = create_key(engine, "officer", "demo officer", Scope(bank, frozenset({county})), created_by="demo")
    finally:
        engine.dispose()
    payload = json.dumps(example_body(county), ensure_ascii=False)
    console.print(f"demo officer key for bank {bank}, county {county} / 演示信贷员密钥:", highlight=False)
    console.print(token, highlight=False, soft_wrap=True)
    console.print("try / 试一试:", highlight=False)
    curl = f"curl -s -X POST http://{host}:{port}/v1/fumin/assessments -H 'Authorization: Bearer {token}' "
    console.print(f"{curl}-H 'Content-Type: application/json' -d '{payload}'", highlight=False, soft_wrap=True)


@guarded
def migrate() -> None:
    """Upgrade the ledger and the service tables (keys, audit) to the latest schema / 升级数据库."""
    from credit_engine.ledger import database as ledger_db
    from credit_engine.service_db import database as service_db

    engine = ledger_db.engine_for_settings(settings())
    try:
        ledger = ledger_db.migrate(engine)
        service = service_db.migrate(engine)
    finally:
        engine.dispose()
    console.print(f"ledger at {ledger}, service tables at {service} / 数据库已升级", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("migrate")(migrate)
