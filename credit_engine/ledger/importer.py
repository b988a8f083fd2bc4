"""Applying a bank's event file: validate it whole (:mod:`.eventfile`), then post event by event, idempotently.

Each event's id is its idempotency key within its fund, so importing the same file twice posts nothing new (every
event comes back ``duplicate``). Business refusals — cap reached, fund suspended, wrong loan state — are outcomes of
single events, written to the results file (``<stem>.results.csv`` beside the input unless told otherwise) with the
error code and a bilingual message; they never stop the import. Cells that a spreadsheet would run as formulas
are made inert in the results file.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from credit_engine.cell_text import csv_text
from credit_engine.errors import InvalidInput
from credit_engine.ledger import commands as c
from credit_engine.ledger import services
from credit_engine.ledger.errors import LedgerError
from credit_engine.ledger.eventfile import EventRow, read_events
from credit_engine.ledger.product_store import catalog
from credit_engine.ledger.unit_of_work import UnitOfWork

RESULT_COLUMNS = ("row", "fund_id", "event_id", "event_type", "status", "error_code", "message", "transaction_id")


SERVICE_OF: dict[type[c.Command], Callable[[UnitOfWork, Any], c.Receipt]] = {
    c.Contribute: services.contribute,
    c.ClawBack: services.claw_back,
    c.RecordFundInterest: services.record_fund_interest,
    c.Disburse: services.disburse,
    c.Repay: services.repay,
    c.ReportDelinquency: services.report_delinquency,
    c.Cure: services.cure,
    c.ClaimCompensation: services.claim_compensation,
    c.PayCompensation: services.pay_compensation,
    c.Recover: services.recover,
    c.WriteOff: services.write_off,
    c.Extend: services.extend,
    c.Reverse: services.reverse,
    c.CreateFund: services.create_fund,
    c.SetPolicy: services.set_policy,
    c.SetInsuranceCover: services.set_insurance_cover,
    c.PayInsurancePremium: services.pay_insurance_premium,
    c.RecordInsurerPayment: services.record_insurer_payment,
}
"""The ledger service that posts each kind of command (the file's events, opening a fund, a policy or cover change)."""
SERVICES: dict[str, tuple[Callable, type[c.Command]]] = {
    command.event_type: (service, command)
    for command, service in SERVICE_OF.items()
    if command not in (c.CreateFund, c.SetPolicy, c.SetInsuranceCover)
}
"""The service and the command of each event type a bank's event file may carry (by the command's ``event_type``)."""
_FROM_FILE = {"idempotency_key": "event_id", "reverses_key": "reverses_event_id"}


def command_for(event: EventRow, recorded_by: str) -> tuple[Callable, c.Command]:
    """The service and command of one file event (the command's fields are taken from the event's columns)."""
    service, command_type = SERVICES[event.event_type]
    names = [f.name for f in fields(command_type) if f.name != "recorded_by"]
    values = {name: getattr(event, _FROM_FILE.get(name, name)) for name in names}
    values["recorded_by"] = recorded_by
    return service, command_type(**values)


@dataclass
class ImportSummary:
    """Counts of outcomes (``posted``, ``duplicate``, ``refused``) and where the results were written."""

    results_path: Path
    counts: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def apply_event(uow: UnitOfWork, event: EventRow, recorded_by: str) -> dict[str, object]:
    """Post one event; the outcome as a results-file row."""
    outcome = {"row": event.row, "fund_id": event.fund_id, "event_id": event.event_id, "event_type": event.event_type}
    service, command = command_for(event, recorded_by)
    try:
        receipt = service(uow, command)
    except (LedgerError, InvalidInput) as error:
        code = getattr(error, "code", "invalid_input")
        return outcome | {"status": "refused", "error_code": code, "message": str(error), "transaction_id": ""}
    status = "duplicate" if receipt.duplicate else "posted"
    return outcome | {"status": status, "error_code": "", "message": "", "transaction_id": receipt.transaction_id}


def import_events(
    uow: UnitOfWork,
    path: Path,
    secret: str,
    results_path: Path | None = None,
    recorded_by: str = "import",
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Validate the whole file (``InvalidInput``: nothing posted), then apply every event in order."""
    path = Path(path)
    with UnitOfWork(uow.engine, read_only=True) as reader:
        products = catalog(reader.connection)
    events = read_events(path, secret, products)
    summary = ImportSummary(Path(results_path) if results_path else path.with_name(f"{path.stem}.results.csv"))
    with summary.results_path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=RESULT_COLUMNS)
        writer.writeheader()
        for done, event in enumerate(events, start=1):
            outcome = apply_event(uow, event, recorded_by)
            writer.writerow({key: csv_text(value) for key, value in outcome.items()})
            summary.counts[str(outcome["status"])] += 1
            if outcome["error_code"]:
                summary.refusals[str(outcome["error_code"])] += 1
            if progress is not None:
                progress(done, len(events))
    return summary
