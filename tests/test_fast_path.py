"""The read routes' fast path (app/fastpath.py) answers byte for byte like the FastAPI routes,
and the minute-cached timestamp renderer like the full conversion."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from app.fastpath import EventReadsFastPath
from app.services.reader import ASYNC_CONNECTIONS
from app.timeparse import (
    iso_renderer,
    render_timestamp,
    sequential_renderer,
    timestamp_renderer,
)
from tests.conftest import API, TOKEN, MakeClient

URLS = [
    f"{API}/events.json",
    f"{API}/events.json?limit=2",
    f"{API}/events.json?limit=1&fields=verb,created_at,id,arguments",
    f"{API}/events.json?filter=Order,Product&verb=create",
    f"{API}/events.json?created_at_min=2008-01-10T06:30:00-05:00&limit=3",
    f"{API}/events.json?since_id=1&fields=nope",
    f"{API}/events.json?limit=0",
    f"{API}/events.json?page_info=nope",
    f"{API}/events/677313116.json",
    f"{API}/events/677313116.json?fields=id,created_at",
    f"{API}/events/1.json",
    f"{API}/orders/450789469/events.json",
    f"{API}/orders/450789469/events.json?limit=1&fields=id",
    f"{API}/orders/1/events.json",
    f"{API}/events/count.json",
    f"{API}/events/count.json?filter=Order&verb=placed",
    f"{API}/events/count.json?created_at_min=2008-01-10T06:30:00-05:00",
    f"{API}/events/count.json?since_id=nope",
    f"{API}/orders/450789469/events/count.json",
    f"{API}/orders/450789469/events/count.json?verb=confirmed",
    f"{API}/orders/1/events/count.json",
    f"{API}/bogus/450789469/events/count.json",
    "/admin/events/count.json",
    "/admin/events.json?limit=1",
    "/admin/api/bogus/events.json",
]


def _answers(client: object, urls: list[str]) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    out = []
    pending = list(urls)
    while pending:
        url = pending.pop(0)
        response = client.get(url)  # type: ignore[attr-defined]
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "x-request-id"]
        out.append((response.status_code, headers, response.content))
        if len(out) < 60:
            pending += [link["url"] for link in response.links.values()]
    return out


def test_fast_path_answers_like_the_routes(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _answers(make_client("docs"), URLS)
    monkeypatch.setattr(EventReadsFastPath, "_respond", lambda self, scope: None)
    slow = _answers(make_client("docs"), URLS)
    assert [a[0] for a in fast].count(200) > 10
    for a, b in zip(fast, slow, strict=True):
        assert a[0] == b[0]
        assert a[2] == b[2]
        drop = {"x-shopify-shop-api-call-limit"}  # each client has its own bucket
        assert [h for h in a[1] if h[0] not in drop] == [h for h in b[1] if h[0] not in drop]


# St John's changed offset at 00:01 local until 2011: inside a quarter-hour (03:31 UTC).
ZONES = ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"]
# Around changes: New York's 1883 local mean time, a 2024 DST start, 1945's war time end, and
# St John's 2009 DST start.
STARTS = [
    datetime(1883, 11, 18, 16, 50),
    datetime(2024, 3, 10, 6, 50),
    datetime(1945, 10, 14),
    datetime(2009, 3, 8, 3, 20),
]


@pytest.mark.parametrize("zone", ZONES)
def test_cached_timestamps_render_like_the_full_conversion(zone: str) -> None:
    tz = ZoneInfo(zone)
    render = timestamp_renderer(tz)
    for start in STARTS:
        for step in range(0, 3 * 3600, 7):
            value = start + timedelta(seconds=step)
            stored = value.strftime("%Y-%m-%d %H:%M:%S.%f")
            expected = value.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")
            assert render(stored) == render_timestamp(value, tz) == expected, stored


@pytest.mark.parametrize("zone", ZONES)
def test_sequential_timestamps_render_like_the_full_conversion(zone: str) -> None:
    """The bulk writer's renderer keeps the last quarter-hour's offset: values in order,
    across offset changes, and out of order all render as `astimezone` does."""
    tz = ZoneInfo(zone)
    values = [s + timedelta(seconds=step) for s in STARTS for step in range(0, 3 * 3600, 13)]
    values += values[::-7]
    values += [v + timedelta(microseconds=999_999) for v in values[::17]]  # cut, not rounded
    render = sequential_renderer(tz)
    by_text = iso_renderer(tz)  # the same values as orjson writes them, in a bulk batch
    for value in values:
        expected = value.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")
        assert render(value) == expected == render_timestamp(value, tz), value
        assert by_text(value.isoformat()) == expected, value


@pytest.mark.parametrize("zone", [*ZONES, "America/Moncton", "Europe/Dublin", "UTC"])
def test_iso_text_renders_like_the_full_conversion_at_any_second(zone: str) -> None:
    """`iso_renderer` copies minutes and seconds after a cached local hour: any second of any
    hour, in a zone of whole-hour offsets or not, around changes, in and out of order."""
    tz = ZoneInfo(zone)
    rng = random.Random(zone)
    starts = [datetime(2025, 3, 9, 6), datetime(2025, 11, 2, 5), datetime(2024, 10, 6, 14)]
    starts += [datetime(1, 1, 2), datetime(9999, 12, 30, 10), datetime(1899, 12, 31, 23)]
    starts += [datetime(2009, 3, 8, 2), datetime(1993, 4, 4, 2)]  # St John's, Moncton
    values = [s + timedelta(seconds=rng.randrange(4 * 3600)) for s in starts for _ in range(300)]
    values.sort()
    values += values[::-3]
    by_text = iso_renderer(tz)
    for value in values:
        expected = value.replace(tzinfo=UTC).astimezone(tz).isoformat(timespec="seconds")
        assert by_text(value.isoformat()) == expected == render_timestamp(value, tz), value
    with_fraction = datetime(2025, 3, 9, 6, 30, 1, 250)
    assert by_text(with_fraction.isoformat()) == render_timestamp(with_fraction, tz)


def test_postgresql_reads_wait_for_the_database_without_holding_the_loop(
    make_client: MakeClient,
) -> None:
    """On PostgreSQL the fast path awaits each statement on an asyncio connection of the
    reader's pool, so concurrent requests on one event loop overlap: twelve of them open more
    than one connection (never more than ASYNC_CONNECTIONS) and answer as one at a time does.
    On SQLite a read is a call in the loop: no such connection is ever opened."""
    client = make_client("docs")
    app = client.app
    reader = app.state.event_reader  # type: ignore[attr-defined]
    paths = [f"{API}/events.json?limit=3", f"{API}/events/count.json?verb=placed"]
    expected = {path: client.get(path).content for path in paths}

    async def concurrently() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        headers = {"X-Shopify-Access-Token": TOKEN}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            return await asyncio.gather(*(http.get(paths[i % 2]) for i in range(12)))

    responses = asyncio.run(concurrently())
    assert [r.status_code for r in responses] == [200] * 12
    assert [r.content for r in responses] == [expected[paths[i % 2]] for i in range(12)]
    opened = len(reader._async_idle)
    if reader.dialect.name == "postgresql":
        assert 1 < opened <= ASYNC_CONNECTIONS
        reader.close()
        assert reader._async_idle == []
        assert client.get(paths[0]).content == expected[paths[0]]  # reconnects
    else:
        assert opened == 0
