"""Counts come from the maintained `event_counts` rows, and stay exact whoever writes events.

Every check compares three numbers on the same shop: what `count.json` answers, what the
summary rows answer on their own (so a silent fall-back to the exact query cannot pass for
them), and a plain `SELECT count(*)` over the same conditions. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import and_, func, select, text

from app.generate import Plan, write_shop
from app.models.event import events_table
from app.models.event_count import (
    counts_are_maintained,
    rebuild_event_counts,
    suspend_event_counts,
)
from app.services import event_counts
from app.services import events as queries
from app.services.event_counts import cover, summary_count, whole_hours
from app.services.events import EventFilters
from app.toolkit.transfer import import_into
from tests.conftest import API, MakeClient, engine_of, session_of
from tests.factories import SUBJECTS, VERBS, event_payload, insert_events

T = events_table.c
UTC = ZoneInfo("UTC")


def _exact(client: TestClient, filters: EventFilters) -> int:
    stmt = select(func.count()).select_from(events_table)
    stmt = stmt.where(and_(True, *filters.conditions()))
    with engine_of(client).connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _from_summary(client: TestClient, filters: EventFilters) -> int | None:
    with session_of(client) as session:
        conn = session.connection()
        untimed = EventFilters(filters.subject_types, filters.verb, filters.since_id)

        def exact(spans: list[tuple[datetime, datetime, int, int]]) -> int:
            total = 0
            for start, last, low, high in spans:
                conds = [*untimed.conditions(), T.created_at >= start, T.created_at <= last]
                conds += [T.id >= low, T.id <= high]
                stmt = select(func.count()).select_from(events_table).where(and_(*conds))
                total += int(conn.execute(stmt).scalar_one())
            return total

        def fetch(_key: Any, build: Any, values: Any) -> Any:
            return list(conn.execute(build(), values))

        return summary_count(
            fetch,
            filters.subject_types,
            filters.verb,
            filters.since_id,
            filters.created_at_min,
            filters.created_at_max,
            exact,
        )


def _params(rng: random.Random, top_id: int) -> dict[str, str]:
    params: dict[str, str] = {}
    if rng.random() < 0.5:
        params["filter"] = ",".join(rng.sample([*SUBJECTS, "Nope"], rng.randint(1, 3)))
    if rng.random() < 0.4:
        params["verb"] = rng.choice([*VERBS, "nope"])
    if rng.random() < 0.4:
        params["since_id"] = str(rng.randint(0, top_id + 5))
    start = datetime(2023, 12, 20)
    for name in ("created_at_min", "created_at_max"):
        if rng.random() < 0.6:
            moment = start + timedelta(seconds=rng.randint(0, 400 * 86_400))
            if rng.random() < 0.3:
                moment = moment.replace(minute=0, second=0)  # on an hour boundary
            params[name] = moment.isoformat() + "+00:00"
    return params


def assert_counts_exact(
    client: TestClient, trials: int = 60, seed: int = 0, may_decline: bool = False
) -> None:
    """count.json, the summary alone and a plain count agree on many filter combinations."""
    with engine_of(client).connect() as conn:
        assert counts_are_maintained(conn)
        top_id = int(conn.execute(select(func.coalesce(func.max(T.id), 0))).scalar_one())
    rng = random.Random(seed)
    cases = [{}, {"filter": "Order"}, {"verb": "create"}, {"filter": "Order", "verb": "placed"}]
    cases += [_params(rng, top_id) for _ in range(trials)]
    for params in cases:
        filters = EventFilters.from_params(params, UTC)
        exact = _exact(client, filters)
        answer = _from_summary(client, filters)
        assert answer == exact or (may_decline and answer is None), params
        response = client.get(f"{API}/events/count.json", params=params)
        assert response.json() == {"count": exact}, params


def _scattered(n: int, seed: int) -> list[dict[str, Any]]:
    """Events whose ids do not follow their times, some on hour boundaries."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        when = datetime(2024, 1, 1) + timedelta(seconds=rng.randint(0, 300 * 86_400))
        if i % 5 == 0:
            when = when.replace(minute=0, second=0)
        out.append(event_payload(i, id=rng.randint(1, 10**7), created_at=when.isoformat() + "Z"))
    unique = {p["id"]: p for p in out}
    return list(unique.values())


def test_counts_match_on_a_shop_whose_ids_follow_time(make_client: MakeClient) -> None:
    client = make_client(None)
    write_shop(engine_of(client), Plan(events=3000, seed=3, days=40))
    assert_counts_exact(client, seed=1)


