"""What the ledger benchmarks share: a fresh PostgreSQL database of their own, the 58 funds, the machine's load.

``fresh_database`` creates ``ce_bench_<pid>`` on the server of ``--server`` (default: the local PostgreSQL of the
development machine), migrates it and drops it afterwards (``keep=True`` leaves it for another run). ``open_funds``
opens one 5,000,000-yuan fund per Shanxi poverty county at SXRCU and a second fund at PSBC for the first county: 58
funds, as in the seeded demo.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def fresh_database(server: str = SERVER, name: str | None = None, keep: bool = False) -> Iterator[str]:
    """URL of a new, migrated ledger database on ``server``; dropped on exit unless ``keep``."""
    from credit_engine.ledger.database import make_engine, migrate

    name = name or f"ce_bench_{os.getpid()}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if not keep:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fund_ids() -> list[tuple[str, str, str]]:
    """(fund id, county, bank) of the 58 funds."""
    from credit_engine.regions import SHANXI_POVERTY_COUNTIES

    funds = [(f"{c.code}-SXRCU", c.code, "SXRCU") for c in SHANXI_POVERTY_COUNTIES]
    first = SHANXI_POVERTY_COUNTIES[0].code
    return [*funds, (f"{first}-PSBC", first, "PSBC")]


def open_funds(engine, amounts_fen: dict[str, int] | None = None, opened: dt.date = dt.date(2021, 1, 1)) -> list[str]:  # noqa: ANN001
    """Open the 58 funds (5,000,000 yuan unless ``amounts_fen`` says otherwise) through the service."""
    from credit_engine.ledger import commands as c
    from credit_engine.ledger import services
    from credit_engine.ledger.domain import default_terms
    from credit_engine.ledger.unit_of_work import UnitOfWork

    uow = UnitOfWork(engine)
    ids = []
    for fund_id, county, bank in fund_ids():
        command = c.CreateFund(
            fund_id=fund_id,
            idempotency_key="open",
            recorded_by="bench",
            county_code=county,
            bank_code=bank,
            value_date=opened,
            amount_fen=(amounts_fen or {}).get(fund_id, 500_000_000),
            terms=default_terms(),
        )
        services.create_fund(uow, command)
        ids.append(fund_id)
    return ids


def machine() -> dict[str, object]:
    """Cores, load average and the busiest other processes when the benchmark ran (the box is shared)."""
    top = subprocess.run(
        ["ps", "-eo", "pcpu,comm,args", "--sort=-pcpu", "--no-headers"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[:6]
    return {"cores": os.cpu_count(), "load_average": os.getloadavg(), "busiest_processes": [t[:120] for t in top]}
