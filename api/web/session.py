"""Sessions of the workspace over HTTP: the cookie, the signed-in key, the CSRF check, the pages' rendering.

The session cookie is HttpOnly, SameSite=Strict, ``Secure`` when the page is served over https, and lives as long
as the session (``web_session_hours``). Every form carries the session's CSRF token and every POST is checked
(:func:`require_csrf`: a 403 page otherwise); the sign-in form, before any session, carries a token that its own
cookie must repeat. A request without a live session is sent to the sign-in page.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates

from api.web.text import LANG_COOKIE, TEXT, lang_of, translator
from credit_engine.reports.leverage import STATUS_LABELS
from credit_engine.workspace.figures import multiple, percent, yuan
from credit_engine.workspace.sessions import OpenedSession, WebSession, WebSessions

SESSION_COOKIE = "ce_session"
SIGN_IN_COOKIE = "ce_sign_in"
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
TEMPLATES.env.globals |= {"yuan": yuan, "multiple": multiple, "percent": percent, "STATUS_LABELS": STATUS_LABELS}


class PageError(Exception):
    """Answer with the error page: ``status`` and the bilingual text of ``key`` (:data:`api.web.text.TEXT`)."""

    def __init__(self, status: int, key: str, detail: str = "") -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail


class SignInNeeded(Exception):
    """No live session: the browser goes to the sign-in page."""


def sessions(request: Request) -> WebSessions:
    found = getattr(request.app.state, "web_sessions", None)
    services = request.app.state.services
    if found is None or found.audit is not services.audit:  # built for the services of this run of the app
        lifetime = dt.timedelta(hours=services.settings.web_session_hours)
        found = WebSessions(services.engine, lifetime, audit=services.audit)
        request.app.state.web_sessions = found
    return found


async def current_session(request: Request) -> WebSession | None:
    return await run_in_threadpool(sessions(request).find, request.cookies.get(SESSION_COOKIE))


async def signed_in(request: Request) -> WebSession:
    """The live session of the request (``SignInNeeded`` without one)."""
    found = await current_session(request)
    if found is None:
        raise SignInNeeded()
    return found


async def require_csrf(request: Request, session: WebSession) -> None:
    form = await request.form()
    given = form.get("csrf_token")
    if not session.csrf_matches(given if isinstance(given, str) else None):
        raise PageError(403, "csrf")


def set_session_cookie(request: Request, response: Response, opened: OpenedSession) -> None:
    seconds = max(int((opened.expires_at - dt.datetime.now(dt.UTC)).total_seconds()), 1)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, opened.token, max_age=seconds, httponly=True, secure=secure, samesite="strict", path="/"
    )
    response.delete_cookie(SIGN_IN_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


def sign_in_token(request: Request) -> str:
    """The sign-in form's CSRF token: the one its cookie already holds, or a new one."""
    return request.cookies.get(SIGN_IN_COOKIE) or secrets.token_urlsafe(32)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """A page of ``api/templates/workspace`` in the request's language (remembered in a cookie when asked)."""
    lang = lang_of(request)
    values = {"lang": lang, "t": translator(lang), "TEXT": TEXT, "query": _query(request)} | context
    response = TEMPLATES.TemplateResponse(request, f"workspace/{name}", values, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="strict", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


def _query(request: Request) -> str:
    """The view's ``as_of`` / ``known_at`` as a query string, for the links of a page."""
    kept = {k: v for k, v in request.query_params.items() if k in ("as_of", "known_at") and v}
    return urlencode(kept)
