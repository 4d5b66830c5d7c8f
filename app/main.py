"""create_app(): the FastAPI application, its routers, error handlers and middleware."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Path
from sqlalchemy.engine import Engine

from app.bodylimit import BodySizeLimitMiddleware
from app.config import Settings, get_settings
from app.cors import EXPOSED_HEADERS, ShopifyCORSMiddleware
from app.db import create_schema, make_engine
from app.deps import require_access_token
from app.errors import install_error_handlers
from app.fastpath import EventReadsFastPath
from app.front import ShopApp
from app.middleware import ShopifyHeadersMiddleware
from app.rendering import JSONResponse
from app.routers import blogs, collections, comments, events, orders, pages, price_rules, products
from app.schemas import REFERENCED_MODELS
from app.services.reader import EventReader
from app.toolkit import install as install_toolkit

ADMIN_ROUTERS: list[APIRouter] = [
    events.router,
    products.router,
    collections.router,
    blogs.router,
    comments.router,
    pages.router,
    price_rules.router,
    orders.router,
]


VERSION_PATTERN = r"^([0-9]{4}-(01|04|07|10)|unstable)$"


async def _versioned(
    version: str = Path(
        description="`YYYY-MM` (01, 04, 07, 10) or `unstable`",
        # Documented, not enforced here: the middleware answers a malformed version with 404.
        json_schema_extra={"pattern": VERSION_PATTERN, "examples": ["2026-10"]},
    ),
) -> None:
    """Declares the version path segment; the middleware resolves it."""


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> ShopApp:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = ShopApp(
        title="shopify-events-mock",
        summary="A local, faithful clone of Shopify's Admin REST API Event endpoints.",
        version="0.1.0",
        default_response_class=JSONResponse,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # Shopify serves no such route; the document is openapi/openapi.json
        referenced_models=REFERENCED_MODELS,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.event_reader = reader = EventReader(engine)
    reader.rendering_zone = create_schema(engine, settings.shop_timezone)

    auth = [Depends(require_access_token)]
    for router in ADMIN_ROUTERS:
        app.include_router(
            router,
            prefix="/admin/api/{version}",
            dependencies=[Depends(_versioned), *auth],
        )
        app.include_router(router, prefix="/admin", dependencies=auth, include_in_schema=False)
    install_error_handlers(app)
    # In front of FastAPI's own stack (app/front.py); added first, so innermost of the front:
    # inside the toolkit's and the headers' middleware.
    app.add_front_middleware(EventReadsFastPath, state=app.state, settings=settings, reader=reader)
    install_toolkit(app, settings, engine)
    app.add_front_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_front_middleware(
        ShopifyHeadersMiddleware,
        oldest=settings.api_oldest_supported,
        newest=settings.api_newest,
        deprecation_months=settings.api_deprecation_months,
    )
    if settings.cors_allow_origins:  # off unless origins are configured
        app.add_front_middleware(
            ShopifyCORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
        )
    return app


def create_served_app() -> ShopApp:
    """create_app() for `serve`: the objects built so far live as long as the process, so they
    are moved out of the garbage collector's sight (`gc.freeze`). Otherwise every full
    collection walks them all, and a page of 50 rows allocates enough to trigger them often:
    that made a page's cost jump by up to half.

    `serve` turns the collector off before uvicorn imports this module (one process, no
    reload), so the routes' import and build run without it too; it is turned back on here.
    Nothing is collected first: the import leaves a few hundred unreachable objects, and
    finding them would mean walking all the others once (~50 ms of start-up)."""
    app = create_app()
    gc.freeze()
    gc.enable()
    return app
