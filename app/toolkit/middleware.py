"""The toolkit's ASGI middleware: shop clock, latency, faults, rate limit and the request log.

Pure ASGI (no BaseHTTPMiddleware): with everything off, an Admin API request costs a clock
lookup, one pass over the request headers, one bucket update and one extra response header.

Faults (random, or forced for one request with `X-Sandbox-Fault: 429|500|503|drop|lost`):
`429`/`500`/`503` answer at once with Shopify's bodies; `drop` closes the connection without
serving the request (status line and headers of a 200 arrive, the body never does); `lost`
serves the request (the action happens) and then drops the response the same way. Latency can
be forced too, with `X-Sandbox-Latency: <ms>`. Faults and latency apply to the Admin API
(`/admin/...`), never to the control API.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.clock import use_clock
from app.errors import UNEXPECTED
from app.middleware import add_response_header
from app.rendering import CONTENT_TYPE, send_errors
from app.toolkit.config import FAULT_KINDS, RateLimit
from app.toolkit.ratelimit import CALL_LIMIT_HEADER, retry_after, throttled_message
from app.toolkit.state import Toolkit

FAULT_HEADER = b"x-sandbox-fault"
LATENCY_HEADER = b"x-sandbox-latency"
ADMIN_PREFIX = "/admin/"
UNAVAILABLE = "Service Unavailable"
STANDARD = RateLimit(plan="standard")

log = logging.getLogger("shopify_events_mock.requests")
_dropping: ContextVar[bool] = ContextVar("sandbox_dropping", default=False)


class _QuietDrops(logging.Filter):
    """uvicorn reports a response left unfinished; for a fault we dropped on purpose, it is
    expected (the flag is set in the request's own task, where uvicorn logs it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_dropping.get() and "without completing response" in str(record.msg))


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


async def _drop(send: Send) -> None:
    # ASGI cannot close a connection before a response starts; a started response that never
    # completes makes the server close it, which every client reports as a broken connection.
    _dropping.set(True)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", CONTENT_TYPE.encode()), (b"content-length", b"2")],
        }
    )


class ToolkitMiddleware:
    def __init__(self, app: ASGIApp, toolkit: Toolkit, request_log: bool = False) -> None:
        self.app = app
        self.toolkit = toolkit
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.request_log:
            await self._logged(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    async def _logged(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._serve(scope, receive, capture)
        finally:
            ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1fms", scope["method"], scope["path"], status or "-", ms)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        toolkit = self.toolkit
        if time.monotonic() > toolkit.fresh_until:
            await toolkit.refresh()
        use_clock(toolkit.clock)
        if not scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return

        token = forced = latency = None
        for name, value in scope["headers"]:
            if name == b"x-shopify-access-token" or (name == b"authorization" and token is None):
                token = value
            elif name == FAULT_HEADER:
                forced = value.decode("latin-1").strip().lower()
            elif name == LATENCY_HEADER:
                latency = value
        config = toolkit.config
        wait = _forced_latency(latency) if latency is not None else None
        if wait is None and config.latency.active:
            wait = toolkit.draw_latency()
        if wait:
            await asyncio.sleep(wait)

        fault = None
        if forced in FAULT_KINDS:
            fault = forced
        elif config.faults.rate > 0:
            fault = toolkit.draw_fault(scope["method"])
        limit = config.rate_limit
        now = toolkit.clock.timestamp()
        extra: list[tuple[bytes, bytes]] = []  # the headers this layer adds itself
        if token is not None:
            if fault == "429":
                verdict = toolkit.buckets.peek(token, now, limit)
            else:
                verdict = toolkit.buckets.take(token, now, limit)
            header = (CALL_LIMIT_HEADER, verdict.header)
            if not add_response_header(scope, header):
                extra.append(header)
            if not verdict.allowed:
                fault = "429"
        if fault is not None and await self._fault(fault, scope, receive, send, extra, limit):
            return

        async def send_with_limit(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_limit if extra else send)

    async def _fault(
        self,
        fault: str,
        scope: Scope,
        receive: Receive,
        send: Send,
        extra: list[tuple[bytes, bytes]],
        limit: RateLimit,
    ) -> bool:
        """Answer with the fault; False when the request should be served after all."""
        if fault == "429":
            shown = limit if limit.enforced else STANDARD
            await send_errors(
                send,
                429,
                throttled_message(shown),
                [*extra, (b"Retry-After", retry_after(shown).encode())],
            )
        elif fault == "500":
            await send_errors(send, 500, UNEXPECTED, extra)
        elif fault == "503":
            await send_errors(send, 503, UNAVAILABLE, [*extra, (b"Retry-After", b"1.0")])
        elif fault == "drop":
            await _drop(send)
        elif fault == "lost":

            async def lose(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await _drop(send)

            await self.app(scope, receive, lose)
        else:
            return False
        return True


def _forced_latency(raw: bytes) -> float | None:
    try:
        ms = float(raw.decode("latin-1"))
    except ValueError:
        return None
    return min(max(ms, 0.0), 60_000.0) / 1000
