"""The ceiling: a minimal FastAPI app answering one URL with precomputed bytes.

The benchmark serves it exactly like the real server (same uvicorn settings) and drives it with
the same load, so its requests/s is the most our stack can do for that response.
Run: `uvicorn --factory bench.ceiling:create_app` with CEILING_BODY=<file of the body bytes>.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response


def create_app() -> FastAPI:
    body = Path(os.environ["CEILING_BODY"]).read_bytes()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/{path:path}")
    async def precomputed(path: str) -> Response:
        return Response(body, media_type="application/json; charset=utf-8")

    return app
