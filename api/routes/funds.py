"""Risk-compensation funds: open one, change its policy, money in and out, reversals, positions, event files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import EventImportsDep, LedgerReadsDep, LedgerWritesDep, PrincipalDep
from api.idempotency import OnceOnlyDep
from api.routes.writes import WRITE_ERRORS, post
from api.schemas.common import IsoDate, IsoMoment, error_responses
from api.schemas.ledger import (
    FundId,
    FundIn,
    FundMoneyIn,
    ImportOut,
    PolicyIn,
    PositionOut,
    ReversalIn,
    WrittenOut,
)
from credit_engine.ledger import commands as c
from credit_engine.tablefile import checked_suffix

router = APIRouter(prefix="/v1", tags=["funds 风险补偿金"])
AsOf = Annotated[IsoDate | None, Query(description="Value date of the position (default: today).")]
KnownAt = Annotated[IsoMoment | None, Query(description="Only what the ledger knew at this time (ISO 8601).")]


@router.post("/funds", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS, summary="Open a fund / 设立")
def open_fund(body: FundIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """Open a county's fund at a partner bank (fund administrators); the money arrives as its first contribution."""
    return post(once.of(body), writes, principal, body.command(once.key))


@router.get("/funds", response_model=list[PositionOut], responses=error_responses(401, 403, 422, 503))
def list_funds(principal: PrincipalDep, ledger: LedgerReadsDep, as_of: AsOf = None, known_at: KnownAt = None):
    """Every fund the key may see, as of a date (as known at a time)."""
    return [PositionOut.of(p) for p in ledger.positions(principal, as_of, known_at)]


@router.get("/funds/{fund_id}", response_model=PositionOut, responses=error_responses(401, 403, 404, 422, 503))
def fund_position(
    fund_id: FundId, principal: PrincipalDep, ledger: LedgerReadsDep, as_of: AsOf = None, known_at: KnownAt = None
):
    """One fund: balance, covered principal, multiple, floor shortfall, cap headroom, NPL ratio, status."""
    return PositionOut.of(ledger.position(principal, fund_id, as_of, known_at))


@router.post("/funds/{fund_id}/policies", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS)
def set_policy(
    fund_id: FundId,
    body: PolicyIn,
    principal: PrincipalDep,
    ledger: LedgerReadsDep,
    writes: LedgerWritesDep,
    once: OnceOnlyDep,
):
    """New terms from ``effective_from`` on (terms not given stay as in force then); older reports keep the old."""
    current = ledger.terms_on(principal, fund_id, body.effective_from)
    return post(once.of(body), writes, principal, body.command(fund_id, once.key, current))


@router.post("/funds/{fund_id}/contributions", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS)
def contribute(fund_id: FundId, body: FundMoneyIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """注入/补充: money paid into the fund."""
    return post(once.of(body), writes, principal, body.command(c.Contribute, fund_id, once.key))


@router.post("/funds/{fund_id}/clawbacks", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS)
def claw_back(fund_id: FundId, body: FundMoneyIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """收回/核减: money taken back out of the fund (never below zero on any date)."""
    return post(once.of(body), writes, principal, body.command(c.ClawBack, fund_id, once.key))


@router.post("/funds/{fund_id}/interest", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS)
def fund_interest(
    fund_id: FundId, body: FundMoneyIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep
):
    """Interest earned on the fund's account (it stays in the fund)."""
    return post(once.of(body), writes, principal, body.command(c.RecordFundInterest, fund_id, once.key))


@router.post("/funds/{fund_id}/reversals", status_code=201, response_model=WrittenOut, responses=WRITE_ERRORS)
def reverse(fund_id: FundId, body: ReversalIn, principal: PrincipalDep, writes: LedgerWritesDep, once: OnceOnlyDep):
    """冲正: cancel an earlier event by its event id (a loan's latest event first)."""
    command = c.Reverse(
        fund_id=fund_id, idempotency_key=once.key, reverses_key=body.reverses_event_id, value_date=body.value_date
    )
    return post(once.of(body), writes, principal, command)


EVENT_FILES_PATH = "/v1/ledger/event-files"
EVENT_FILE_SUFFIXES = (".csv", ".xlsx", ".xlsm")


@router.post(
    EVENT_FILES_PATH.removeprefix("/v1"),
    response_model=ImportOut,
    responses=error_responses(400, 401, 403, 404, 409, 413, 422, 503),
    summary="Post a bank's event file / 导入银行事件文件",
)
def import_event_file(
    file: Annotated[UploadFile, File(description="CSV or XLSX, 中文 or English headers")],
    principal: PrincipalDep,
    imports: EventImportsDep,
    once: OnceOnlyDep,
):
    """The whole file is validated first (any bad row: 422 listing every one, nothing posted) and every event's fund
    must be in the key's scope; then each event is posted, idempotent by its event id. Business refusals (cap
    reached, wrong loan state) are per-event outcomes, not errors."""
    suffix = checked_suffix(file.filename, EVENT_FILE_SUFFIXES)

    def run() -> ImportOut:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"events{suffix}"
            file.file.seek(0)
            with path.open("wb") as target:
                shutil.copyfileobj(file.file, target)
            outcomes = imports.import_events(principal, path)
        counts = {status: sum(o["status"] == status for o in outcomes) for status in ("posted", "duplicate", "refused")}
        events = [o | {"transaction_id": o["transaction_id"] or None} for o in outcomes]
        return ImportOut(**counts, events=events)

    return once.run(200, run)
