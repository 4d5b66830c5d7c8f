"""Pages through HTTP, and the events each action leaves, read back via the Event API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import assert_subject_events, event_count, linked_event, post, put


def _event(pid: int, verb: str, template: str, title: str = "About us", **kw: Any) -> Any:
    return linked_event("Page", "pages", pid, verb, template, title, **kw)


CREATED = "New page created: {link}"


def test_create_update_publish_unpublish_destroy(empty_client: TestClient) -> None:
    page = post(empty_client, "pages.json", "page", title="About us", body_html="<p>Hi</p>")
    pid = page["id"]
    assert page["handle"] == "about-us"
    assert page["published_at"] == page["created_at"]
    assert page["admin_graphql_api_id"] == f"gid://shopify/OnlineStorePage/{pid}"
    assert empty_client.get(f"{API}/pages/{pid}.json").json() == {"page": page}
    url = f"pages/{pid}.json"
    assert put(empty_client, url, "page", body_html="<p>Hello</p>")["body_html"] == "<p>Hello</p>"
    assert put(empty_client, url, "page", published=False)["published_at"] is None
    republished = put(empty_client, url, "page", published_at="2026-03-01T10:00:00-05:00")
    assert republished["published_at"] == "2026-03-01T10:00:00-05:00"
    assert empty_client.delete(f"{API}/{url}").json() == {}
    assert empty_client.get(f"{API}/{url}").status_code == 404
    assert_subject_events(
        empty_client,
        "pages",
        pid,
        [
            _event(pid, "create", CREATED),
            _event(pid, "update", "{link} was updated."),
            _event(pid, "unpublished", "{link} was hidden."),
            _event(pid, "published", "{link} was published."),
            _event(pid, "destroy", "{link} was destroyed."),
        ],
    )


def test_a_put_that_changes_the_published_state_records_only_that(
    empty_client: TestClient,
) -> None:
    pid = post(empty_client, "pages.json", "page", title="About us", published=False)["id"]
    assert post(empty_client, "pages.json", "page", title="About us")["handle"] == "about-us-1"
    put(empty_client, f"pages/{pid}.json", "page", published=True, title="FAQ")
    events = empty_client.get(f"{API}/pages/{pid}/events.json").json()["events"]
    assert [e["verb"] for e in events] == ["create", "published"]
    assert events[1]["arguments"] == ["FAQ"]


def test_a_put_that_changes_nothing_records_nothing(empty_client: TestClient) -> None:
    pid = post(empty_client, "pages.json", "page", title="About us")["id"]
    before = event_count(empty_client)
    put(empty_client, f"pages/{pid}.json", "page", title="About us", published=True)
    put(empty_client, f"pages/{pid}.json", "page")
    assert event_count(empty_client) == before


def test_the_actor_is_the_author(empty_client: TestClient) -> None:
    response = empty_client.post(
        f"{API}/pages.json",
        json={"page": {"title": "About us"}},
        headers={"X-Sandbox-Actor": "Ann"},
    )
    pid = response.json()["page"]["id"]
    assert_subject_events(
        empty_client, "pages", pid, [_event(pid, "create", CREATED, author="Ann")]
    )


def test_list_count_and_filters(empty_client: TestClient) -> None:
    ids = [post(empty_client, "pages.json", "page", title=f"P{i}")["id"] for i in range(3)]
    listed = empty_client.get(f"{API}/pages.json").json()["pages"]
    assert [p["id"] for p in listed] == ids
    assert empty_client.get(f"{API}/pages/count.json").json() == {"count": 3}
    since = empty_client.get(f"{API}/pages.json", params={"since_id": ids[0], "limit": 1})
    assert [p["id"] for p in since.json()["pages"]] == [ids[1]]
    chosen = empty_client.get(f"{API}/pages.json", params={"ids": f"{ids[2]},{ids[0]}"})
    assert [p["id"] for p in chosen.json()["pages"]] == [ids[0], ids[2]]


BAD = [
    ({"page": {}}, 422, {"title": ["can't be blank"]}),
    ({"page": {"title": None}}, 422, {"title": ["can't be blank"]}),
    ({"page": {"title": "x" * 256}}, 422, {"title": ["is too long (maximum is 255 characters)"]}),
    ({"page": {"title": "A", "published_at": "soon"}}, 422, {"published_at": ["is invalid"]}),
    ({"page": {"title": ["A"]}}, 422, {"title": ["is invalid"]}),
    ({"pages": {"title": "A"}}, 400, {"page": "Required parameter missing or invalid"}),
]


def test_bad_input_changes_nothing(empty_client: TestClient) -> None:
    pid = post(empty_client, "pages.json", "page", title="About us")["id"]
    before = event_count(empty_client)
    for body, status, errors in BAD:
        created = empty_client.post(f"{API}/pages.json", json=body)
        assert (created.status_code, created.json()) == (status, {"errors": errors}), body
        if body.get("page"):
            updated = empty_client.put(f"{API}/pages/{pid}.json", json=body)
            assert (updated.status_code, updated.json()) == (status, {"errors": errors}), body
    assert empty_client.get(f"{API}/pages/count.json").json() == {"count": 1}
    assert empty_client.get(f"{API}/pages/{pid}.json").json()["page"]["title"] == "About us"
    assert event_count(empty_client) == before


def test_unknown_pages_are_404(empty_client: TestClient) -> None:
    for pid in ("404", "x", "-1"):
        assert empty_client.get(f"{API}/pages/{pid}.json").status_code == 404
        assert empty_client.put(f"{API}/pages/{pid}.json", json={"page": {}}).status_code == 404
        assert empty_client.delete(f"{API}/pages/{pid}.json").status_code == 404
        assert empty_client.get(f"{API}/pages/{pid}/events.json").status_code == 404
