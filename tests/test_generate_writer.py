"""generate's writers: the SQLite child process (app/sqlite_bulk.py) and its own event counts.

The counts a bulk write leaves must be the very rows a full recount makes; a batch the child
cannot store stops the run with SQLite's own error and keeps the batches before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from app.db import create_schema, make_engine
from app.generate import Plan, write_shop
from app.models.event import events_table
from app.models.event_count import (
    counts_are_maintained,
    rebuild_event_counts,
    resume_event_counts,
    suspend_event_counts,
)
from app.sqlite_bulk import WRITER_MADE, ChildWriter, EventCounter, Insert, positional
from tests.conftest import MakeClient, engine_of
from tests.factories import event_payload, insert_events

ROWS = (
    "SELECT kind, subject_type, verb, level, bucket, part, n, min_id, max_id "
    "FROM event_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6"
)


def _count_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(ROWS))]


def _recounted(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.begin() as conn:
        rebuild_event_counts(conn)
    return _count_rows(engine)


def test_the_writers_counts_are_a_full_recounts_rows(make_client: MakeClient) -> None:
    client = make_client("docs")
    engine = engine_of(client)
    # Added to a shop with events, twice (the second run's buckets meet the first's).
    write_shop(engine, Plan(events=3000, seed=7, days=20, end=datetime(2027, 1, 1)))
    write_shop(engine, Plan(events=1500, seed=8, days=5, end=datetime(2027, 2, 1)))
    with engine.connect() as conn:
        assert counts_are_maintained(conn)
        assert conn.execute(select(func.count()).select_from(events_table)).scalar_one() > 4500
    written = _count_rows(engine)
    assert written == _recounted(engine)


def test_counts_are_recounted_when_they_no_longer_add_up(make_client: MakeClient) -> None:
    client = make_client("docs")
    engine = engine_of(client)
    with engine.begin() as conn:
        assert suspend_event_counts(conn) is True
    insert_events(client, [event_payload(i, id=None) for i in range(3)])  # no triggers now
    with engine.begin() as conn:
        assert resume_event_counts(conn) is False  # 3 events the rows do not hold
        assert not counts_are_maintained(conn)
        rebuild_event_counts(conn)
        assert counts_are_maintained(conn)
        assert suspend_event_counts(conn) is True
    with engine.begin() as conn:
        assert resume_event_counts(conn) is (engine.dialect.name == "sqlite")


def test_an_in_memory_shop_is_written_in_process() -> None:
    engine = make_engine("sqlite://")
    create_schema(engine, "America/New_York")
    assert write_shop(engine, Plan(events=800, seed=2, days=3)) == 800
    with engine.connect() as conn:
        assert counts_are_maintained(conn)
    assert _count_rows(engine) == _recounted(engine)


def _placed(**values: Any) -> dict[str, Any]:
    """An event row as the parent has it (a placed order's), these values changed."""
    return {
        "subject_id": 1,
        "created_at": "2026-01-01 00:00:00.000000",
        "subject_type": "Order",
        "verb": "placed",
        "arguments": ["#1001"],
        "message": "Order was placed.",
        "author": "Shopify",
        "description": "Order was placed.",
        **values,
    }


def test_a_batch_the_child_cannot_store_stops_the_run(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    engine.dispose()
    keys = ("id", "subject_id", "created_at", "subject_type", "verb", "arguments", "message")
    keys += ("author", "description")
    insert = Insert(
        "events",
        f"INSERT INTO events ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})",
        keys,
        ("arguments",),
    )
    values = positional(keys)

    def batch(*ids: int) -> bytes:
        return orjson.dumps([["events", values([_placed(id=i) for i in ids])]])

    child = ChildWriter(str(database), [insert])
    child.send(batch(1, 2))
    with pytest.raises(RuntimeError, match=r"UNIQUE constraint failed: events\.id"):
        child.send(batch(3, 1))  # the error surfaces at the latest when the run finishes
        child.finish()
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(select(events_table.c.id).order_by(events_table.c.id))]
        arguments = conn.execute(select(events_table.c.arguments)).scalars().first()
    assert ids == [1, 2]  # the first batch, whole; nothing of the failed one
    assert arguments == ["#1001"]  # JSON columns are stored as JSON text


def test_the_counter_buckets_hours_as_the_sql_does() -> None:
    keys = ("id", "subject_type", "verb", "created_at")
    counter = EventCounter((1, 24, 768), keys)
    events = [
        {"id": 5, "subject_type": "Order", "verb": "placed", "created_at": "0001-01-01T00:59:59"},
        {"id": 9, "subject_type": "Order", "verb": "placed", "created_at": "2026-03-08T07:00:00"},
    ]
    counter.add(positional(keys)(events))
    hour = (datetime(2026, 3, 8, 7) - datetime(1, 1, 1)).total_seconds() // 3600
    assert counter.rows[(0, "Order", "placed", 0, 0)] == [1, 5, 5]
    assert counter.rows[(0, "Order", "placed", 0, int(hour))] == [1, 9, 9]
    assert counter.rows[(3, "", "", 2, 0)] == [1, 5, 5]
    assert counter.rows[(3, "", "", 1, int(hour) // 24)] == [1, 9, 9]
    assert len(counter.rows) == 2 * 4 * 3  # each event: four kinds at three levels


def test_the_counter_takes_each_groups_lowest_and_highest_id_in_any_order() -> None:
    keys = ("id", "subject_type", "verb", "created_at")
    at = "2026-03-08T07:"
    rows = [
        (ids, "Order", "placed", f"{at}{minute:02}:00")
        for ids, minute in ((7, 1), (3, 2), (9, 3), (4, 4))
    ]
    for order in (rows, sorted(rows)):  # as given, and ascending (the dicts' shortcut)
        counter = EventCounter((1, 24, 768), keys)
        counter.add([list(row) for row in order])
        hour = int((datetime(2026, 3, 8, 7) - datetime(1, 1, 1)).total_seconds() // 3600)
        assert counter.rows[(0, "Order", "placed", 0, hour)] == [4, 3, 9]
        assert counter.rows[(3, "", "", 2, hour // 768)] == [4, 3, 9]


def test_positional_rows_are_null_where_an_attribute_was_never_set() -> None:
    values = positional(("a", "b", "c"))
    assert [list(r) for r in values([{"a": 1, "b": 2, "c": 3}])] == [[1, 2, 3]]
    assert [list(r) for r in values([{"c": 3, "a": 1, "b": 2}, {"a": 4}])] == [
        [1, 2, 3],
        [4, None, None],
    ]
    with pytest.raises(ValueError):
        positional(("a",))


def test_batch_resources_are_plain_twins_of_their_models(tmp_path: Path) -> None:
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy.orm.attributes import InstrumentedAttribute
    from sqlmodel import Session

    from app.generate import _new
    from app.models.order import Order

    order = _new(Order, id=7, email="bob@example.com")
    assert isinstance(order, Order) and type(order) is not Order
    assert type(order).__name__ == "Order" and type(order).__tablename__ == "orders"
    assert (order.id, order.email) == (7, "bob@example.com")
    assert not isinstance(type(order).__dict__["email"], InstrumentedAttribute)
    assert isinstance(Order.__dict__["email"], InstrumentedAttribute)  # the model is untouched
    assert sa_inspect(Order).class_ is Order
    # The ORM still maps (only) the model: a shop written by generate reads back through it.
    database = tmp_path / "shop.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    write_shop(engine, Plan(events=300, seed=6, days=3))
    with Session(engine) as session:
        orders = session.scalars(select(Order)).all()
        assert orders and all(type(o) is Order for o in orders)
    engine.dispose()


def test_the_counter_sums_each_level_from_the_finer_so_sizes_must_divide() -> None:
    keys = ("id", "subject_type", "verb", "created_at")
    with pytest.raises(ValueError, match="divide"):
        EventCounter((1, 24, 700), keys)
    counter = EventCounter((2, 24), keys)  # a first level of more than one hour
    counter.add([[1, "Order", "placed", "0001-01-01T03:00:00"]])
    assert counter.rows[(0, "Order", "placed", 0, 1)] == [1, 1, 1]  # hour 3 // 2
    assert counter.rows[(3, "", "", 1, 0)] == [1, 1, 1]


def test_frames_read_ahead_arrive_in_order_and_a_read_error_follows_them() -> None:
    from app.sqlite_bulk import _read_ahead

    def frames() -> Iterator[bytes]:
        yield b"one"
        yield b"two"
        raise OSError("the pipe broke")

    got: list[bytes] = []
    with pytest.raises(OSError, match="the pipe broke"):
        for frame in _read_ahead(frames()):
            got.append(frame)
    assert got == [b"one", b"two"]
    assert list(_read_ahead(iter([b"a", b"b", b"c"]), depth=2)) == [b"a", b"b", b"c"]


def test_the_writer_numbers_the_events_across_batches_from_the_first_id(tmp_path: Path) -> None:
    database = tmp_path / "shop.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    create_schema(engine)
    engine.dispose()
    sent = ("subject_id", "created_at", "subject_type", "verb", "arguments", "message")
    sent += ("author", "description")
    keys = (*sent, *WRITER_MADE)
    with pytest.raises(ValueError, match="must end with"):
        Insert("events", "INSERT ...", sent, (), first_id=1)
    insert = Insert(
        "events",
        f"INSERT INTO events ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})",
        keys,
        ("arguments",),
        first_id=41,
    )
    values = positional(sent)

    def batch(*subjects: int) -> bytes:
        rows = [_placed(subject_id=subject) for subject in subjects]
        return orjson.dumps([["events", values(rows)]])

    child = ChildWriter(str(database), [insert])
    child.send(batch(7, 8))
    child.send(batch(9))
    child.finish()
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as conn:
        rows = conn.execute(
            select(events_table.c.id, events_table.c.subject_id, events_table.c.rendered)
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(41, 7, None), (42, 8, None), (43, 9, None)]
