"""Product endpoints of the sandbox shop: list, count, single, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.product import Product
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import products as service
from app.services.products import render_product

router = APIRouter(responses=ERROR_RESPONSES, tags=["products"])


def current_product(product_id: str, session: SessionDep) -> Product:
    return service.get_product(session, product_id)


CurrentProduct = Annotated[Product, Depends(current_product)]


@router.get("/products.json")
def list_products(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of products (`limit`, `since_id`, `ids`)."""
    req = page_request(request, query, settings)
    page = service.list_products(session, req)
    body = {"products": [render_product(p, settings.tz) for p in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/products.json", status_code=201)
def create_product(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a product (records `create`)."""
    product = service.create_product(session, body, author=actor)
    return JSONResponse({"product": render_product(product, settings.tz)}, status_code=201)


@router.get("/products/count.json", response_model=CountEnvelope)
def count_products(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of products."""
    return JSONResponse({"count": service.count_products(session, query.values)})


@router.get("/products/{product_id}.json")
def get_product(_v: ApiVersion, product: CurrentProduct, settings: SettingsDep) -> Response:
    """Retrieve a single product."""
    return JSONResponse({"product": render_product(product, settings.tz)})


@router.put("/products/{product_id}.json")
def update_product(
    _v: ApiVersion,
    product: CurrentProduct,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a product (records `published` / `unpublished` when its visibility changes)."""
    product = service.update_product(session, product, body, author=actor)
    return JSONResponse({"product": render_product(product, settings.tz)})


@router.delete("/products/{product_id}.json")
def delete_product(
    _v: ApiVersion, product: CurrentProduct, actor: Actor, session: SessionDep
) -> Response:
    """Delete a product (records `destroy`; its events stay listable)."""
    service.destroy_product(session, product, author=actor)
    return JSONResponse({})
