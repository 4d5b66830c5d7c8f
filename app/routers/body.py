"""The JSON body of a sandbox request (services check its envelope)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import Depends, Request


async def read_json_body(request: Request) -> Any:
    """The parsed body; `None` when it is empty or not JSON.

    Shopify reads an unparseable body as no parameters, so the service's envelope check
    answers it with 400 `{"errors": {"<resource>": "Required parameter missing or invalid"}}`.
    """
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None


JsonBody = Annotated[Any, Depends(read_json_body)]
