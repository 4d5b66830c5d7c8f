"""ASGI middleware: request id and API version on every response.

`X-Shopify-API-Version` reports the version that served the request (the oldest supported one
for a retired version or for `/admin/...` without a version). The resolved version is left in
`scope["state"]["api_version"]` for the routes (None when it is malformed: they answer 404).
"""

from __future__ import annotations

import itertools
import os
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as datetime_time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.versions import DEPRECATED_REASON, VersionWindow

ADMIN_PREFIX = "/admin/"
_MASK = 0xFFFF_FFFF_FFFF


def _draw() -> tuple[bytes, itertools.count[int]]:
    random = uuid.uuid4()
    return str(random)[:24].encode(), itertools.count(random.int & _MASK)


_prefix, _counter = _draw()


def _draw_again() -> None:
    global _prefix, _counter
    _prefix, _counter = _draw()


os.register_at_fork(after_in_child=_draw_again)  # a forked worker draws its own


def next_request_id() -> bytes:
    """A fresh X-Request-Id: UUID-shaped (version 4), unique per response. A random UUID's
    first 80 bits, drawn once per process (again in a forked child), then a 48-bit counter
    from a random start: a uuid4() per request cost a tenth of a page."""
    return b"%s%012x" % (_prefix, next(_counter) & _MASK)


VERSIONED_PREFIX = "/admin/api/"
# scope["state"] key: the headers this middleware adds to the request's response. Inner layers
# add theirs to the same list (`add_response_header`) instead of wrapping `send` once more.
RESPONSE_HEADERS = "response_headers"


def add_response_header(scope: Scope, header: tuple[bytes, bytes]) -> bool:
    """Have ShopifyHeadersMiddleware send `header` too, before its own; False without it."""
    extra: list[tuple[bytes, bytes]] | None = scope.get("state", {}).get(RESPONSE_HEADERS)
    if extra is None:
        return False
    extra.insert(0, header)
    return True


class ShopifyHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        oldest: str | None = None,
        newest: str | None = None,
        deprecation_months: int = 0,
    ) -> None:
        self.app = app
        self.oldest = oldest
        self.newest = newest
        self.deprecation_months = deprecation_months
        self._window_day = date.today()
        self._window: VersionWindow | None = None
        self._window_span = (0.0, 0.0)  # epoch seconds of the local day it holds for

    def window(self) -> VersionWindow:
        """The version window of the local day; made again once that day is over (a clock
        comparison per request, where `date.today()` cost several times that)."""
        now = time.time()
        start, end = self._window_span
        if self._window is None or not start <= now < end:
            today = date.today()
            self._window = VersionWindow.for_date(today, self.oldest, self.newest)
            self._window_day = today
            midnight = datetime.combine(today, datetime_time.min)  # naive: local time
            self._window_span = (midnight.timestamp(), (midnight + timedelta(days=1)).timestamp())
        return self._window

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        version: str | None = None
        deprecated = False
        if path.startswith(VERSIONED_PREFIX):
            requested = path[len(VERSIONED_PREFIX) :].split("/", 1)[0]
            version = self.window().resolve(requested)
            if self.deprecation_months and version is not None:
                deprecated = self.window().deprecated(
                    requested, self._window_day, self.deprecation_months
                )
        elif path.startswith(ADMIN_PREFIX):
            version = self.window().resolve(None)
        extra: list[tuple[bytes, bytes]] = [(b"X-Request-Id", next_request_id())]
        if version is not None:
            extra.append((b"X-Shopify-API-Version", version.encode()))
        if deprecated:
            extra.append((b"X-Shopify-API-Deprecated-Reason", DEPRECATED_REASON.encode()))
        state = scope.setdefault("state", {})
        state["api_version"] = version
        state[RESPONSE_HEADERS] = extra

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
