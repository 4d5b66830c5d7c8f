"""Helpers for the sandbox tests: read an action's events back through the Event API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API

# The fields an action decides (id and created_at are the server's).
DECIDED = ("subject_id", "subject_type", "verb", "arguments", "body", "message", "author")
DECIDED += ("description", "path")


def expected_event(
    subject_type: str,
    subject_id: int,
    verb: str,
    message: str,
    description: str,
    arguments: list[str],
    path: str,
    author: str = "Shopify",
) -> dict[str, Any]:
    return {
        "subject_id": subject_id,
        "subject_type": subject_type,
        "verb": verb,
        "arguments": arguments,
        "body": None,
        "message": message,
        "author": author,
        "description": description,
        "path": path,
    }


def decided(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event[k] for k in DECIDED}


def assert_subject_events(
    client: TestClient, resource: str, subject_id: int, expected: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The nested list, its count, the verb filter, the single-event route and the shop-wide
    list all show exactly `expected` for this subject, field by field."""
    nested = client.get(f"{API}/{resource}/{subject_id}/events.json")
    assert nested.status_code == 200, nested.text
    events = nested.json()["events"]
    assert [decided(e) for e in events] == expected
    count = client.get(f"{API}/{resource}/{subject_id}/events/count.json")
    assert count.json() == {"count": len(expected)}
    shop_wide = client.get(f"{API}/events.json", params={"limit": 250}).json()["events"]
    assert [e for e in shop_wide if e["id"] in {x["id"] for x in events}] == events
    for event in events:
        single = client.get(f"{API}/events/{event['id']}.json")
        assert single.json() == {"event": event}
        by_verb = client.get(
            f"{API}/events.json",
            params={"filter": event["subject_type"], "verb": event["verb"], "limit": 250},
        ).json()["events"]
        assert event in by_verb
        assert all(e["verb"] == event["verb"] for e in by_verb)
        assert all(e["subject_type"] == event["subject_type"] for e in by_verb)
    return events


def event_count(client: TestClient) -> int:
    count: int = client.get(f"{API}/events/count.json").json()["count"]
    return count


SHOP_ADMIN = "https://jsmith.myshopify.com/admin"


def post(client: TestClient, url: str, key: str, **fields: Any) -> dict[str, Any]:
    """POST `{key: fields}`, assert 201, return the created resource."""
    response = client.post(f"{API}/{url}", json={key: fields})
    assert response.status_code == 201, response.text
    assert list(response.json()) == [key]
    resource: dict[str, Any] = response.json()[key]
    return resource


def put(client: TestClient, url: str, key: str, **fields: Any) -> dict[str, Any]:
    response = client.put(f"{API}/{url}", json={key: fields})
    assert response.status_code == 200, response.text
    resource: dict[str, Any] = response.json()[key]
    return resource


def linked_event(
    subject_type: str,
    admin: str,
    subject_id: int,
    verb: str,
    template: str,
    title: str,
    author: str = "Shopify",
) -> dict[str, Any]:
    """An event whose message is `template` with `{link}` = the title linked to
    `https://jsmith.myshopify.com/admin/<admin>/<id>`; path `/admin/<admin>/<id>`."""
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    anchor = f'<a href="{SHOP_ADMIN}/{admin}/{subject_id}">{escaped}</a>'
    return expected_event(
        subject_type,
        subject_id,
        verb,
        template.format(link=anchor),
        template.format(link=title),
        [title],
        f"/admin/{admin}/{subject_id}",
        author,
    )
