"""``Idempotency-Key`` on every write: a retry gets the first response, a different body a 422, a retry while the
first is running a 409 (:mod:`credit_engine.access.requests` keeps the record, per API key).

A request is identified by its method, path and body: a JSON body by the canonical form of the validated request
(:meth:`OnceOnly.of`: key order, blanks and an amount written ``"30000"`` or ``30000`` do not matter), file uploads by
each part's name, file name and content (not the random multipart boundary). Only
successful responses are stored; a refused write gives its key back, so the client can correct and retry it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from api.deps import PrincipalDep, ServicesDep
from credit_engine.access.requests import IdempotentRequests
from credit_engine.audit.entry import canonical_json
from credit_engine.identifiers import CODES, json_pattern

log = logging.getLogger(__name__)
REPLAYED = "Idempotent-Replayed"

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=CODES["event_id"].max_length,
        pattern=json_pattern("event_id"),
        description="Chosen by the client, unique per write (e.g. the bank's event id); a retry reuses it.",
        examples=["disb-2025-06-30-000123"],
    ),
]


class OnceOnly:
    """Runs a write at most once per idempotency key and answers retries with the stored response."""

    def __init__(
        self, requests: IdempotentRequests, key_id: str, key: str, request_sha256: str, target: str = ""
    ) -> None:
        self.requests = requests
        self.key_id = key_id
        self.key = key
        self.request_sha256 = request_sha256
        self.target = target

    def of(self, body: BaseModel) -> OnceOnly:
        """The same write identified by its validated body: a retry that writes a value differently (an amount as
        a number or as text) is the same request."""
        digest = hashlib.sha256(f"{self.target}\n".encode())
        digest.update(canonical_json(body.model_dump(mode="json")).encode())
        return OnceOnly(self.requests, self.key_id, self.key, digest.hexdigest(), self.target)

    def run(self, status_code: int, write: Callable[[], BaseModel]) -> Response:
        stored = self.requests.begin(self.key_id, self.key, self.request_sha256)
        if stored is not None:
            return Response(stored.body, stored.status_code, {REPLAYED: "true"}, media_type="application/json")
        try:
            result = write()
        except BaseException:
            self._give_back()
            raise
        text = result.model_dump_json()
        self.requests.finish(self.key_id, self.key, status_code, text)
        return Response(text, status_code, media_type="application/json")

    def _give_back(self) -> None:
        try:
            self.requests.abandon(self.key_id, self.key)
        except Exception as error:  # the claim then expires on its own
            log.warning("idempotency key could not be released: %s", type(error).__name__)


async def _request_sha256(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
            if isinstance(value, UploadFile):
                content = await value.read()
                await value.seek(0)
                digest.update(f"{name}={value.filename}:{hashlib.sha256(content).hexdigest()}\n".encode())
            else:
                digest.update(f"{name}={value}\n".encode())
        return digest.hexdigest()
    raw = await request.body()
    try:
        digest.update(canonical_json(json.loads(raw)).encode())
    except (UnicodeDecodeError, ValueError):
        digest.update(raw)
    return digest.hexdigest()


async def once_only(request: Request, principal: PrincipalDep, key: IdempotencyKey, services: ServicesDep) -> OnceOnly:
    target = f"{request.method} {request.url.path}"
    return OnceOnly(services.requests, principal.key_id, key, await _request_sha256(request), target)


OnceOnlyDep = Annotated[OnceOnly, Depends(once_only)]
