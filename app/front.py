"""The shop's ASGI application: our own middleware in front of FastAPI's stack.

`ShopApp` is a FastAPI app whose HTTP requests first pass through the *front* middleware
(CORS, the Shopify headers, the body limit, the toolkit, the event reads' fast path) and only
then, when the fast path does not answer them, through FastAPI's own stack (its server-error,
telemetry and body-limit layers, the exception handlers, routing). Added in front, the fast
path's reads skip that stack, which cost a read more than the fast path's own query did
(FastAPI checks its OpenTelemetry providers on every request; docs/decisions.md has the
numbers). Every other request goes through both, as it always has.

The front layers sit outside FastAPI's ServerErrorMiddleware, so `ServerErrorGuard` does its
job for them: an exception raised before a response has started is answered with Shopify's
500 (`{"errors":"An unexpected error occurred"}`), then raised again for the server to log.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import UNEXPECTED
from app.rendering import send_errors


class ServerErrorGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            if not started:
                await send_errors(send, 500, UNEXPECTED, [])
            raise


class ShopApp(FastAPI):
    """FastAPI with front middleware (see the module docstring)."""

    def __init__(self, referenced_models: Sequence[type[BaseModel]] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.front_middleware: list[Middleware] = []
        self._front: ASGIApp | None = None
        self.referenced_models = list(referenced_models)

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with the schemas of the models that its responses name only by
        `$ref` (app.schemas.error_response) added to its components."""
        if self.openapi_schema is None:
            spec = super().openapi()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in self.referenced_models:
                schemas[model.__name__] = model.model_json_schema(
                    ref_template="#/components/schemas/{model}", mode="serialization"
                )
        return self.openapi_schema or {}

    def add_front_middleware(self, cls: Any, **options: Any) -> None:
        """Like `add_middleware`: the one added last is the outermost."""
        if self._front is not None:
            raise RuntimeError("Cannot add front middleware after the application has started")
        self.front_middleware.insert(0, Middleware(cls, **options))

    async def _inner(self, scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(self, scope, receive, send)

    def _build_front(self) -> ASGIApp:
        app: ASGIApp = self._inner
        for cls, args, kwargs in reversed(self.front_middleware):
            app = cls(app, *args, **kwargs)
        return ServerErrorGuard(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan (and websockets, which the shop has none of)
            await super().__call__(scope, receive, send)
            return
        front = self._front
        if front is None:
            front = self._front = self._build_front()
        scope["app"] = self
        await front(scope, receive, send)