def test_counts_match_when_ids_do_not_follow_time(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(None)
    insert_events(client, _scattered(200, seed=2))
    assert_counts_exact(client, trials=30, seed=2, may_decline=True)
    # Without the limits that hand such shops to the exact query, the rows still add up.
    monkeypatch.setattr(event_counts, "_MAX_RANGES", 450)
    monkeypatch.setattr(event_counts, "_MAX_EXACT_HOURS", 10_000)
    assert_counts_exact(client, trials=30, seed=2)


def test_counts_stay_exact_after_recorders_import_inject_and_deletes(
    make_client: MakeClient, tmp_path: Any
) -> None:
    client = make_client("docs")
    assert_counts_exact(client, trials=10)
    # Recorders, through the sandbox actions.
    product = client.post(f"{API}/products.json", json={"product": {"title": "Board"}})
    assert product.status_code == 201
    product_id = product.json()["product"]["id"]
    client.put(f"{API}/products/{product_id}.json", json={"product": {"published": False}})
    order = client.post(
        f"{API}/orders.json",
        json={"order": {"line_items": [{"title": "Board", "price": "10.00", "quantity": 1}]}},
    )
    assert order.status_code == 201
    client.delete(f"{API}/products/{product_id}.json")
    assert_counts_exact(client, trials=10)
    # The control API's injection and the `import` command.
    client.post("/_sandbox/events", json=[event_payload(i, id=None) for i in range(40)])
    import_into(engine_of(client), [event_payload(i, id=None) for i in range(50, 90)], UTC)
    assert_counts_exact(client, trials=20)
    # Direct SQL: deletes and updates are counted too.
    with engine_of(client).begin() as conn:
        conn.execute(events_table.delete().where(T.verb == "create"))
        conn.execute(events_table.update().where(T.verb == "update").values(verb="published"))
    assert_counts_exact(client, trials=20, seed=3)


def test_counts_after_a_bulk_generate_on_a_shop_with_events(make_client: MakeClient) -> None:
    client = make_client("docs")
    write_shop(engine_of(client), Plan(events=2000, seed=5, days=10, end=datetime(2027, 1, 1)))
    assert_counts_exact(client, seed=5)


def test_reset_empties_the_counts_and_keeps_them_maintained(make_client: MakeClient) -> None:
    client = make_client(None)
    write_shop(engine_of(client), Plan(events=500, seed=1, days=3))
    assert client.post("/_sandbox/reset").status_code == 200
    assert client.get(f"{API}/events/count.json").json() == {"count": 0}
    assert_counts_exact(client, trials=5)
    assert client.post("/_sandbox/reset", json={"fixture": "docs"}).status_code == 200
    client.post("/_sandbox/events", json=event_payload(1, id=None))
    assert_counts_exact(client, trials=10)


def test_a_suspended_summary_is_not_used_until_rebuilt(make_client: MakeClient) -> None:
    client = make_client("docs")
    with engine_of(client).begin() as conn:
        suspend_event_counts(conn)
    insert_events(client, [event_payload(i, id=None) for i in range(5)])
    filters = EventFilters()
    assert _from_summary(client, filters) is None  # no marker: the rows cannot answer
    assert client.get(f"{API}/events/count.json").json() == {"count": _exact(client, filters)}
    with engine_of(client).begin() as conn:
        rebuild_event_counts(conn)
    assert_counts_exact(client, trials=10)


def test_nested_counts_and_the_visibility_lag_agree_with_the_list(
    make_client: MakeClient,
) -> None:
    client = make_client("docs")
    nested = client.get(f"{API}/orders/450789469/events/count.json").json()["count"]
    listed = client.get(f"{API}/orders/450789469/events.json").json()["events"]
    assert nested == len(listed)
    with engine_of(client).connect() as conn:
        order_event = conn.execute(select(T.id).where(T.subject_type == "Order")).scalar()
    reader = client.app.state.event_reader  # type: ignore[attr-defined]
    shown = queries.count(reader, EventFilters(), [order_event])
    by_type = queries.count(reader, EventFilters(subject_types=("Order",)), [order_event])
    assert shown == _exact(client, EventFilters()) - 1
    assert by_type == _exact(client, EventFilters(subject_types=("Order",))) - 1


def test_sqlite_triggers_and_postgresql_parts_fold_into_the_same_counts(
    make_client: MakeClient,
) -> None:
    client = make_client(None)
    insert_events(client, _scattered(200, seed=9))
    with engine_of(client).connect() as conn:
        before = conn.execute(
            text(
                "SELECT kind, subject_type, verb, level, bucket, sum(n) FROM event_counts "
                "WHERE level >= 0 GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5"
            )
        ).all()
    with engine_of(client).begin() as conn:
        rebuild_event_counts(conn)
    with engine_of(client).connect() as conn:
        after = conn.execute(
            text(
                "SELECT kind, subject_type, verb, level, bucket, sum(n) FROM event_counts "
                "WHERE level >= 0 GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5"
            )
        ).all()
    assert before == after


@pytest.mark.parametrize(
    ("t_min", "t_max", "expected"),
    [
        (None, None, (None, None, [])),
        (datetime(1, 1, 1, 2), datetime(1, 1, 1, 4, 59, 59, 999999), (2, 5, [])),
        (datetime(1, 1, 1, 2, 30), datetime(1, 1, 1, 4, 0), (3, 4, [2, 4])),
        (datetime(1, 1, 1, 2, 10), datetime(1, 1, 1, 2, 20), (3, 2, [2])),
    ],
)
def test_whole_hours_and_the_cut_ones(t_min: Any, t_max: Any, expected: Any) -> None:
    assert whole_hours(t_min, t_max) == expected


def test_cover_tiles_hours_with_the_largest_buckets() -> None:
    assert cover(None, None) == [(2, None, None)]
    assert cover(5, 5) == []
    assert cover(5, 20) == [(0, 5, 20)]
    # 23 hours, a day, then 768-hour blocks 1..2, then a day and 2 hours
    assert cover(1, 768 * 3 + 26) == [
        (0, 1, 24),
        (1, 1, 32),
        (2, 1, 3),
        (1, 96, 97),
        (0, 2328, 2330),
    ]
    rng = random.Random(4)
    sizes = (1, 24, 768)
    for _ in range(200):
        lo = rng.randint(0, 5000)
        hi = lo + rng.randint(0, 5000)
        hours: list[int] = []
        for level, first, end in cover(lo, hi):
            assert first is not None and end is not None
            for bucket in range(first, end):
                hours += range(bucket * sizes[level], (bucket + 1) * sizes[level])
        assert hours == list(range(lo, hi))


def test_the_index_of_per_transaction_rows_is_partial_on_both(make_client: MakeClient) -> None:
    """`ix_event_counts_parts` holds only part != 0 rows; PostgreSQL's predicate is given when
    a PostgreSQL schema is made (`prepare_metadata`), not when the models are imported."""
    engine = engine_of(make_client())
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            sql = (
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_event_counts_parts' "
                "AND schemaname = current_schema()"
            )
            assert conn.execute(text(sql)).scalar_one().endswith("WHERE (part <> 0)")
        else:
            sql = "SELECT sql FROM sqlite_master WHERE name = 'ix_event_counts_parts'"
            assert conn.execute(text(sql)).scalar_one().endswith("WHERE part != 0")


def test_a_sqlite_server_never_loads_the_postgresql_dialect() -> None:
    """Importing the app and building it: SQLAlchemy's PostgreSQL dialect stays unloaded."""
    code = (
        "import sys, app.cli, app.main; app.main.create_app(); "
        "assert 'sqlalchemy.dialects.postgresql' not in sys.modules, 'loaded'"
    )
    env = {**os.environ, "DATABASE_URL": "sqlite://", "SEED": "none"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def _counts_indexes(conn: Any) -> list[tuple[Any, ...]]:
    if conn.dialect.name == "postgresql":
        constraints = (
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'event_counts'::regclass ORDER BY 1"
        )
        indexes = (
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'event_counts' "
            "AND schemaname = current_schema()"
        )
        return [*conn.execute(text(constraints)), *conn.execute(text(indexes + " ORDER BY 1"))]
    sql = "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'event_counts' ORDER BY 1"
    return list(conn.execute(text(sql)))


def test_a_rebuild_leaves_the_counts_table_as_it_found_it(make_client: MakeClient) -> None:
    """PostgreSQL's rebuild drops the table's primary key and index and makes them again
    after the recount: the same names and definitions, and writers' upserts (the triggers'
    ON CONFLICT) still find their key."""
    client = make_client("docs")
    engine = engine_of(client)
    with engine.connect() as conn:
        before = _counts_indexes(conn)
    with engine.begin() as conn:
        rebuild_event_counts(conn)
    with engine.connect() as conn:
        after = _counts_indexes(conn)
    assert after == before
    names = {row[0] for row in after}
    assert "ix_event_counts_parts" in names
    if engine.dialect.name == "postgresql":
        assert "event_counts_pkey" in names
    else:  # WITHOUT ROWID: the table is its primary key
        assert (
            "PRIMARY KEY (kind, subject_type, verb, level, bucket, part)"
            in dict(after)["event_counts"]
        )
    insert_events(client, _scattered(50, seed=3))
    assert_counts_exact(client, trials=10)
