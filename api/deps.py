"""Dependencies as typed aliases, so a route's signature reads in domain words (``principal: PrincipalDep``).

Authentication: ``Authorization: Bearer ce_…``; a missing, malformed, unknown or revoked key is a 401 (with
``WWW-Authenticate: Bearer``), decided from the keys held in memory; a key that cannot be decided while the database
is down (unknown to the keys held) is a 503, never a 401. JSON bodies that the routes validate against the
data contract themselves are read by :func:`json_body` (invalid JSON is a 422 like any other bad input).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from api.services import Services
from credit_engine.access.keys import KeysUnavailable
from credit_engine.access.principal import Principal
from credit_engine.assessment import Assessor
from credit_engine.desk import EventImports, LedgerReads, LedgerWrites, Reports
from credit_engine.errors import InvalidInput, RowError

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `credit-engine keys create`: `Authorization: Bearer ce_…`",
)


async def services(request: Request) -> Services:  # async: a sync dependency would cost a thread hop
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]


async def principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    if credentials is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    ring = request.app.state.services.keys
    found = ring.principal_for(credentials.credentials)
    if found is None and await run_in_threadpool(ring.refresh_for_unknown, credentials.credentials):
        found = ring.principal_for(credentials.credentials)
    if found is None and ring.undecided(credentials.credentials):
        raise KeysUnavailable()
    if found is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    request.state.key_id = found.key_id
    return found


PrincipalDep = Annotated[Principal, Depends(principal)]


async def assessor(request: Request) -> Assessor:
    return request.app.state.services.assessor


async def ledger_writes(request: Request) -> LedgerWrites:
    return request.app.state.services.desk.writes


async def ledger_reads(request: Request) -> LedgerReads:
    return request.app.state.services.desk.reads


async def reports(request: Request) -> Reports:
    return request.app.state.services.desk.reports


async def event_imports(request: Request) -> EventImports:
    return request.app.state.services.desk.imports


AssessorDep = Annotated[Assessor, Depends(assessor)]
LedgerWritesDep = Annotated[LedgerWrites, Depends(ledger_writes)]
LedgerReadsDep = Annotated[LedgerReads, Depends(ledger_reads)]
ReportsDep = Annotated[Reports, Depends(reports)]
EventImportsDep = Annotated[EventImports, Depends(event_imports)]


MAX_JSON_DEPTH = 32
"""An application is an object, a batch a list of them: 32 levels of nesting is far more than any body needs."""
INLINE_JSON_BYTES = 64 * 1024


def _invalid_json(message: str, message_zh: str = "请求内容不是有效的 JSON") -> InvalidInput:
    return InvalidInput([RowError(None, "body", "json", f"{message} / {message_zh}")])


async def json_body(request: Request) -> Any:
    """The request body as JSON values (text must be UTF-8; lone surrogates are refused, they cannot be stored;
    nesting deeper than :data:`MAX_JSON_DEPTH` is refused). A large body (a batch) is parsed on a worker thread, a
    small one (an application, ~1.5 KB) on the event loop: the thread hop would cost more than the parse."""
    raw = await request.body()
    if len(raw) > INLINE_JSON_BYTES:
        return await run_in_threadpool(parse_json, raw)
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    """JSON values of a body; ``InvalidInput`` (rule ``json``) for anything that is not plain, shallow JSON."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except (UnicodeDecodeError, ValueError):
        raise _invalid_json("the body is not valid JSON") from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _deeper_than(value, MAX_JSON_DEPTH):
        raise _too_deep()
    if b"\\u" in raw or b"\\U" in raw:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise _invalid_json("the body holds an invalid unicode escape", "请求内容含无效的 Unicode 转义") from None
    return value


def _too_deep() -> InvalidInput:
    depth = MAX_JSON_DEPTH
    message = f"the body nests arrays or objects deeper than {depth} levels"
    return _invalid_json(message, f"数组或对象嵌套超过 {depth} 层")


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


JsonBody = Annotated[Any, Depends(json_body)]
