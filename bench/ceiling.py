"""The ceiling: a minimal FastAPI app answering each benchmarked URL with precomputed bytes.

The benchmark serves it exactly like the real server (same uvicorn settings) and drives it with
the same load, so its requests/s is the most our stack can do for that response.
CEILING_BODIES names a JSON file mapping `path?query` to a file holding that URL's body.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import Response


def create_app() -> FastAPI:
    index = json.loads(Path(os.environ["CEILING_BODIES"]).read_text())
    bodies = {url: Path(file).read_bytes() for url, file in index.items()}
    fallback = next(iter(bodies.values()))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/{path:path}")
    async def precomputed(path: str, request: Request) -> Response:
        query = request.scope["query_string"].decode()
        body = bodies.get(f"/{path}?{query}" if query else f"/{path}", fallback)
        return Response(body, media_type="application/json; charset=utf-8")

    return app
