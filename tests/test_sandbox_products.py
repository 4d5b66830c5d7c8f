"""Products through HTTP, and the events each action leaves, read back via the Event API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.db import open_session
from app.events import products as product_events
from app.models.product import Product
from app.services import products as product_service
from app.services.events import render_row
from app.timeparse import parse_timestamp
from tests.conftest import API, TOKEN, MakeClient, engine_of, session_of
from tests.sandbox import assert_subject_events, decided, event_count, expected_event

ADMIN = "https://admin.myshopify.io/store/jsmith/admin/products"


def _create(client: TestClient, **fields: Any) -> dict[str, Any]:
    response = client.post(f"{API}/products.json", json={"product": {"title": "Widget", **fields}})
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()["product"]
    return product


def _event(pid: int, verb: str, message: str, title: str = "Widget", author: str = "Shopify"):
    link = f'<a href="{ADMIN}/{pid}">{title}</a>'
    text = message.format(link=link)
    plain = message.format(link=title)
    return expected_event(
        "Product", pid, verb, text, plain, [title], f"/admin/products/{pid}", author
    )


CREATED = "Product was created: {link}."


def test_create_returns_the_product_and_records_create(empty_client: TestClient) -> None:
    product = _create(empty_client, vendor="Acme", product_type="Tools", tags=["b", "a"])
    assert list(product)[:5] == ["id", "title", "body_html", "vendor", "product_type"]
    assert product["handle"] == "widget"
    assert product["status"] == "active"
    assert product["published_at"] == product["created_at"]
    assert product["tags"] == "b, a"
    assert product["admin_graphql_api_id"] == f"gid://shopify/Product/{product['id']}"
    got = empty_client.get(f"{API}/products/{product['id']}.json").json()
    assert got == {"product": product}
    events = assert_subject_events(
        empty_client, "products", product["id"], [_event(product["id"], "create", CREATED)]
    )
    assert events[0]["created_at"] == product["created_at"]


def test_the_actor_header_becomes_the_author(empty_client: TestClient) -> None:
    response = empty_client.post(
        f"{API}/products.json",
        json={"product": {"title": "Widget"}},
        headers={"X-Sandbox-Actor": "Jane Smith"},
    )
    pid = response.json()["product"]["id"]
    expected = [_event(pid, "create", CREATED, author="Jane Smith")]
    assert_subject_events(empty_client, "products", pid, expected)


HIDE_AND_SHOW = [
    ({"published": False}, {"published": True}),
    ({"published_at": None}, {"published_at": "2026-01-02T03:04:05-05:00"}),
    ({"status": "draft"}, {"status": "active"}),
    ({"status": "archived"}, {"status": "active"}),
]


def test_hiding_and_publishing_record_unpublished_and_published(
    empty_client: TestClient,
) -> None:
    for hide, show in HIDE_AND_SHOW:
        pid = _create(empty_client)["id"]
        url = f"{API}/products/{pid}.json"
        hidden = empty_client.put(url, json={"product": hide})
        assert hidden.status_code == 200
        assert hidden.json()["product"]["id"] == pid
        assert empty_client.put(url, json={"product": hide}).status_code == 200  # no event
        shown = empty_client.put(url, json={"product": show})
        assert shown.status_code == 200
        assert shown.json()["product"]["status"] == "active"
        assert shown.json()["product"]["published_at"] is not None
        assert_subject_events(
            empty_client,
            "products",
            pid,
            [
                _event(pid, "create", CREATED),
                _event(pid, "unpublished", "{link} was hidden."),
                _event(pid, "published", "{link} was published."),
            ],
        )


def test_an_update_that_keeps_the_published_state_records_nothing(
    empty_client: TestClient,
) -> None:
    pid = _create(empty_client)["id"]
    before = event_count(empty_client)
    response = empty_client.put(
        f"{API}/products/{pid}.json",
        json={"product": {"title": "Gadget", "body_html": "<p>x</p>", "status": "active"}},
    )
    assert response.status_code == 200
    assert response.json()["product"]["title"] == "Gadget"
    assert response.json()["product"]["body_html"] == "<p>x</p>"
    assert event_count(empty_client) == before


def test_a_product_created_hidden_then_published_uses_its_new_title(
    empty_client: TestClient,
) -> None:
    pid = _create(empty_client, published=False)["id"]
    empty_client.put(
        f"{API}/products/{pid}.json", json={"product": {"published": True, "title": "A & B"}}
    )
    link = f'<a href="{ADMIN}/{pid}">A &amp; B</a>'
    events = empty_client.get(f"{API}/products/{pid}/events.json").json()["events"]
    assert [e["verb"] for e in events] == ["create", "published"]
    assert events[1]["message"] == f"{link} was published."
    assert events[1]["description"] == "A & B was published."
    assert events[1]["arguments"] == ["A & B"]


def test_delete_keeps_the_history_and_the_nested_route(empty_client: TestClient) -> None:
    pid = _create(empty_client)["id"]
    response = empty_client.delete(f"{API}/products/{pid}.json")
    assert response.status_code == 200
    assert response.json() == {}
    assert empty_client.get(f"{API}/products/{pid}.json").status_code == 404
    assert empty_client.delete(f"{API}/products/{pid}.json").status_code == 404
    destroyed = expected_event(
        "Product", pid, "destroy", "Widget was destroyed.", "Widget was destroyed.",
        ["Widget"], f"/admin/products/{pid}",
    )  # fmt: skip
    assert_subject_events(
        empty_client, "products", pid, [_event(pid, "create", CREATED), destroyed]
    )
    deleted = empty_client.get(f"{API}/events.json?filter=Product&verb=destroy").json()
    assert [e["subject_id"] for e in deleted["events"]] == [pid]


def test_list_and_count(client: TestClient) -> None:
    _create(client)
    listed = client.get(f"{API}/products.json").json()["products"]
    assert [p["id"] for p in listed][:2] == [632910392, 921728736]
    assert client.get(f"{API}/products/count.json").json() == {"count": 3}
    assert [p["id"] for p in client.get(f"{API}/products.json?limit=1").json()["products"]] == [
        632910392
    ]
    since = client.get(f"{API}/products.json?since_id=632910392").json()["products"]
    assert since[0]["id"] == 921728736
    assert client.get(f"{API}/products/count.json?since_id=632910392").json() == {"count": 2}
    assert client.get(f"{API}/products.json?limit=251").status_code == 400


def test_the_seeded_products_keep_their_ids_and_times(client: TestClient) -> None:
    nano = client.get(f"{API}/products/632910392.json").json()["product"]
    assert nano["title"] == "IPod Nano - 8GB"
    assert nano["created_at"] == "2008-01-10T07:00:00-05:00"
    assert nano["published_at"] == "2007-12-31T19:00:00-05:00"
    touch = client.get(f"{API}/products/921728736.json").json()["product"]
    assert touch["handle"] == "ipod-touch"
    # Loading them recorded nothing beyond the fixture's five events.
    assert client.get(f"{API}/events/count.json").json() == {"count": 5}


def test_the_create_recorder_reproduces_the_documented_event(client: TestClient) -> None:
    fixture = json.loads((Path(__file__).parent.parent / "seed" / "docs.json").read_text())
    documented = next(e for e in fixture["events"] if e["id"] == 365755215)
    tz = client.app.state.settings.tz  # type: ignore[attr-defined]
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with open_session(engine_of(client), settings) as session:
        product = Product(
            id=632910392,
            title="IPod Nano - 8GB",
            handle="ipod-nano",
            created_at=parse_timestamp(documented["created_at"], tz),
            updated_at=parse_timestamp(documented["created_at"], tz),
        )
        event = product_events.product_created_event(session, product=product)
        session.flush()
        row = render_row(event, tz, None)
        session.rollback()
    assert {k: v for k, v in row.items() if k != "id"} == {
        k: v for k, v in documented.items() if k != "id"
    }


def test_creating_the_documented_product_through_http_matches_the_documented_wording(
    empty_client: TestClient,
) -> None:
    pid = _create(empty_client, title="IPod Nano - 8GB")["id"]
    event = empty_client.get(f"{API}/products/{pid}/events.json").json()["events"][0]
    fixture = json.loads((Path(__file__).parent.parent / "seed" / "docs.json").read_text())
    documented = next(e for e in fixture["events"] if e["id"] == 365755215)
    same = {k: str(v).replace("632910392", str(pid)) for k, v in decided(documented).items()}
    assert {k: str(v) for k, v in decided(event).items()} == same


def test_bad_input_is_refused_and_changes_nothing(client: TestClient) -> None:
    before = (client.get(f"{API}/products/count.json").json(), event_count(client))
    url = f"{API}/products.json"
    blank = client.post(url, json={"product": {"title": "  "}})
    assert (blank.status_code, blank.json()) == (422, {"errors": {"title": ["can't be blank"]}})
    missing = client.post(url, json={"product": {"vendor": "Acme"}})
    assert missing.json() == {"errors": {"title": ["can't be blank"]}}
    several = client.post(url, json={"product": {"title": "x", "status": "gone", "published": 3}})
    assert several.status_code == 422
    assert several.json() == {
        "errors": {"status": ["is not included in the list"], "published": ["is invalid"]}
    }
    for body in (b"not json", b"", b"[]", b'{"title": "x"}', b'{"product": "x"}'):
        bad = client.post(url, content=body, headers={"Content-Type": "application/json"})
        assert bad.status_code == 400, body
        assert bad.json() == {"errors": {"product": "Required parameter missing or invalid"}}
    put = client.put(f"{API}/products/632910392.json", json={"product": {"title": ""}})
    assert put.status_code == 422
    assert client.get(f"{API}/products/632910392.json").json()["product"]["title"] == (
        "IPod Nano - 8GB"
    )
    for pid in ("1", "abc", "99999999999999999999999", "0"):
        assert client.get(f"{API}/products/{pid}.json").status_code == 404
        assert client.put(f"{API}/products/{pid}.json", json={"product": {}}).status_code == 404
        assert client.delete(f"{API}/products/{pid}.json").json() == {"errors": "Not Found"}
    after = (client.get(f"{API}/products/count.json").json(), event_count(client))
    assert after == before


def test_a_failing_recorder_leaves_neither_product_nor_event(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_client(None).app
    client = TestClient(
        app, raise_server_exceptions=False, headers={"X-Shopify-Access-Token": TOKEN}
    )

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("recorder failed")

    monkeypatch.setattr(product_service, "product_created_event", boom)
    response = client.post(f"{API}/products.json", json={"product": {"title": "Widget"}})
    assert response.status_code == 500
    assert response.json() == {"errors": "An unexpected error occurred"}
    assert client.get(f"{API}/products/count.json").json() == {"count": 0}
    assert event_count(client) == 0
    with session_of(client) as session:
        assert session.get(Product, 1) is None
    monkeypatch.undo()
    assert client.post(f"{API}/products.json", json={"product": {"title": "W"}}).status_code == 201


def test_resource_routes_and_nested_event_routes_do_not_shadow_each_other(
    client: TestClient,
) -> None:
    assert client.get(f"{API}/products/count.json").json() == {"count": 2}
    assert client.get(f"{API}/products/921728736.json").json()["product"]["id"] == 921728736
    nested = client.get(f"{API}/products/921728736/events.json").json()["events"]
    assert [e["id"] for e in nested] == [677313116]
    assert client.get(f"{API}/products/921728736/events/count.json").json() == {"count": 1}
    assert client.get("/admin/products/921728736.json").status_code == 200
    assert client.get("/admin/products/921728736/events.json").status_code == 200
