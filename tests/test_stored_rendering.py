"""Each event's JSON is stored when it is written (app/services/rendered.py) and a list page is
those texts joined: every answer must be byte for byte the one rendered from the columns, on
both databases, whoever wrote the events, whatever zone the server runs in."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlmodel import Session

from app.bulk_render import FIELDS, stored_renderer
from app.config import Settings
from app.db import make_engine, open_session
from app.events.base import Verb, record_event
from app.generate import Plan, write_shop
from app.main import create_app
from app.models.event import SubjectType, events_table
from app.services.event_import import import_events
from app.services.events import render_row
from tests.conftest import API, TOKEN, MakeClient, engine_of

T = events_table.c

TRICKY = [
    "plain",
    'a "quote" and a back\\slash',
    "newline\n tab\t return\r form\f bell\b",
    "controls \x01\x1f\x7f",
    "unicode café — 日本語 😀 \u2028\u2029",
    '<a href="https://x.myshopify.com/admin/orders/1">#1001</a> &amp; <b>',
    "",
    "  spaced out \t ",
]
# Around both 2025 DST changes in New York, before its 1883 local mean time, and fractions.
TIMES = [
    "2025-03-09T06:59:59Z",
    "2025-03-09T07:00:00Z",
    "2025-11-02T05:59:59Z",
    "2025-11-02T06:00:00Z",
    "1850-06-01T12:00:00Z",
    "2025-01-01T00:00:00.999999Z",
    "2008-01-10T08:00:00-05:00",
]


def _items() -> list[dict[str, Any]]:
    items = []
    for i, message in enumerate(TRICKY):
        items.append(
            {
                "subject_id": 450789469 + i,
                "subject_type": "Order" if i % 2 else "Product",
                "verb": "placed" if i % 2 else "create",
                "created_at": TIMES[i % len(TIMES)],
                "arguments": [message, str(i), 'Ünïcödé "q"'][: i % 4],
                "body": None if i % 3 else message,
                "message": message,
                "author": message or "Shopify",
                "description": message[::-1],
                "path": None if i % 2 else f"/admin/orders/{i}",
            }
        )
    return items


# Every field SQLite writes in a `fields` page itself (`fields_page`), the id left out.
_ALL_BUT_ARGUMENTS = ",".join(f for f in FIELDS if f not in ("id", "arguments"))


def _urls() -> list[str]:
    return [
        f"{API}/events.json",
        f"{API}/events.json?limit=2",
        f"{API}/events.json?filter=Order&verb=placed&limit=1",
        f"{API}/events.json?created_at_min=2025-01-01&limit=3",
        f"{API}/events.json?limit=3&fields=id,created_at,arguments",
        f"{API}/events.json?limit=2&fields=verb,created_at",
        f"{API}/events.json?limit=4&fields={_ALL_BUT_ARGUMENTS}",
        f"{API}/orders/450789470/events.json",
        f"{API}/events/677313116.json",
        f"{API}/events/677313116.json?fields=id,message",
    ]


def _answers(client: TestClient, urls: list[str]) -> list[tuple[int, bytes, str | None]]:
    """Each URL's answer, and every page its Link headers lead to (both directions)."""
    out: list[tuple[int, bytes, str | None]] = []
    pending, seen = list(urls), set()
    while pending and len(out) < 200:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        out.append((response.status_code, response.content, response.headers.get("link")))
        pending += [link["url"] for link in response.links.values()]
    return out


def _stored_and_columns(client: TestClient, urls: list[str]) -> tuple[list[Any], list[Any]]:
    """The answers with the stored renderings, then with them ignored (the columns')."""
    reader = client.app.state.event_reader  # type: ignore[attr-defined]
    zone = reader.rendering_zone
    seen: list[str] = []
    reader.listeners.append(lambda sql, _args: seen.append(sql))
    stored = _answers(client, urls)
    assert any("rendered" in sql for sql in seen), "the stored renderings were not read"
    if any("fields=" in url and "created_at" in url for url in urls):
        assert any("rendered_created_at" in sql for sql in seen), "nor the stored created_at"
    reader.rendering_zone = None
    try:
        columns = _answers(client, urls)
    finally:
        reader.rendering_zone = zone
        reader.listeners.pop()
    return stored, columns


