"""The FastAPI application, built by :func:`create_app` from the settings — nothing connects or loads at import.

The lifespan builds the services (:mod:`api.services`: database engine, champion model, keys, fund headroom, audit
writer) when the server starts and closes them when it stops: uvicorn stops accepting connections on SIGTERM, lets
the requests in flight finish, then the audit writer drains its queue before the process exits. ``serve_app`` is
the factory uvicorn's workers call (settings from the environment).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api import docs, errors, server
from api.limits import BodyLimit
from api.metrics import Metrics
from api.middleware import Observe
from api.routes import assessments, fund_metrics, funds, insurance, loans, operations, qiangnong, reports
from api.schemas.assessments import application_schema
from api.schemas.enterprise import enterprise_application_schema
from api.services import ApiOptions, Services
from api.web import routes as web
from credit_engine.config import Settings, load_settings

DESCRIPTION = """
Scoring and fund-ledger API of the credit engine for 富民贷 / 强农贷.

* **Authentication**: `Authorization: Bearer ce_…` (keys from `credit-engine keys create`). 401 without a valid key,
  403 outside the key's role or scope (a 403 says nothing about what exists outside it).
* **Errors** have one shape everywhere: `{"error", "message", "message_zh", "details": [{"field", "field_zh", "rule",
  "message", "value"}]}`; a 422 lists every bad field with its 中文 name and the value given (ID numbers masked).
* **Writes** to the ledger need an `Idempotency-Key` header: a retry with the same key and body returns the first
  response, the same key with another body is a 422, a retry while the first is running a 409.
* **Money** is a JSON number or plain decimal text (`123`, `123.45`) in yuan with at most 2 decimals and at most
  10,000,000,000 yuan (anything else is a 422, never rounded or coerced); the ledger keeps fen.
"""


def create_app(settings: Settings, options: ApiOptions | None = None) -> FastAPI:
    options = options or ApiOptions()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services(settings, options, metrics)
        services.start()
        app.state.services = services
        if server.supervised():  # another worker reloaded the champion: follow it (off the event loop)
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(
                server.SIBLINGS_RELOAD, lambda: loop.run_in_executor(None, services.follow_sibling_reload)
            )
        try:
            yield
        finally:
            if server.supervised():
                asyncio.get_running_loop().remove_signal_handler(server.SIBLINGS_RELOAD)
            services.close()

    app = FastAPI(
        title="credit-engine API",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves /docs and /redoc from the package's own assets: they work offline
        redoc_url=None,
    )
    errors.install(app)
    docs.install(app)
    for module in (assessments, qiangnong, funds, loans, insurance, reports, operations, fund_metrics):
        app.include_router(module.router)
    web.install(app)  # the fund administrator's workspace: pages at / and /workspace
    large = frozenset({assessments.BATCH_PATH, qiangnong.BATCH_PATH, funds.EVENT_FILES_PATH})
    app.add_middleware(
        BodyLimit, default_bytes=options.max_body_bytes, large_bytes=options.max_upload_bytes, large_paths=large
    )
    app.add_middleware(Observe, metrics=metrics)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the household application's schema generated from the contract's field table."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["FuminApplication"] = application_schema()
        schemas["QiangnongApplication"] = enterprise_application_schema()
        app.openapi_schema = document
    return app.openapi_schema


def serve_app() -> FastAPI:
    """The factory of ``credit-engine serve`` (each uvicorn worker calls it): settings from the environment; the
    heap is settled once the services have started (:mod:`api.heap`)."""
    return create_app(load_settings(), ApiOptions(settle_heap=True))
