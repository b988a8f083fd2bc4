"""Seeding a demo ledger from a generated registry: ``credit-engine ledger seed --from DIR``.

:func:`seed_ledger` reads ``DIR/households.parquet``, plans the history (:mod:`.seed_plan`: one fund per county,
loans to some households, repayments, delinquencies, compensation, recoveries, a write-off, chosen so that the
reports show every status) and posts every planned command through the ledger's services — the same invariants,
idempotency keys and audit trail as any other write. A fund's commands run 500 to a database transaction
(:class:`FundBatch`), which is what makes seeding fast (more to a transaction would not help: PostgreSQL keeps
every version of the fund's book row until the transaction ends). Event ids are the idempotency keys, so seeding
the same registry twice posts nothing new, and seeding again after an interruption completes what was missing.
Borrowers are referred to by the keyed hash of the head's ID number; raw ID numbers are never stored.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from credit_engine.clock import Clock, utc_now
from credit_engine.ledger import commands as c
from credit_engine.ledger.errors import LedgerError
from credit_engine.ledger.importer import SERVICE_OF
from credit_engine.ledger.position import FundPosition, fund_positions
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.products import check_policy_within_product
from credit_engine.ledger.seed_plan import FundPlan, plan_seed
from credit_engine.ledger.seed_stories import END
from credit_engine.ledger.unit_of_work import UnitOfWork
from credit_engine.policy.config import RatingPolicy, load_policy

HOUSEHOLDS_FILE = "households.parquet"
CHUNK = 500  # commands per transaction: PostgreSQL keeps every version of a row updated in one transaction
REGISTRY_COLUMNS = (
    "household_id",
    "head_id_number",
    "county_code",
    "registry_status",
    "head_age",
    "credit_record",
    "requested_amount",
    "term_months",
    "purpose",
    "defaulted",
)


class SeedRefused(LedgerError):
    """The ledger refused a planned command: the plan and the ledger disagree (nothing of that fund was kept)."""

    code = "seed_refused"

    def __reduce__(self):  # noqa: ANN204 - picklable across worker processes
        return (type(self), (self.message_en, self.message_zh))


class FundBatch(UnitOfWork):
    """A unit of work that many service calls share: their ``with uow`` and ``commit`` join one transaction,
    committed by the batch's own ``commit`` at depth one and rolled back if the batch ends without it."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        super().__init__(engine, clock)
        self._depth = 0

    def __enter__(self) -> FundBatch:
        if self._depth == 0:
            super().__enter__()
        self._depth += 1
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            super().__exit__(*exc_info)

    def commit(self) -> None:
        if self._depth == 1:
            super().commit()


@dataclass
class SeedSummary:
    """What seeding did: outcomes counted, and every fund's position at the end of the history."""

    counts: Counter = field(default_factory=Counter)
    positions: list[FundPosition] = field(default_factory=list)
    as_of: dt.date = END

    def by_status(self) -> Counter:
        return Counter(position.status for position in self.positions)


def read_registry(folder: Path):  # noqa: ANN201 - a pandas frame
    """The registry's households (only the columns seeding needs)."""
    import pandas as pd

    path = Path(folder) / HOUSEHOLDS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `credit-engine data generate` first / 找不到建档立卡数据")
    return pd.read_parquet(path, columns=list(REGISTRY_COLUMNS))


def post_commands(engine: Engine, commands: list[c.Command], clock: Clock = utc_now, chunk: int = CHUNK) -> Counter:
    """Post commands through the services, ``chunk`` to a transaction; ``SeedRefused`` if any is refused (its
    transaction keeps nothing; the earlier ones stand, and posting the same commands again completes them)."""
    counts: Counter = Counter()
    for start in range(0, len(commands), chunk):
        with FundBatch(engine, clock) as batch:
            for command in commands[start : start + chunk]:
                try:
                    receipt = SERVICE_OF[type(command)](batch, command)
                except LedgerError as error:
                    raise SeedRefused(
                        f"{command.fund_id} {command.idempotency_key}: {error.message_en}",
                        f"{command.fund_id} {command.idempotency_key}：{error.message_zh}",
                    ) from error
                counts["duplicate" if receipt.duplicate else "posted"] += 1
            batch.commit()
    return counts


def post_plan(engine: Engine, plan: FundPlan, clock: Clock = utc_now) -> Counter:
    """Post one fund's planned commands (see :func:`post_commands`)."""
    return post_commands(engine, plan.commands, clock)


def seed_ledger(
    engine: Engine,
    folder: Path,
    secret: str,
    *,
    fund_fen: int = 500_000_000,
    policy: RatingPolicy | None = None,
    clock: Clock = utc_now,
    progress: Callable[[int, int], None] | None = None,
) -> SeedSummary:
    """Plan and post the demo history of the registry in ``folder`` (households that pass the knock-outs of the
    rating ``policy``, default the shipped one); returns the outcome and the end positions. A policy that lends
    outside its product's limits is refused first (:class:`.products.PolicyOutsideProduct`)."""
    policy = policy or load_policy()
    with UnitOfWork(engine, clock, read_only=True) as reader:
        products = catalog(reader.connection)
    check_policy_within_product(policy, products)
    plans = plan_seed(read_registry(folder), secret, products, fund_fen, policy)
    summary = SeedSummary()
    for done, plan in enumerate(plans, start=1):
        summary.counts += post_plan(engine, plan, clock)
        if progress is not None:
            progress(done, len(plans))
    with UnitOfWork(engine, clock, read_only=True) as reader:
        ids = [plan.spec.fund_id for plan in plans]
        summary.positions = fund_positions(reader, END, fund_ids=ids)
    return summary
