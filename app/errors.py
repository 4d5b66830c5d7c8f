"""Shopify's error envelope: every error is `{"errors": <string | object | list>}`.

Services and dependencies raise a `ShopifyError` (or a subclass carrying its own status);
the handlers installed by `install_error_handlers` render it. Nothing else builds error bodies.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.rendering import JSONResponse

log = logging.getLogger("shopify_events_mock")
UNEXPECTED = "An unexpected error occurred"

PAGINATION_DOCS = "See https://shopify.dev/api/usage/pagination-rest for more information."
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"


class ShopifyError(Exception):
    status_code: int = 400

    def __init__(
        self,
        errors: Any,
        status_code: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(errors)
        self.errors = errors
        if status_code is not None:
            self.status_code = status_code
        self.headers = headers or {}


class BadRequest(ShopifyError):
    status_code = 400


class NotFound(ShopifyError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("Not Found")


class Unauthorized(ShopifyError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__(
            INVALID_TOKEN, headers={"WWW-Authenticate": 'Basic Realm="Shopify API Authentication"'}
        )


class UnprocessableEntity(ShopifyError):
    """Shopify's validation errors: `{"errors": {"field": ["message", ...]}}`."""

    status_code = 422


def invalid_param(name: str) -> BadRequest:
    return BadRequest({name: "Invalid value."})


def error_response(
    status_code: int, errors: Any, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse({"errors": errors}, status_code=status_code, headers=headers)


_STATUS_TEXT = {
    400: "Bad Request",
    401: INVALID_TOKEN,
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
}


async def _shopify_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShopifyError)
    return error_response(exc.status_code, exc.errors, exc.headers)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    text = _STATUS_TEXT.get(exc.status_code, "An unexpected error occurred")
    return error_response(exc.status_code, text, dict(exc.headers or {}))


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        name = ".".join(loc[-1:]) or "base"
        fields.setdefault(name, []).append(str(err.get("msg", "is invalid")))
    return error_response(422, fields or {"base": ["is invalid"]})


async def _unexpected(_: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, UNEXPECTED)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopifyError, _shopify_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
