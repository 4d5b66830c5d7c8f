"""JSON responses with Shopify's content type, serialised by orjson."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StarletteJSONResponse

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
