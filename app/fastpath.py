"""The Event API's read routes as a pure ASGI fast path, in front of FastAPI's routing.

`GET` of `events.json`, `events/count.json`, `events/{id}.json`, `{resource}/{id}/events.json`
and `{resource}/{id}/events/count.json` (versioned or not) is answered here with the same
functions the FastAPI routes call (app/routers/events.py), skipping routing, dependency
resolution and the session: on a keyset page that machinery cost more than the query, and
on a count (1M events, a time window: 724 us in all, 355 us of counting) about as much.
It answers only the plain success case; anything else (another path or method, a missing or
refused token, a malformed version, an active visibility lag, any error) goes on to the app,
which answers exactly as before. A read has no side effect, so handing a request on after a
failed attempt changes nothing.

It sits inside the toolkit's and the headers' middleware, so rate limits, faults, latency,
the shop clock and the response headers apply as to every other route.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.util.concurrency import greenlet_spawn
from starlette.datastructures import URL
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.deps import accepted_tokens, allowed_token, parse_query
from app.errors import ShopifyError
from app.routers.events import count_response, list_response, nested_scope, single_response
from app.services.events import parse_event_id
from app.services.reader import EventReader
from app.services.subjects import NESTED_ROUTES

VERSIONED_PREFIX = "/admin/api/"
ADMIN_PREFIX = "/admin/"
EVENTS = "events.json"
COUNT = ["events", "count.json"]


@lru_cache(maxsize=1024)
def _route(path: str) -> tuple[str, str, str] | None:
    """(kind, resource, id) for the paths served here, else None (the app decides);
    remembered per path."""
    if path.startswith(VERSIONED_PREFIX):
        parts = path[len(VERSIONED_PREFIX) :].split("/")[1:]  # the version is resolved already
    elif path.startswith(ADMIN_PREFIX):
        parts = path[len(ADMIN_PREFIX) :].split("/")
    else:
        return None
    if parts == [EVENTS]:
        return ("list", "", "")
    if parts == COUNT:
        return ("count", "", "")
    if len(parts) == 2 and parts[0] == "events" and parts[1].endswith(".json"):
        event_id = parts[1][:-5]
        if parse_event_id(event_id) is not None:  # not a malformed id
            return ("single", "", event_id)
    elif (
        len(parts) in (3, 4)
        and parts[2:] in ([EVENTS], COUNT)
        and parts[0] in NESTED_ROUTES
        and parse_event_id(parts[1]) is not None
    ):
        return ("nested" if len(parts) == 3 else "nested_count", parts[0], parts[1])
    return None


class EventReadsFastPath:
    def __init__(self, app: ASGIApp, state: Any, settings: Settings, reader: EventReader) -> None:
        self.app = app
        self.state = state  # the app's state: its toolkit is installed after this middleware
        self.settings = settings
        self.reader = reader

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = None
        if scope["type"] == "http" and scope["method"] == "GET":
            if self.reader.awaits:  # PostgreSQL: its reads await their round trips
                response = await greenlet_spawn(self._respond, scope)
            else:
                response = self._respond(scope)
        if response is None:
            await self.app(scope, receive, send)
        else:
            await response(scope, receive, send)

    def _respond(self, scope: Scope) -> Response | None:
        route = _route(scope["path"])
        if route is None or scope.get("state", {}).get("api_version") is None:
            return None
        toolkit = getattr(self.state, "toolkit", None)
        if toolkit is not None and toolkit.config.lag.active:
            return None  # hidden events are found through a session: the app's route does it
        settings = self.settings
        if allowed_token(_auth_headers(scope), accepted_tokens(self.state, settings)) is None:
            return None
        query = parse_query(scope["query_string"])
        kind, resource, ident = route
        reader = self.reader
        try:
            if kind == "single":
                return single_response(reader, settings, query, ident)
            subject = nested_scope(reader, resource, ident) if kind.startswith("nested") else None
            if kind.endswith("count"):
                return count_response(reader, settings, query, subject)
            return list_response(reader, settings, query, lambda: _base_url(scope), subject)
        except ShopifyError:
            return None  # the app raises it again and renders it as it always has


_AUTH_HEADERS = (b"x-shopify-access-token", b"authorization")


def _auth_headers(scope: Scope) -> dict[str, str]:
    """The headers `allowed_token` reads, as Starlette's `Headers.get` finds them (the first
    of each name), without building a `Headers` of them all."""
    found: dict[str, str] = {}
    for key, value in scope["headers"]:
        if key in _AUTH_HEADERS:
            found.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    return found


_BASES: dict[tuple[Any, ...], str] = {}
_BASES_MAX = 1024


def _base_url(scope: Scope) -> str:
    """The request's origin and path, as the routes take them from `request.url`; memoised
    on what Starlette's URL reads of the scope (parsing it cost a fifth of a page)."""
    host = next((value for key, value in scope["headers"] if key == b"host"), None)
    key = (scope.get("scheme"), host, tuple(scope.get("server") or ()), scope["path"])
    found = _BASES.get(key)
    if found is None:
        url = URL(scope=scope)
        found = f"{url.scheme}://{url.netloc}{url.path}"
        if len(_BASES) >= _BASES_MAX:
            _BASES.clear()
        _BASES[key] = found
    return found
