"""Property tests: for random shops and random filters, paging returns exactly the selected rows.

Each example builds a fresh in-memory shop of random events (through the importer), picks a
random combination of `filter`, `verb`, `since_id`, `created_at_min/max`, a nested subject,
`fields` and `limit`, and checks against a plain Python filter of the same rows: walking every
page forward through `rel="next"` and back through `rel="previous"` yields exactly those rows,
each once, in id order, in full pages; `count.json` agrees with the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from app.bulk_render import FIELDS
from app.config import Settings
from app.db import open_session
from app.main import create_app
from app.services.event_import import import_events

API = "/admin/api/2026-10"
SUBJECTS = ["Order", "Product", "Article", "Page"]
ROUTES = {"Order": "orders", "Product": "products", "Article": "articles", "Page": "pages"}
VERBS = ["create", "update", "destroy", "placed"]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
OFFSETS = [UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]


@dataclass(frozen=True)
class Row:
    id: int
    subject_type: str
    subject_id: int
    verb: str
    created_at: datetime


rows_strategy = st.lists(
    st.builds(
        Row,
        id=st.one_of(st.integers(1, 10_000), st.integers(2**63 - 50, 2**63 - 1)),
        subject_type=st.sampled_from(SUBJECTS),
        subject_id=st.integers(1, 3),
        verb=st.sampled_from(VERBS),
        created_at=st.integers(0, 12).map(lambda h: EPOCH + timedelta(hours=h)),
    ),
    max_size=40,
    unique_by=lambda r: r.id,
)


@st.composite
def instants(draw: st.DrawFn) -> tuple[datetime, str]:
    """A time on the rows' grid (or between), written with a random offset."""
    at = EPOCH + timedelta(minutes=30 * draw(st.integers(-1, 26)))
    return at, at.astimezone(draw(st.sampled_from(OFFSETS))).isoformat()


@dataclass
class Query:
    filter: list[str] | None
    verb: str | None
    since_id: int | None
    created_at_min: tuple[datetime, str] | None
    created_at_max: tuple[datetime, str] | None
    subject: tuple[str, int] | None
    fields: list[str] | None
    limit: int

    def params(self) -> dict[str, str]:
        out: dict[str, str] = {"limit": str(self.limit)}
        if self.filter is not None:
            out["filter"] = ",".join(self.filter)
        if self.verb is not None:
            out["verb"] = self.verb
        if self.since_id is not None:
            out["since_id"] = str(self.since_id)
        if self.created_at_min is not None:
            out["created_at_min"] = self.created_at_min[1]
        if self.created_at_max is not None:
            out["created_at_max"] = self.created_at_max[1]
        if self.fields is not None:
            out["fields"] = ",".join(self.fields)
        return out

    def selects(self, row: Row) -> bool:
        known = {s.lower(): s for s in SUBJECTS}  # known types match case-insensitively
        wanted = {known.get(f.lower(), f) for f in self.filter or []}
        return (
            (self.filter is None or row.subject_type in wanted)
            and (self.verb is None or row.verb == self.verb)
            and (self.since_id is None or row.id > self.since_id)
            and (self.created_at_min is None or row.created_at >= self.created_at_min[0])
            and (self.created_at_max is None or row.created_at <= self.created_at_max[0])
            and (self.subject is None or (row.subject_type, row.subject_id) == self.subject)
        )


queries = st.builds(
    Query,
    filter=st.none() | st.lists(st.sampled_from([*SUBJECTS, "order", "Blog", "Nope"]), min_size=1),
    verb=st.none() | st.sampled_from([*VERBS, "nope"]),
    since_id=st.none() | st.integers(0, 10_000) | st.just(2**63 - 25),
    created_at_min=st.none() | instants(),
    created_at_max=st.none() | instants(),
    subject=st.none() | st.tuples(st.sampled_from(SUBJECTS), st.integers(1, 4)),
    fields=st.none() | st.lists(st.sampled_from([*FIELDS, "nope"]), min_size=1),
    limit=st.integers(1, 7),
)


def shop_of(rows: list[Row]) -> TestClient:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    settings = Settings(database_url="sqlite://", seed="none")
    app = create_app(settings, engine)
    with open_session(engine, settings) as session:
        import_events(
            session,
            [
                {
                    "id": r.id,
                    "subject_id": r.subject_id,
                    "subject_type": r.subject_type,
                    "verb": r.verb,
                    "created_at": r.created_at.isoformat(),
                    "message": f"event {r.id}",
                }
                for r in rows
            ],
            settings.tz,
        )
        session.commit()
    return TestClient(app, headers={"X-Shopify-Access-Token": "t"})


