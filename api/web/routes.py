"""The workspace's routes: sign-in at ``/``, sign-out, the action list at ``/workspace``, the drill-down (province
or county, fund, loan) and the exports. Each reads one :class:`credit_engine.workspace.views.Workspace` view for the
signed-in key; a fund or an area outside the key's scope is the same 404 page as one that does not exist."""

from __future__ import annotations

import datetime as dt
import hmac
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Form, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.web.session import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    PageError,
    SignInNeeded,
    clear_session_cookie,
    current_session,
    render,
    require_csrf,
    sessions,
    set_session_cookie,
    sign_in_token,
    signed_in,
)
from api.web.text import TEXT
from credit_engine.access.principal import AccessDenied
from credit_engine.desk import ReportRequest
from credit_engine.desk.reports import known_at_in_china
from credit_engine.errors import InvalidInput
from credit_engine.ledger.errors import UnknownFund, UnknownLoan
from credit_engine.reports.formats import write_report
from credit_engine.stress.rendering import write_stress
from credit_engine.workspace.charts import multiple_chart, quality_chart
from credit_engine.workspace.sessions import SignInRefused, WebSession
from credit_engine.workspace.stress import FundStressCache
from credit_engine.workspace.views import Moment, Workspace

router = APIRouter(include_in_schema=False)
Session = Annotated[WebSession, Depends(signed_in)]
T = TypeVar("T")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STRESS_MEDIA = {"xlsx": XLSX, "html": "text/html; charset=utf-8"}


def workspace(request: Request) -> Workspace:
    return Workspace(request.app.state.services.desk.reads)


def moment(request: Request) -> Moment:
    """The view's value date and recording time from ``?as_of=`` and ``?known_at=`` (a 422 page when malformed)."""
    as_of, known_at = request.query_params.get("as_of"), request.query_params.get("known_at")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else workspace(request).today()
        moment_ = known_at_in_china(dt.datetime.fromisoformat(known_at)) if known_at else None
    except ValueError:
        raise PageError(422, "bad_date", f"as_of={as_of or ''} known_at={known_at or ''}") from None
    return Moment(day, moment_)


async def read(call: Callable[[], T]) -> T:
    """A view read off the event loop; out of scope and unknown are the same 404."""
    try:
        return await run_in_threadpool(call)
    except (AccessDenied, UnknownFund, UnknownLoan):
        raise PageError(404, "not_found") from None
    except InvalidInput as error:
        raise PageError(422, "bad_input", "; ".join(f"{e.field}: {e.message}" for e in error.errors)) from None


@router.get("/")
async def sign_in_page(request: Request) -> Response:
    if await current_session(request) is not None:
        return RedirectResponse("/workspace", status_code=303)
    return _sign_in_form(request)


def _sign_in_form(request: Request, status: int = 200, error: tuple[str, str] | None = None) -> Response:
    token = sign_in_token(request)
    response = render(request, "sign_in.html", {"csrf_token": token, "error": error}, status)
    secure = request.url.scheme == "https"
    response.set_cookie(SIGN_IN_COOKIE, token, httponly=True, secure=secure, samesite="strict", path="/")
    return response


