"""Event endpoints: list, count, single, and the nested per-subject list and count.

The routes are `async def` and query the database inline: each read is an indexed lookup of
well under a millisecond, cheaper than the hop to a worker thread that a `def` route costs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import ApiVersion, QueryDep, SettingsDep
from app.errors import NotFound, invalid_param
from app.pagination import (
    Cursor,
    decode_page_info,
    encode_page_info,
    link_header,
    page_url,
    parse_limit,
    reject_legacy_page,
    reject_params_beside_page_info,
)
from app.rendering import JSONResponse
from app.schemas import (
    ERROR_RESPONSES,
    EVENT_COUNT_PARAMETERS,
    EVENT_FIELDS_PARAMETERS,
    EVENT_LIST_PARAMETERS,
    CountEnvelope,
    EventEnvelope,
    EventsEnvelope,
)
from app.services import events as queries
from app.services.events import EventFilters, parse_event_id, parse_fields
from app.services.subjects import NESTED_ROUTES, subject_exists

router = APIRouter(responses=ERROR_RESPONSES)

# Documented as the schema shows them; still parsed by hand, so other values answer 404.
NestedResource = Annotated[
    str, Path(json_schema_extra={"enum": sorted(NESTED_ROUTES)}, description="Resource kind")
]
SubjectId = Annotated[str, Path(json_schema_extra={"pattern": "^[0-9]{1,19}$"})]


def _filters(query: QueryDep, settings: SettingsDep) -> EventFilters:
    return EventFilters.from_params(query.values, settings.tz)


def _list(
    request: Request,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
    scope: tuple[str, int] | None = None,
) -> Response:
    reject_legacy_page(query.names)
    raw_limit = query.values.get("limit")
    limit = parse_limit(raw_limit)
    raw_fields = query.values.get("fields")
    fields = parse_fields(raw_fields)
    token = query.values.get("page_info")
    cursor = None
    if token is not None:
        reject_params_beside_page_info(query.names)
        cursor = decode_page_info(token, settings.page_info_secret)
        filters = EventFilters.from_cursor(cursor.filters)
        if (filters.subject_type, filters.subject_id) != (scope or (None, None)):
            raise invalid_param("page_info")
    else:
        filters = _filters(query, settings)
        if scope is not None:
            filters = filters.scoped(*scope)
    page = queries.list_page(session, filters, limit, cursor)
    tz = settings.tz
    body: dict[str, Any] = {"events": [queries.render_row(r, tz, fields) for r in page.rows]}
    base = f"{request.url.scheme}://{request.url.netloc}{request.url.path}"
    link_limit = str(limit) if raw_limit is not None else None
    secret = settings.page_info_secret

    def url(c: Cursor | None) -> str | None:
        if c is None:
            return None
        return page_url(
            base, limit=link_limit, page_info=encode_page_info(c, secret), fields=raw_fields
        )

    link = link_header(url(page.previous), url(page.next))
    return JSONResponse(body, headers={"Link": link} if link else None)


def _nested_scope(session: SessionDep, resource: str, subject_id: str) -> tuple[str, int]:
    subject_type = NESTED_ROUTES.get(resource)
    parsed = parse_event_id(subject_id)
    if subject_type is None or parsed is None or not subject_exists(session, resource, parsed):
        raise NotFound()
    return subject_type.value, parsed


@router.get("/events.json", response_model=EventsEnvelope, openapi_extra=EVENT_LIST_PARAMETERS)
async def list_events(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of events (cursor-paginated through the Link header)."""
    return _list(request, query, settings, session)


@router.get(
    "/events/count.json", response_model=CountEnvelope, openapi_extra=EVENT_COUNT_PARAMETERS
)
async def count_events(
    _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a count of events."""
    return JSONResponse({"count": queries.count(session, _filters(query, settings))})


@router.get(
    "/events/{event_id}.json", response_model=EventEnvelope, openapi_extra=EVENT_FIELDS_PARAMETERS
)
async def get_event(
    event_id: str, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a single event by its ID."""
    parsed = parse_event_id(event_id)
    row = queries.get_one(session, parsed) if parsed is not None else None
    if row is None:
        raise NotFound()
    fields = parse_fields(query.values.get("fields"))
    return JSONResponse({"event": queries.render_row(row, settings.tz, fields)})


@router.get(
    "/{resource}/{subject_id}/events.json",
    response_model=EventsEnvelope,
    openapi_extra=EVENT_LIST_PARAMETERS,
)
async def list_subject_events(
    request: Request,
    resource: NestedResource,
    subject_id: SubjectId,
    _v: ApiVersion,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Retrieve the events of one order, product, article, blog, collection, page or price rule."""
    scope = _nested_scope(session, resource, subject_id)
    return _list(request, query, settings, session, scope)


@router.get(
    "/{resource}/{subject_id}/events/count.json",
    response_model=CountEnvelope,
    openapi_extra=EVENT_COUNT_PARAMETERS,
)
async def count_subject_events(
    resource: NestedResource,
    subject_id: SubjectId,
    _v: ApiVersion,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Retrieve a count of one subject's events."""
    scope = _nested_scope(session, resource, subject_id)
    filters = _filters(query, settings).scoped(*scope)
    return JSONResponse({"count": queries.count(session, filters)})
