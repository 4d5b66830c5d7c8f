"""Event endpoints: list, count, single, and the nested per-subject list and count.

The routes are `async def` and query the database inline: each read is an indexed lookup of
well under a millisecond, cheaper than the hop to a worker thread that a `def` route costs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.config import Settings
from app.db import SessionDep
from app.deps import ApiVersion, Query, QueryDep, SettingsDep
from app.errors import NotFound, invalid_param
from app.pagination import (
    decode_page_info,
    page_links,
    parse_limit,
    reject_legacy_page,
    reject_params_beside_page_info,
)
from app.rendering import JSONBytesResponse, dumps
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
from app.services.events import EventFilters, hidden_ids, parse_event_id, parse_fields
from app.services.reader import EventReader
from app.services.subjects import NESTED_ROUTES, subject_exists

router = APIRouter(responses=ERROR_RESPONSES)

# Documented as the schema shows them; still parsed by hand, so other values answer 404.
NestedResource = Annotated[
    str, Path(json_schema_extra={"enum": sorted(NESTED_ROUTES)}, description="Resource kind")
]
SubjectId = Annotated[str, Path(json_schema_extra={"pattern": "^[0-9]{1,19}$"})]


def _same_zone(reader: EventReader, settings: Settings) -> bool:
    """Whether this server's zone is the one the events' stored renderings were made in
    (app/services/rendered.py)."""
    return reader.rendering_zone == settings.shop_timezone


def _stored(reader: EventReader, settings: Settings, fields: tuple[str, ...] | None) -> bool:
    """Whether to answer from the events' stored renderings: all fields, in their zone."""
    return fields is None and _same_zone(reader, settings)


def list_response(
    reader: EventReader,
    settings: Settings,
    query: Query,
    base_url: Callable[[], str],
    scope: tuple[str, int] | None = None,
    hidden: Sequence[int] = (),
) -> Response:
    """A page of events; `base_url()` is the request's origin and path (for the Link header).

    Shared by the route below and the fast path (app/fastpath.py), so both answer alike.
    """
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
        filters = EventFilters.from_params(query.values, settings.tz)
        if scope is not None:
            filters = filters.scoped(*scope)
    stored = None
    same_zone = _same_zone(reader, settings)
    if same_zone and fields is None:
        stored = queries.stored_page(reader, filters, limit, cursor, hidden)
    elif same_zone and fields is not None:
        stored = queries.fields_page(reader, filters, limit, cursor, hidden, fields)
    page: queries.Page | queries.StoredPage
    if stored is not None:
        page, body = stored, stored.body
    else:  # another zone, a row without its stored renderings, a `fields` page SQLite can't
        # write: rendered from the columns (`fields` pages read the stored created_at text,
        # where it is in this zone)
        page = queries.list_page(
            reader, filters, limit, cursor, hidden, fields, stored_created_at=same_zone
        )
        if fields is None:
            events = queries.render_rows(page.rows, settings.tz, None)
        else:
            events = queries.render_fields(page.rows, settings.tz, fields, same_zone)
        body = dumps({"events": events})
    if page.previous is None and page.next is None:
        return JSONBytesResponse(body)
    link = page_links(
        base_url(),
        page.previous,
        page.next,
        secret=settings.page_info_secret,
        limit=limit,
        raw_limit=raw_limit,
        fields=raw_fields,
    )
    return JSONBytesResponse(body, link)


def single_response(
    reader: EventReader,
    settings: Settings,
    query: Query,
    event_id: str,
    hidden: Sequence[int] = (),
) -> Response:
    parsed = parse_event_id(event_id)
    if parsed is None:
        raise NotFound()
    fields = parse_fields(query.values.get("fields"))
    if _stored(reader, settings, fields):
        row = queries.get_one(reader, parsed, hidden, stored=True)
        if row is None:
            raise NotFound()
        if row[1] is not None:
            return JSONBytesResponse(f'{{"event":{queries.whole(row[0], row[1])}}}'.encode())
    row = queries.get_one(reader, parsed, hidden)
    if row is None:
        raise NotFound()
    return JSONBytesResponse(dumps({"event": queries.render_rows([row], settings.tz, fields)[0]}))


def count_response(
    reader: EventReader,
    settings: Settings,
    query: Query,
    scope: tuple[str, int] | None = None,
    hidden: Sequence[int] = (),
) -> Response:
    """A count, shop-wide or of one subject; shared by the routes and the fast path."""
    filters = EventFilters.from_params(query.values, settings.tz)
    if scope is not None:
        filters = filters.scoped(*scope)
    return JSONBytesResponse(b'{"count":%d}' % queries.count(reader, filters, hidden))


def nested_scope(reader: EventReader, resource: str, subject_id: str) -> tuple[str, int]:
    subject_type = NESTED_ROUTES.get(resource)
    parsed = parse_event_id(subject_id)
    if subject_type is None or parsed is None or not subject_exists(reader, resource, parsed):
        raise NotFound()
    return subject_type.value, parsed


def _reader(request: Request) -> EventReader:
    reader: EventReader = request.app.state.event_reader
    return reader


def _base_url(request: Request) -> Callable[[], str]:
    return lambda: f"{request.url.scheme}://{request.url.netloc}{request.url.path}"


@router.get("/events.json", response_model=EventsEnvelope, openapi_extra=EVENT_LIST_PARAMETERS)
async def list_events(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of events (cursor-paginated through the Link header)."""
    return list_response(
        _reader(request), settings, query, _base_url(request), hidden=hidden_ids(session)
    )


@router.get(
    "/events/count.json", response_model=CountEnvelope, openapi_extra=EVENT_COUNT_PARAMETERS
)
async def count_events(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a count of events."""
    return count_response(_reader(request), settings, query, None, hidden_ids(session))


@router.get(
    "/events/{event_id}.json", response_model=EventEnvelope, openapi_extra=EVENT_FIELDS_PARAMETERS
)
async def get_event(
    request: Request,
    event_id: str,
    _v: ApiVersion,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Retrieve a single event by its ID."""
    return single_response(_reader(request), settings, query, event_id, hidden_ids(session))


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
    reader = _reader(request)
    scope = nested_scope(reader, resource, subject_id)
    return list_response(reader, settings, query, _base_url(request), scope, hidden_ids(session))


@router.get(
    "/{resource}/{subject_id}/events/count.json",
    response_model=CountEnvelope,
    openapi_extra=EVENT_COUNT_PARAMETERS,
)
async def count_subject_events(
    request: Request,
    resource: NestedResource,
    subject_id: SubjectId,
    _v: ApiVersion,
    query: QueryDep,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Retrieve a count of one subject's events."""
    reader = _reader(request)
    scope = nested_scope(reader, resource, subject_id)
    return count_response(reader, settings, query, scope, hidden_ids(session))