@router.post("/")
async def sign_in(request: Request, api_key: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = ""):
    expected = request.cookies.get(SIGN_IN_COOKIE)
    if not expected or not csrf_token or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise PageError(403, "csrf")
    ring = request.app.state.services.keys
    token = api_key.strip()
    principal = ring.principal_for(token)
    if principal is None and await run_in_threadpool(ring.refresh_for_unknown, token):
        principal = ring.principal_for(token)
    if principal is None and ring.undecided(token):
        raise PageError(503, "keys_unavailable")
    if principal is None:
        await run_in_threadpool(sessions(request).refuse, token)
        return _sign_in_form(request, 401, TEXT["bad_key"])
    try:
        opened = await run_in_threadpool(sessions(request).open, principal)
    except SignInRefused as refused:
        return _sign_in_form(request, 403, (refused.message_zh, refused.message_en))
    response = RedirectResponse("/workspace", status_code=303)
    set_session_cookie(request, response, opened)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Session) -> Response:
    await require_csrf(request, session)
    await run_in_threadpool(sessions(request).close, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/workspace")
async def overview(request: Request, session: Session) -> Response:
    when = moment(request)
    view = await read(lambda: workspace(request).overview(session.principal, when))
    return render(request, "overview.html", {"session": session, "view": view, "moment": when})


@router.get("/workspace/areas/{code}")
async def area(request: Request, code: str, session: Session) -> Response:
    when = moment(request)
    view = await read(lambda: workspace(request).area(session.principal, code, when))
    return render(request, "area.html", {"session": session, "view": view, "moment": when})


@router.get("/workspace/funds/{fund_id}")
async def fund(request: Request, fund_id: str, session: Session) -> Response:
    when = moment(request)
    view = await read(lambda: workspace(request).fund(session.principal, fund_id, when))
    terms = view.position.terms
    charts = [multiple_chart(view.trend, terms), quality_chart(view.trend, terms)]
    stress = await read(lambda: stress_cache(request).result(fund_id, when))
    context = {"session": session, "view": view, "moment": when, "charts": charts, "stress": stress.funds[0]}
    context["stress_scenarios"] = stress.options.scenarios
    return render(request, "fund.html", context | {"horizons": sorted(stress.funds[0].current.exhaustion_by_month)})


@router.get("/workspace/funds/{fund_id}/stress.{fmt}")
async def fund_stress(request: Request, fund_id: str, fmt: str, session: Session) -> Response:
    """The fund's stress test as the full XLSX workbook or HTML page of ``credit-engine stress``."""
    if fmt not in STRESS_MEDIA:
        raise PageError(404, "not_found")
    when = moment(request)
    await read(lambda: workspace(request).readable_fund(session.principal, fund_id, when))
    result = await read(lambda: stress_cache(request).result(fund_id, when))

    def rendered() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            return write_stress(result, fmt, Path(folder) / f"stress.{fmt}").read_bytes()

    content = await run_in_threadpool(rendered)
    headers = {"Content-Disposition": f'attachment; filename="stress-{fund_id}-{when.as_of}.xlsx"'}
    return Response(content, media_type=STRESS_MEDIA[fmt], headers=headers if fmt == "xlsx" else None)


def stress_cache(request: Request) -> FundStressCache:
    found = getattr(request.app.state, "fund_stress", None)
    if found is None:
        found = request.app.state.fund_stress = FundStressCache(request.app.state.services.engine)
    return found


@router.get("/workspace/funds/{fund_id}/loans/{loan_id}")
async def loan(request: Request, fund_id: str, loan_id: str, session: Session) -> Response:
    when = moment(request)
    view = await read(lambda: workspace(request).loan(session.principal, fund_id, loan_id, when))
    return render(request, "loan.html", {"session": session, "view": view, "moment": when})


@router.get("/workspace/export/{kind}.xlsx")
async def export(request: Request, kind: str, session: Session, county: str | None = None) -> Response:
    """The leverage or portfolio report's XLSX (the reports' own workbook) of a county the key may read."""
    if kind not in ("leverage", "portfolio"):
        raise PageError(404, "not_found")
    when = moment(request)
    reports = request.app.state.services.desk.reports
    ask = ReportRequest(kind, when.as_of, when.known_at, county)

    def build() -> bytes:
        report = reports.report(session.principal, ask, with_series=True)
        with tempfile.TemporaryDirectory() as folder:
            return write_report(report, "xlsx", Path(folder) / f"{kind}.xlsx").read_bytes()

    content = await read(build)
    name = f"{kind}-{county or 'all'}-{when.as_of}.xlsx"
    return Response(content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


STATIC = Path(__file__).resolve().parent.parent / "static" / "workspace"


async def _page_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, PageError)
    context = {"status": error.status, "key": error.key, "detail": error.detail}
    return render(request, "error.html", context | {"session": None}, error.status)


async def _sign_in_needed(request: Request, error: Exception) -> Response:
    return RedirectResponse("/", status_code=303)


def install(app: FastAPI) -> None:
    """The workspace's routes, its error pages and its stylesheet (``/static/workspace``) on the app."""
    app.include_router(router)
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(SignInNeeded, _sign_in_needed)
    app.mount("/static/workspace", StaticFiles(directory=STATIC), name="workspace-static")
