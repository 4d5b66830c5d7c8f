"""ASGI middleware: refuse request bodies over `MAX_BODY_BYTES` with 413 in Shopify's envelope.

A declared `Content-Length` over the limit is answered at once, before anything is read. A body
without one (chunked) is counted as the app reads it: past the limit the read raises
`HTTPException(413)`, which the app's error handlers render as `{"errors": "Request Entity Too
Large"}` (FastAPI passes HTTPException through its body parsing untouched).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.rendering import dumps

TOO_LARGE = 413
_BODY = dumps({"errors": "Request Entity Too Large"})


async def _send_too_large(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": TOO_LARGE,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(_BODY)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _BODY})


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server itself refuses a malformed Content-Length
    return None


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _send_too_large(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(TOO_LARGE)
            return message

        await self.app(scope, limited_receive, send)
