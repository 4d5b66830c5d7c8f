"""Page endpoints of the sandbox shop: list, count, single, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.page import Page
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import pages as service
from app.services.pages import render_page

router = APIRouter(responses=ERROR_RESPONSES, tags=["pages"])


def current_page(page_id: str, session: SessionDep) -> Page:
    return service.get_page(session, page_id)


CurrentPage = Annotated[Page, Depends(current_page)]


@router.get("/pages.json")
def list_pages(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of pages."""
    req = page_request(request, query, settings)
    page = service.list_pages(session, req)
    body = {"pages": [render_page(p, settings.tz) for p in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/pages.json", status_code=201)
def create_page(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a page (records `create`)."""
    page = service.create_page(session, body, author=actor)
    return JSONResponse({"page": render_page(page, settings.tz)}, status_code=201)


@router.get("/pages/count.json", response_model=CountEnvelope)
def count_pages(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of pages."""
    return JSONResponse({"count": service.count_pages(session, query.values)})


@router.get("/pages/{page_id}.json")
def get_page(_v: ApiVersion, page: CurrentPage, settings: SettingsDep) -> Response:
    """Retrieve a single page."""
    return JSONResponse({"page": render_page(page, settings.tz)})


@router.put("/pages/{page_id}.json")
def update_page(
    _v: ApiVersion,
    page: CurrentPage,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a page (records `update`, `published` or `unpublished`)."""
    page = service.update_page(session, page, body, author=actor)
    return JSONResponse({"page": render_page(page, settings.tz)})


@router.delete("/pages/{page_id}.json")
def delete_page(_v: ApiVersion, page: CurrentPage, actor: Actor, session: SessionDep) -> Response:
    """Delete a page (records `destroy`)."""
    service.destroy_page(session, page, author=actor)
    return JSONResponse({})
