"""Custom and smart collections through HTTP; their `Collection` events via the Event API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import assert_subject_events, event_count, linked_event, post, put

RULES = [{"column": "vendor", "relation": "equals", "condition": "Apple"}]


def _event(cid: int, verb: str, template: str, title: str = "Macbooks") -> Any:
    return linked_event("Collection", "collections", cid, verb, template, title)


def test_custom_collection_lifecycle(empty_client: TestClient) -> None:
    created = post(empty_client, "custom_collections.json", "custom_collection", title="Macbooks")
    cid = created["id"]
    assert list(created) == [
        "id",
        "handle",
        "title",
        "updated_at",
        "body_html",
        "published_at",
        "sort_order",
        "template_suffix",
        "published_scope",
        "admin_graphql_api_id",
    ]
    assert created["sort_order"] == "manual"
    assert created["published_at"] is not None
    url = f"custom_collections/{cid}.json"
    assert empty_client.get(f"{API}/{url}").json() == {"custom_collection": created}
    put(empty_client, url, "custom_collection", sort_order="alpha-asc")
    assert put(empty_client, url, "custom_collection", published=False)["published_at"] is None
    put(empty_client, url, "custom_collection", published=True)
    assert empty_client.delete(f"{API}/{url}").json() == {}
    assert empty_client.get(f"{API}/{url}").status_code == 404
    assert_subject_events(
        empty_client,
        "custom_collections",
        cid,
        [
            _event(cid, "create", "New collection created: {link}"),
            _event(cid, "update", "{link} was updated."),
            _event(cid, "unpublished", "{link} was hidden."),
            _event(cid, "published", "{link} was published."),
            _event(cid, "destroy", "{link} was destroyed."),
        ],
    )


def test_smart_collection_lifecycle_and_nested_route(empty_client: TestClient) -> None:
    created = post(
        empty_client, "smart_collections.json", "smart_collection", title="Macbooks", rules=RULES
    )
    sid = created["id"]
    assert created["rules"] == RULES
    assert created["disjunctive"] is False
    url = f"smart_collections/{sid}.json"
    updated = put(empty_client, url, "smart_collection", disjunctive=True, title="Laptops")
    assert updated["disjunctive"] is True
    put(empty_client, url, "smart_collection", published_at=None)
    empty_client.delete(f"{API}/{url}")
    assert_subject_events(
        empty_client,
        "smart_collections",
        sid,
        [
            _event(sid, "create", "New collection created: {link}"),
            _event(sid, "update", "{link} was updated.", "Laptops"),
            _event(sid, "unpublished", "{link} was hidden.", "Laptops"),
            _event(sid, "destroy", "{link} was destroyed.", "Laptops"),
        ],
    )


def test_custom_and_smart_collections_share_one_id_space(empty_client: TestClient) -> None:
    custom = post(empty_client, "custom_collections.json", "custom_collection", title="A")
    smart = post(empty_client, "smart_collections.json", "smart_collection", title="A", rules=RULES)
    assert custom["id"] != smart["id"]
    assert smart["handle"] == "a-1"
    assert empty_client.get(f"{API}/custom_collections/{smart['id']}.json").status_code == 404
    assert empty_client.get(f"{API}/smart_collections/{custom['id']}.json").status_code == 404
    assert empty_client.get(f"{API}/custom_collections/count.json").json() == {"count": 1}
    assert empty_client.get(f"{API}/smart_collections/count.json").json() == {"count": 1}
    listed = empty_client.get(f"{API}/smart_collections.json").json()["smart_collections"]
    assert [c["id"] for c in listed] == [smart["id"]]
    created = empty_client.get(f"{API}/events.json?filter=Collection&verb=create").json()
    assert [e["subject_id"] for e in created["events"]] == [custom["id"], smart["id"]]


def test_bad_collections_change_nothing(empty_client: TestClient) -> None:
    cid = post(empty_client, "custom_collections.json", "custom_collection", title="A")["id"]
    before = event_count(empty_client)
    cases = [
        ("custom_collections.json", {"custom_collection": {"body_html": "x"}}, 422),
        ("custom_collections.json", {"custom_collection": {"title": "A", "sort_order": "x"}}, 422),
        ("custom_collections.json", {"smart_collection": {"title": "A"}}, 400),
        ("smart_collections.json", {"smart_collection": {"title": "A"}}, 422),
        ("smart_collections.json", {"smart_collection": {"title": "A", "rules": []}}, 422),
        (
            "smart_collections.json",
            {"smart_collection": {"title": "A", "rules": [{"column": "colour"}]}},
            422,
        ),
    ]
    for url, body, status in cases:
        response = empty_client.post(f"{API}/{url}", json=body)
        assert response.status_code == status, (url, body)
        assert "errors" in response.json()
    blank = empty_client.put(
        f"{API}/custom_collections/{cid}.json", json={"custom_collection": {"title": ""}}
    )
    assert blank.json() == {"errors": {"title": ["can't be blank"]}}
    rules = empty_client.post(
        f"{API}/smart_collections.json", json={"smart_collection": {"title": "A"}}
    )
    assert rules.json() == {"errors": {"rules": ["can't be blank"]}}
    assert empty_client.get(f"{API}/custom_collections/count.json").json() == {"count": 1}
    assert empty_client.get(f"{API}/smart_collections/count.json").json() == {"count": 0}
    assert event_count(empty_client) == before
