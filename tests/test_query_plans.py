"""Every list and count query the Event API runs is answered from an index.

Counts read the maintained `event_counts` rows (primary-key ranges) and count the hours a
window cuts in `events` by id range; both kinds of statement are captured and explained.

The statements are captured as the app really sends them (through HTTP, on each backend), then
explained: SQLite's EXPLAIN QUERY PLAN must show no table scan other than the walk along the
primary key of a keyset page (`ORDER BY id LIMIT`); PostgreSQL's EXPLAIN (sequential scans
disabled, so any usable index wins) must show no sequential scan. Neither may sort, except on
the paths in SORTED (a known gap: several types, or a created_at range alone, are found through
an index and then sorted by id). Timings are the benchmark's business, not this test's.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import API, MakeClient, engine_of

PATHS = {
    "all": {},
    "one type": {"filter": "Order"},
    "two types": {"filter": "Order,Product"},
    "verb": {"verb": "create"},
    "type and verb": {"filter": "Order", "verb": "placed"},
    "since_id": {"since_id": "200000000"},
    "created_at_min": {"created_at_min": "2008-01-10T06:30:00-05:00"},
    "created_at window": {
        "created_at_min": "2008-01-10T06:30:00-05:00",
        "created_at_max": "2008-01-10T08:30:00-05:00",
    },
    "type and window": {
        "filter": "Product",
        "created_at_min": "2008-01-10T06:30:00-05:00",
        "created_at_max": "2008-01-10T08:30:00-05:00",
    },
    "type, verb, since_id": {"filter": "Product", "verb": "create", "since_id": "1"},
    "types, since_id, window": {
        "filter": "Order,Product",
        "since_id": "450789470",
        "created_at_min": "2008-01-10T06:30:00-05:00",
        "created_at_max": "2008-12-31T08:30:00-05:00",
    },
}


SORTED = {"two types", "created_at_min", "created_at window", "types, since_id, window"}


def _capture(client: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def before(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        reads = "FROM events" in statement or "FROM event_counts" in statement
        if reads and statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine_of(client), "before_cursor_execute", before)
    # List, single and nested reads run their compiled SQL on the reader's own connection.
    reader = client.app.state.event_reader  # type: ignore[attr-defined]
    reader.listeners.append(lambda statement, params: before(0, 0, statement, params, 0, False))
    return seen


def _problems(client: Any, statement: str, params: Any, may_sort: bool = False) -> list[str]:
    engine = engine_of(client)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", params)
            rows = cursor.fetchall()
            details = [row[3] for row in rows]
            nodes = {row[0]: (row[1], row[3]) for row in rows}  # id -> (parent, detail)

            def in_scalar_subquery(parent: int) -> bool:
                while parent in nodes:
                    parent, detail = nodes[parent]
                    if "SCALAR SUBQUERY" in detail:
                        return True
                return False

            keyset = "ORDER BY events.id" in statement and "LIMIT" in statement
            # A keyset page may walk the rowid itself (it stops at LIMIT); a scalar subquery
            # in the same statement (the check whether events follow the page) may not.
            bad = [
                d
                for _id, parent, _unused, d in rows
                if d.startswith("SCAN events")
                and "INDEX" not in d
                and not (keyset and not in_scalar_subquery(parent))
            ]
            bad += [d for d in details if d.startswith("SCAN event_counts")]
            if not may_sort:
                bad += [d for d in details if "TEMP B-TREE" in d]
            return bad
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", params)
        plan = json.dumps(cursor.fetchall()[0][0])
        nodes = ("Seq Scan",) if may_sort else ("Seq Scan", '"Sort"')
        return [n for n in nodes if n in plan]
    finally:
        raw.close()


@pytest.mark.parametrize("path", list(PATHS), ids=list(PATHS))
def test_every_filter_path_is_answered_from_an_index(make_client: MakeClient, path: str) -> None:
    client = make_client("docs")
    seen = _capture(client)
    params = PATHS[path]
    urls = [f"{API}/events.json", f"{API}/events/count.json"]
    if "since_id" not in params:
        urls += [f"{API}/orders/450789469/events.json", f"{API}/orders/450789469/events/count.json"]
    for url in urls:
        assert client.get(url, params={**params, "limit": "1"}).status_code == 200
    # Follow a cursor both ways so the keyset queries (and their has-more checks) are seen too,
    # of full pages and of `fields` ones (which SQLite writes in a statement of their own).
    for fields in [{}, {"fields": "id,verb,created_at"}, {"fields": "arguments"}]:
        page = client.get(f"{API}/events.json", params={**params, **fields, "limit": "1"})
        assert page.status_code == 200
        if "next" in page.links:
            following = client.get(page.links["next"]["url"])
            assert following.status_code == 200
            if "previous" in following.links:
                assert client.get(following.links["previous"]["url"]).status_code == 200
    assert seen, "no query captured"
    for statement, values in seen:
        assert _problems(client, statement, values, path in SORTED) == [], statement


def test_single_event_is_a_primary_key_lookup(make_client: MakeClient) -> None:
    client = make_client("docs")
    seen = _capture(client)
    assert client.get(f"{API}/events/677313116.json").status_code == 200
    assert seen
    for statement, values in seen:
        assert _problems(client, statement, values) == [], statement
