"""Custom and smart collection endpoints of the sandbox shop (subject type `Collection`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.collection import Collection, CollectionKind
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import collections as service
from app.services.collections import render_collection

router = APIRouter(responses=ERROR_RESPONSES, tags=["collections"])
CUSTOM = CollectionKind.CUSTOM
SMART = CollectionKind.SMART


def current_custom_collection(custom_collection_id: str, session: SessionDep) -> Collection:
    return service.get_collection(session, CUSTOM, custom_collection_id)


def current_smart_collection(smart_collection_id: str, session: SessionDep) -> Collection:
    return service.get_collection(session, SMART, smart_collection_id)


CurrentCustom = Annotated[Collection, Depends(current_custom_collection)]
CurrentSmart = Annotated[Collection, Depends(current_smart_collection)]


def _one(key: str, collection: Collection, settings: SettingsDep, status: int = 200) -> Response:
    return JSONResponse({key: render_collection(collection, settings.tz)}, status_code=status)


# ---- custom collections ----------------------------------------------------------------


@router.get("/custom_collections.json")
def list_custom_collections(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of custom collections."""
    req = page_request(request, query, settings)
    page = service.list_collections(session, CUSTOM, req)
    body = {"custom_collections": [render_collection(c, settings.tz) for c in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/custom_collections.json", status_code=201)
def create_custom_collection(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a custom collection (records `create`)."""
    collection = service.create_collection(session, CUSTOM, body, author=actor)
    return _one("custom_collection", collection, settings, 201)


@router.get("/custom_collections/count.json", response_model=CountEnvelope)
def count_custom_collections(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of custom collections."""
    return JSONResponse({"count": service.count_collections(session, CUSTOM, query.values)})


@router.get("/custom_collections/{custom_collection_id}.json")
def get_custom_collection(
    _v: ApiVersion, collection: CurrentCustom, settings: SettingsDep
) -> Response:
    """Retrieve a single custom collection."""
    return _one("custom_collection", collection, settings)


@router.put("/custom_collections/{custom_collection_id}.json")
def update_custom_collection(
    _v: ApiVersion,
    collection: CurrentCustom,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a custom collection (records `update`, `published` or `unpublished`)."""
    collection = service.update_collection(session, collection, body, author=actor)
    return _one("custom_collection", collection, settings)


@router.delete("/custom_collections/{custom_collection_id}.json")
def delete_custom_collection(
    _v: ApiVersion, collection: CurrentCustom, actor: Actor, session: SessionDep
) -> Response:
    """Delete a custom collection (records `destroy`)."""
    service.destroy_collection(session, collection, author=actor)
    return JSONResponse({})


# ---- smart collections -----------------------------------------------------------------


@router.get("/smart_collections.json")
def list_smart_collections(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of smart collections."""
    req = page_request(request, query, settings)
    page = service.list_collections(session, SMART, req)
    body = {"smart_collections": [render_collection(c, settings.tz) for c in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/smart_collections.json", status_code=201)
def create_smart_collection(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a smart collection (records `create`)."""
    collection = service.create_collection(session, SMART, body, author=actor)
    return _one("smart_collection", collection, settings, 201)


@router.get("/smart_collections/count.json", response_model=CountEnvelope)
def count_smart_collections(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of smart collections."""
    return JSONResponse({"count": service.count_collections(session, SMART, query.values)})


@router.get("/smart_collections/{smart_collection_id}.json")
def get_smart_collection(
    _v: ApiVersion, collection: CurrentSmart, settings: SettingsDep
) -> Response:
    """Retrieve a single smart collection."""
    return _one("smart_collection", collection, settings)


@router.put("/smart_collections/{smart_collection_id}.json")
def update_smart_collection(
    _v: ApiVersion,
    collection: CurrentSmart,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a smart collection (records `update`, `published` or `unpublished`)."""
    collection = service.update_collection(session, collection, body, author=actor)
    return _one("smart_collection", collection, settings)


@router.delete("/smart_collections/{smart_collection_id}.json")
def delete_smart_collection(
    _v: ApiVersion, collection: CurrentSmart, actor: Actor, session: SessionDep
) -> Response:
    """Delete a smart collection (records `destroy`)."""
    service.destroy_collection(session, collection, author=actor)
    return JSONResponse({})