def _import(client: TestClient, items: list[dict[str, Any]]) -> None:
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    with open_session(engine_of(client), settings) as session:
        import_events(session, items, settings.tz)
        session.commit()


def _stored(client: TestClient) -> list[str | None]:
    """Each event's `rendered`, after checking its `rendered_created_at` against it."""
    with Session(engine_of(client)) as session:
        rows = session.execute(select(T.rendered, T.rendered_created_at).order_by(T.id)).all()
    for rendered, created_at in rows:
        if rendered is not None:
            assert created_at is not None and f',"created_at":"{created_at}",' in rendered
    return [rendered for rendered, _ in rows]


def test_stored_renderings_answer_byte_for_byte_like_the_columns(make_client: MakeClient) -> None:
    client = make_client("docs")
    _import(client, _items())
    with open_session(engine_of(client), client.app.state.settings) as session:  # type: ignore[attr-defined]
        record_event(
            session,
            subject_type=SubjectType.ORDER,
            subject_id=450789470,
            verb=Verb.CLOSED,
            message='Order <a href="/admin/orders/1">#1001</a> was "closed".',
            arguments=["#1001", 3],
            path="/admin/orders/450789470",
        )
        session.commit()
    assert None not in _stored(client)  # the seed loader, the importer and the recorder
    stored, columns = _stored_and_columns(client, _urls())
    assert [a[0] for a in stored].count(200) >= 10
    assert stored == columns