def walk(client: TestClient, url: str, rel: str) -> list[list[dict[str, Any]]]:
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = client.get(next_url)
        assert response.status_code == 200, response.text
        pages.append(response.json()["events"])
        next_url = response.links.get(rel, {}).get("url")
        assert len(pages) <= 60, "paging does not end"
    return pages


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # No shrinking: a failure prints its (unshrunk) example at once instead of minutes later.
    phases=[Phase.explicit, Phase.generate],
)
@given(rows=rows_strategy, query=queries)
def test_paging_forward_and_back_yields_exactly_the_selected_rows(
    rows: list[Row], query: Query
) -> None:
    client = shop_of(rows)
    expected = sorted(r.id for r in rows if query.selects(r))
    base = f"{API}/events.json"
    count_url = f"{API}/events/count.json"
    if query.subject is not None:
        subject_type, subject_id = query.subject
        prefix = f"{API}/{ROUTES[subject_type]}/{subject_id}"
        base, count_url = f"{prefix}/events.json", f"{prefix}/events/count.json"
        if not any((r.subject_type, r.subject_id) == query.subject for r in rows):
            # No such subject in this shop: the nested routes do not exist.
            assert client.get(base).status_code == 404
            assert client.get(count_url).status_code == 404
            return
    params = query.params()
    first = f"{base}?{urlencode(params)}"

    forward = walk(client, first, "next")
    ids = [e["id"] for page in forward for e in page if "id" in e]
    if query.fields is None or "id" in query.fields:
        assert ids == expected
    assert sum(len(page) for page in forward) == len(expected)
    assert all(len(page) == query.limit for page in forward[:-1])
    shown = [f for f in FIELDS if query.fields is None or f in query.fields]
    for page in forward:
        for event in page:
            assert list(event) == shown

    # Back from the last page: the same rows, page by page in reverse.
    last = client.get(first)
    for _ in forward[1:]:
        last = client.get(last.links["next"]["url"])
    back_start = last.links.get("previous", {}).get("url")
    backward = [forward[-1]] + (walk(client, back_start, "previous") if back_start else [])
    assert [e for page in reversed(backward) for e in page] == [e for p in forward for e in p]
    assert all(len(page) == query.limit for page in backward[1:])

    count_params = {k: v for k, v in params.items() if k not in ("limit", "fields")}
    count = client.get(f"{count_url}?{urlencode(count_params)}")
    assert count.json() == {"count": len(expected)}
    client.close()


@settings(max_examples=300, deadline=None)
@given(
    limit=st.none() | st.integers(1, 250),
    cursor=st.integers(0, 2**63 - 1),
    fields=st.none() | st.text(max_size=30),
)
def test_page_urls_are_urlencoded(limit: int | None, cursor: int, fields: str | None) -> None:
    from urllib.parse import quote

    from app.pagination import Cursor, encode_page_info, page_url

    token = encode_page_info(Cursor("next", cursor, {"verb": "x y&z"}), "secret")
    query = [("limit", str(limit))] if limit is not None else []
    query += [("page_info", token)] + ([("fields", fields)] if fields is not None else [])
    expected = f"https://shop/events.json?{urlencode(query, quote_via=quote, safe='')}"
    limit_text = str(limit) if limit is not None else None
    url = page_url("https://shop/events.json", limit=limit_text, page_info=token, fields=fields)
    assert url == expected


@settings(max_examples=300, deadline=None)
@given(
    direction=st.sampled_from(["next", "prev", "sideways"]),
    last_id=st.integers(-5, 2**63 + 5),
    filters=st.dictionaries(
        st.sampled_from(["verb", "filter", "since_id", "direction", "sig", "last_value", "x"]),
        st.text(max_size=5) | st.integers(-3, 3) | st.booleans() | st.none(),
        max_size=3,
    ),
)
def test_remembered_cursors_decode_as_their_tokens_do(
    direction: str, last_id: int, filters: dict[str, Any]
) -> None:
    """Decoding a token this process signed (remembered) answers as verifying it does."""
    from app import pagination
    from app.errors import ShopifyError
    from app.pagination import Cursor, decode_page_info, encode_page_info

    token = encode_page_info(Cursor(direction, last_id, dict(filters)), "s")  # type: ignore[arg-type]
    again = encode_page_info(Cursor(direction, last_id, dict(filters)), "s")  # type: ignore[arg-type]
    assert again == token == pagination._encode(Cursor(direction, last_id, dict(filters)), "s")  # type: ignore[arg-type]
    remembered = pagination._KNOWN.get((token, "s"))
    try:
        verified: Cursor | None = pagination._verify(token, "s")
    except ShopifyError:
        verified = None
    if remembered is not None:
        assert verified == remembered
    try:
        assert decode_page_info(token, "s") == verified
    except ShopifyError:
        assert verified is None
