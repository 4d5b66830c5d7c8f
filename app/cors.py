"""CORS, off unless `CORS_ALLOW_ORIGINS` names the browser origins allowed to call the API.

Starlette's middleware with one change: a refused preflight answers in Shopify's envelope
(`{"errors": "Disallowed CORS origin"}`) instead of plain text.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.rendering import JSONResponse

EXPOSED_HEADERS = ["Link", "X-Request-Id", "X-Shopify-API-Version", "Retry-After"]


class ShopifyCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("access-")}
        message = bytes(response.body).decode()
        return JSONResponse({"errors": message}, status_code=400, headers=headers)
