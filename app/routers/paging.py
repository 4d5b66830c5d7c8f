"""Cursor pagination for the sandbox's resource lists, the way the events list does it.

`page_request()` reads `limit`, `page_info` and the filters (refusing `page`, and any other
parameter beside `page_info`, with Shopify's 400s); `paged()` answers with the `Link` header.
A cursor carries the first request's filters and the list it belongs to (`scope`): used on
another list it is 400 `{"errors":{"page_info":"Invalid value."}}`.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import Response

from app.config import Settings
from app.deps import Query
from app.errors import invalid_param
from app.pagination import (
    Cursor,
    decode_page_info,
    page_links,
    parse_limit,
    reject_legacy_page,
    reject_params_beside_page_info,
)
from app.rendering import JSONResponse
from app.services.resources import PageRequest, ResourcePage

_PAGING = frozenset({"limit", "page_info", "fields", "page"})
_SCOPE = "list"


def _scope(request: Request) -> str:
    """The list a cursor belongs to: the path after the version (`products.json`,
    `blogs/241253187/articles.json`), the same on every version and on `/admin/...`."""
    path = request.url.path.removeprefix("/admin/").split("/")
    if path[0] == "api" and len(path) > 1:
        path = path[2:]
    return "/".join(path)


def page_request(request: Request, query: Query, settings: Settings) -> PageRequest:
    reject_legacy_page(query.names)
    limit = parse_limit(query.values.get("limit"))
    token = query.values.get("page_info")
    if token is None:
        params = {k: v for k, v in query.values.items() if k not in _PAGING}
        return PageRequest(params, limit)
    reject_params_beside_page_info(query.names)
    cursor = decode_page_info(token, settings.page_info_secret)
    params = dict(cursor.filters)
    if params.pop(_SCOPE, None) != _scope(request):
        raise invalid_param("page_info")
    if not all(isinstance(v, str) for v in params.values()):
        raise invalid_param("page_info")
    return PageRequest(params, limit, cursor)


def paged(
    request: Request,
    query: Query,
    settings: Settings,
    page_request: PageRequest,
    body: dict[str, Any],
    page: ResourcePage[Any],
) -> Response:
    """The list's JSON with its `Link` header (none when everything fits one page)."""
    state = {**page_request.params, _SCOPE: _scope(request)}

    def carrying_filters(position: Cursor | None) -> Cursor | None:
        return None if position is None else Cursor(position.direction, position.last_id, state)

    link = page_links(
        f"{request.url.scheme}://{request.url.netloc}{request.url.path}",
        carrying_filters(page.previous),
        carrying_filters(page.next),
        secret=settings.page_info_secret,
        limit=page_request.limit,
        raw_limit=query.values.get("limit"),
        fields=query.values.get("fields"),
    )
    return JSONResponse(body, headers={"Link": link} if link else None)
