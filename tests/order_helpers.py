"""Helpers for the order sandbox tests: place orders and read their events over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

API = "/admin/api/2026-10"
DOMAIN = "jsmith.myshopify.com"


def order_body(**overrides: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "email": "ann.lee@mail.example.com",
        "customer": {"first_name": "Ann", "last_name": "Lee"},
        "line_items": [
            {"title": "IPod Nano - 8GB", "price": "199.00", "quantity": 2, "product_id": 632910392},
            {"title": "Gift card", "price": "12.94", "quantity": 1, "requires_shipping": False},
        ],
    }
    order.update(overrides)
    return {"order": order}


def place(client: TestClient, actor: str | None = None, **overrides: Any) -> dict[str, Any]:
    headers = {"X-Sandbox-Actor": actor} if actor else {}
    response = client.post(f"{API}/orders.json", json=order_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()["order"]
    return order


def post(client: TestClient, path: str, body: Any = None, status: int = 201, **kw: Any) -> Any:
    response = client.post(f"{API}/{path}", json=body, **kw)
    assert response.status_code == status, response.text
    return response.json()


def events_of(client: TestClient, order_id: int, **params: str) -> list[dict[str, Any]]:
    """The order's events through the nested route, checked against the shop-wide list."""
    nested = client.get(f"{API}/orders/{order_id}/events.json", params={"limit": "250", **params})
    assert nested.status_code == 200, nested.text
    rows: list[dict[str, Any]] = nested.json()["events"]
    wide = client.get(f"{API}/events.json", params={"filter": "Order", "limit": "250", **params})
    assert [e for e in wide.json()["events"] if e["subject_id"] == order_id] == rows
    count = client.get(f"{API}/orders/{order_id}/events/count.json", params=params)
    assert count.json() == {"count": len(rows)}
    return rows


def verbs(client: TestClient, order_id: int) -> list[str]:
    return [e["verb"] for e in events_of(client, order_id)]


def last_event(client: TestClient, order_id: int, verb: str) -> dict[str, Any]:
    rows = events_of(client, order_id, verb=verb)
    assert rows, f"no {verb} event"
    return rows[-1]


def order_link(order: dict[str, Any]) -> str:
    return f'<a href="https://{DOMAIN}/admin/orders/{order["id"]}">{order["name"]}</a>'


def assert_event(
    event: dict[str, Any],
    order: dict[str, Any],
    verb: str,
    message: str,
    description: str | None = None,
    arguments: list[str] | None = None,
    author: str = "Shopify",
) -> None:
    assert event["subject_type"] == "Order"
    assert event["subject_id"] == order["id"]
    assert event["verb"] == verb
    assert event["path"] == f"/admin/orders/{order['id']}"
    assert event["message"] == message
    assert event["description"] == (description if description is not None else message)
    if arguments is not None:
        assert event["arguments"] == arguments
    assert event["author"] == author
    assert event["body"] is None


def snapshot(client: TestClient, order_id: int) -> tuple[Any, ...]:
    """Everything an action could change: the order, its parts and all events."""
    order = client.get(f"{API}/orders/{order_id}.json").json()
    txns = client.get(f"{API}/orders/{order_id}/transactions.json").json()
    events = client.get(f"{API}/events.json", params={"limit": "250"}).json()
    count = client.get(f"{API}/orders/count.json", params={"status": "any"}).json()
    return order, txns, events, count
