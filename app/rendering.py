"""JSON responses with Shopify's content type, serialised by orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response
from starlette.types import Send

CONTENT_TYPE = "application/json; charset=utf-8"


def dumps(content: Any) -> bytes:
    return orjson.dumps(content)


class JSONResponse(StarletteJSONResponse):
    """A JSONResponse subclass, so the OpenAPI document shows each route's response model."""

    media_type = CONTENT_TYPE

    def render(self, content: Any) -> bytes:
        if isinstance(content, bytes):
            return content
        return dumps(content)


_CONTENT_TYPE = CONTENT_TYPE.encode("latin-1")


class JSONBytesResponse(Response):
    """A 200 `JSONResponse(body, headers={"Link": link})` of ready bytes, with the very same
    raw headers (link, content-length, content-type), without Starlette's general-purpose
    header assembly: the read routes' answer (app/routers/events.py)."""

    media_type = CONTENT_TYPE

    def __init__(self, body: bytes, link: str | None = None) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        length = (b"content-length", str(len(body)).encode("latin-1"))
        if link:
            self.raw_headers = [(b"link", link.encode("latin-1")), length]
        else:
            self.raw_headers = [length]
        self.raw_headers.append((b"content-type", _CONTENT_TYPE))


async def send_errors(
    send: Send, status: int, errors: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """Answer `{"errors": errors}` straight through ASGI (for middleware, outside any route)."""
    body = dumps({"errors": errors})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", _CONTENT_TYPE),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
