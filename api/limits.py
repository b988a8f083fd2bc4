"""Request size limits, answered in the service's own error shape (413 ``PayloadTooLarge``).

A small limit for every JSON request (an application is ~1.5 KB) and a larger one for the routes that take files or
batches. A declared ``Content-Length`` over the limit is refused before anything is read; a body streamed without
one is counted as it arrives and refused the moment it passes the limit.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import body

TOO_LARGE = body("PayloadTooLarge", "the request body is over the size limit", "请求内容超过大小限制")


class BodyLimit:
    def __init__(self, app: ASGIApp, default_bytes: int, large_bytes: int, large_paths: frozenset[str]) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.large_bytes = large_bytes
        self.large_paths = large_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large_bytes if scope["path"] in self.large_paths else self.default_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send) -> None:
    content = json.dumps(TOO_LARGE, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": content})