def test_another_zone_is_rendered_from_the_columns(
    database_url: Callable[[], str],
) -> None:
    url = database_url()
    first = create_app(Settings(database_url=url, seed="none"), make_engine(url))
    with TestClient(first, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        _import(client, _items())
        new_york = client.get(f"{API}/events.json").content
    first.state.engine.dispose()
    # The same shop served in another zone: the recorded rendering zone stays New York's.
    settings = Settings(database_url=url, seed="none", shop_timezone="Asia/Kolkata")
    second = create_app(settings, make_engine(url))
    with TestClient(second, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        assert second.state.event_reader.rendering_zone == "America/New_York"
        kolkata = client.get(f"{API}/events.json").content
        assert b"+05:30" in kolkata and b"-05:00" not in kolkata
        assert new_york != kolkata
        # ...and what it writes is rendered in the shop's zone, so New York still reads it fast.
        _import(client, _items()[:2])
    second.state.engine.dispose()
    third = create_app(Settings(database_url=url, seed="none"), make_engine(url))
    with TestClient(third, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        assert None not in _stored(client)
        stored, columns = _stored_and_columns(client, [f"{API}/events.json?limit=4"])
        assert stored == columns
    third.state.engine.dispose()


def test_a_database_from_before_the_column_gets_it_and_answers_alike(
    database_url: Callable[[], str],
) -> None:
    url = database_url()
    engine = make_engine(url)
    first = create_app(Settings(database_url=url, seed="none"), engine)
    with TestClient(first, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        _import(client, _items())
        before = _answers(client, _urls())
    with engine.begin() as conn:  # what an earlier version left: no column, no zone
        conn.execute(text("ALTER TABLE events DROP COLUMN rendered"))
        conn.execute(text("ALTER TABLE events DROP COLUMN rendered_created_at"))
        conn.execute(text("DELETE FROM sandbox_state WHERE name = 'rendering'"))
    engine.dispose()
    second = create_app(Settings(database_url=url, seed="none"), make_engine(url))
    with TestClient(second, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        assert set(_stored(client)) == {None}
        assert _answers(client, _urls()) == before
        _import(client, _items()[:3])  # new events are stored rendered; the page mixes both
        assert _stored(client)[-3:] != [None] * 3
        stored, columns = _stored_and_columns(client, _urls())
        assert stored == columns
    second.state.engine.dispose()


@contextmanager
def _generated(database_url: Callable[[], str], plan: Plan) -> Iterator[TestClient]:
    """A client of a new shop that `generate` wrote."""
    url = database_url()
    engine = make_engine(url)
    app = create_app(Settings(database_url=url, seed="none"), engine)
    write_shop(engine, plan)
    with TestClient(app, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        yield client
    engine.dispose()


def test_generated_events_are_stored_rendered(database_url: Callable[[], str]) -> None:
    with _generated(database_url, Plan(events=600, seed=3)) as client:
        rendered = _stored(client)
        assert len(rendered) >= 600 and None not in rendered
        stored, columns = _stored_and_columns(client, [f"{API}/events.json?limit=250"])
        assert len(stored) >= 3 and stored == columns


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path / 'any.sqlite3'}"
    app = create_app(Settings(database_url=url, seed="none"), make_engine(url))
    with TestClient(app, headers={"X-Shopify-Access-Token": TOKEN}) as client:
        yield client
    app.state.engine.dispose()


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    message=_TEXT,
    body=st.none() | _TEXT,
    arguments=st.lists(_TEXT | st.integers(-(10**12), 10**12), max_size=3),
    seconds=st.integers(-(10**9), 2 * 10**9),
)
def test_any_text_renders_alike(
    empty_sqlite: TestClient, message: str, body: str | None, arguments: list[Any], seconds: int
) -> None:
    created = datetime.fromtimestamp(seconds, UTC).isoformat()
    item = {"subject_id": 1, "subject_type": "Page", "verb": "create", "created_at": created}
    item |= {"message": message, "body": body, "arguments": arguments, "description": message}
    _import(empty_sqlite, [item])
    with Session(engine_of(empty_sqlite)) as session:
        top = session.execute(select(T.id).order_by(T.id.desc()).limit(1)).scalar_one()
    urls = [
        f"{API}/events/{top}.json",
        f"{API}/events.json?since_id={top - 1}",
        f"{API}/events.json?since_id={top - 1}&fields={_ALL_BUT_ARGUMENTS}",  # SQLite's JSON
    ]
    stored, columns = _stored_and_columns(empty_sqlite, urls)
    assert stored == columns and [a[0] for a in stored] == [200, 200, 200]


def test_pages_of_whole_and_partial_renderings_answer_alike(
    database_url: Callable[[], str],
) -> None:
    """generate stores whole renderings, which SQLite concatenates into a page itself; a page
    that also holds an ORM writer's (the rest after the id) or a NULL one is read by rows."""
    with _generated(database_url, Plan(events=300, seed=4)) as client:
        engine = engine_of(client)
        rendered = _stored(client)
        assert all(r is not None and r.startswith('{"id":') for r in rendered)
        with engine.connect() as conn:
            some = conn.execute(select(T.id).order_by(T.id).offset(77).limit(1)).scalar_one()
        urls = [
            f"{API}/events.json?limit=50",
            f"{API}/events.json?filter=Order&verb=placed&limit=7",
            f"{API}/events.json?limit=250&since_id=1",
            f"{API}/events/{some}.json",
            f"{API}/events.json?limit=50&fields=id,verb,created_at",
            f"{API}/events.json?limit=9&since_id=100&fields=created_at",
        ]
        whole, columns = _stored_and_columns(client, urls)
        assert whole == columns and len(whole) >= 8
        _import(client, _items())  # the rest, after the id
        with engine.begin() as conn:
            middle = conn.execute(select(T.id).order_by(T.id).offset(120).limit(1)).scalar_one()
            conn.execute(events_table.update().where(T.id == middle).values(rendered=None))
            # A row without its created_at text (in a `fields` page of the stored ones).
            other = T.id.in_(select(T.id).order_by(T.id).offset(20).limit(2).scalar_subquery())
            conn.execute(events_table.update().where(other).values(rendered_created_at=None))
        mixed, columns = _stored_and_columns(client, urls)
        assert mixed == columns and len(mixed) > len(whole)


def _watched(make_client: MakeClient) -> tuple[TestClient, list[str]]:
    """A client of a generated 120-event shop, and the statements its event reads run."""
    client = make_client(None)
    write_shop(engine_of(client), Plan(events=120, seed=5))
    reader = client.app.state.event_reader  # type: ignore[attr-defined]
    seen: list[str] = []
    reader.listeners.append(lambda sql, _args: seen.append(sql))
    return client, seen


def test_a_page_of_whole_renderings_is_one_statement(make_client: MakeClient) -> None:
    client, seen = _watched(make_client)
    first = client.get(f"{API}/events.json?limit=50")
    following = client.get(first.links["next"]["url"])
    assert [first.status_code, following.status_code] == [200, 200]
    ids = [e["id"] for e in first.json()["events"] + following.json()["events"]]
    assert ids == sorted(ids) and len(set(ids)) == 100
    if engine_of(client).dialect.name == "sqlite":
        assert len(seen) == 2 and all("group_concat" in sql for sql in seen)


def test_a_fields_page_is_one_statement_on_sqlite(make_client: MakeClient) -> None:
    """SQLite writes a `fields` page's JSON itself (`fields_page`), in the same one statement
    as a page of whole renderings; with `arguments` (JSON text it would not re-escape) or on
    PostgreSQL the rows are read, the page and the check beyond it as before."""
    client, seen = _watched(make_client)
    for fields, one_statement in [("verb,id,created_at", True), ("arguments,id", False)]:
        seen.clear()
        first = client.get(f"{API}/events.json?limit=50&fields={fields}")
        following = client.get(first.links["next"]["url"])
        back = client.get(following.links["previous"]["url"])
        assert [first.status_code, following.status_code, back.status_code] == [200] * 3
        assert back.content == first.content
        events = first.json()["events"] + following.json()["events"]
        assert [list(e) for e in events] == [sorted(fields.split(","), key=FIELDS.index)] * 100
        ids = [e["id"] for e in events]
        assert ids == sorted(ids) and len(set(ids)) == 100
        sqlite = engine_of(client).dialect.name == "sqlite"
        made = [sql for sql in seen[:2] if "json_object" in sql and "group_concat" in sql]
        assert len(made) == (2 if sqlite and one_statement else 0)
        if made:
            assert len(seen) == 4  # the previous page reads its rows backwards


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata", "America/St_Johns"])
def test_bulk_renderings_are_the_lists_own_json(zone: str) -> None:
    """generate's renderings (app/bulk_render.py): from column dicts with datetimes (its
    PostgreSQL writer) and from positional rows with orjson's ISO text (its SQLite writer
    process), byte for byte what the list renders from the columns."""
    tz = ZoneInfo(zone)
    keys = tuple(reversed(FIELDS))  # any order of the columns
    start = datetime(2009, 3, 8, 3, 20)  # across St John's 00:01 local DST start
    by_mapping, by_position = stored_renderer(tz), stored_renderer(tz, keys)
    for i, item in enumerate(_items() * 40):
        created = start + timedelta(seconds=37 * i)
        row = {**item, "id": 1000 + i, "created_at": created}
        fields = render_row(SimpleNamespace(**row), tz, None)
        expected = (orjson.dumps(fields).decode(), fields["created_at"])
        assert by_mapping(row) == expected
        values = orjson.loads(orjson.dumps([row[k] for k in keys]))  # as the child reads them
        assert by_position(values) == expected
    lone = {**row, "message": "\ud800"}  # JSON can't hold it: rendered from the columns
    assert by_mapping(lone) == (None, expected[1])


def test_sqlite_escapes_json_strings_as_orjson_does() -> None:
    """`fields_page` has SQLite write the JSON strings (`json_object`): every code point must
    come out as orjson writes it, or a `fields` page would differ from the columns' answer."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    with sqlite3.connect(":memory:") as db:
        (made,) = db.execute("SELECT json_object('m', ?)", (every,)).fetchone()
    assert made == orjson.dumps({"m": every}).decode()
