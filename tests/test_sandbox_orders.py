"""Order actions over HTTP and the events they record, read back through the Event API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services import order_common
from tests.order_helpers import (
    API,
    assert_event,
    events_of,
    last_event,
    order_link,
    place,
    post,
    snapshot,
    verbs,
)


def test_create_order_answers_201_with_the_order(client: TestClient) -> None:
    order = place(client, note="gift", tags=["vip", "wholesale"])
    assert order["name"] == "#1002"  # the documented #1001 is seeded
    assert order["order_number"] == 1002
    assert order["total_price"] == "410.94"
    assert order["financial_status"] == "pending"
    assert order["fulfillment_status"] is None
    assert order["tags"] == "vip, wholesale"
    assert order["customer"] == {
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann.lee@mail.example.com",
    }
    assert [i["fulfillable_quantity"] for i in order["line_items"]] == [2, 1]
    again = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert again == order


def test_create_order_records_placed_then_confirmed(client: TestClient) -> None:
    order = place(client)
    placed, confirmed = events_of(client, order["id"])
    assert_event(placed, order, "placed", "Order was placed.", arguments=[])
    assert_event(
        confirmed,
        order,
        "confirmed",
        f"Received new order {order_link(order)} by Ann Lee.",
        "Received new order #1002 by Ann Lee.",
        ["#1002", "Ann Lee"],
    )
    assert placed["created_at"] == confirmed["created_at"] == order["created_at"]
    assert placed["id"] < confirmed["id"]
    by_verb = client.get(f"{API}/events.json", params={"verb": "confirmed", "filter": "Order"})
    assert confirmed in by_verb.json()["events"]
    count = client.get(f"{API}/events/count.json", params={"verb": "placed"})
    assert count.json() == {"count": 2}  # the documented one and ours


def test_send_receipt_sends_the_order_confirmation(client: TestClient) -> None:
    order = place(client, send_receipt=True, actor="Jane Staff")
    assert verbs(client, order["id"]) == ["placed", "confirmed", "mail_sent"]
    mail = last_event(client, order["id"], "mail_sent")
    assert_event(
        mail,
        order,
        "mail_sent",
        "Order confirmation email was sent to the customer.",
        arguments=["Order confirmation"],
        author="Jane Staff",
    )


def test_order_without_customer_name_is_confirmed_by_email(client: TestClient) -> None:
    order = place(client, customer=None, email="guest@mail.example.com")
    confirmed = last_event(client, order["id"], "confirmed")
    assert confirmed["arguments"] == [order["name"], "guest@mail.example.com"]


def test_update_records_update_only_when_something_changed(client: TestClient) -> None:
    order = place(client)
    url = f"{API}/orders/{order['id']}.json"
    response = client.put(url, json={"order": {"note": "leave at door", "tags": "a,b"}})
    assert response.status_code == 200
    assert response.json()["order"]["note"] == "leave at door"
    assert response.json()["order"]["tags"] == "a, b"
    update = last_event(client, order["id"], "update")
    assert_event(
        update, order, "update", f"{order_link(order)} was updated.", "#1002 was updated.",
        ["#1002"],
    )  # fmt: skip
    same = client.put(url, json={"order": {"note": "leave at door"}})
    assert same.status_code == 200
    assert verbs(client, order["id"]).count("update") == 1


def test_close_and_open_record_closed_and_re_opened(client: TestClient) -> None:
    order = place(client)
    closed = post(client, f"orders/{order['id']}/close.json", {}, 200)["order"]
    assert closed["closed_at"] is not None
    post(client, f"orders/{order['id']}/close.json", {}, 200)  # already closed: no new event
    opened = post(client, f"orders/{order['id']}/open.json", {}, 200)["order"]
    assert opened["closed_at"] is None
    assert verbs(client, order["id"])[-2:] == ["closed", "re_opened"]
    assert_event(last_event(client, order["id"], "closed"), order, "closed", "Order was closed.")
    assert_event(
        last_event(client, order["id"], "re_opened"), order, "re_opened", "Order was re-opened."
    )


def test_cancel_names_the_staff_restocks_and_emails(client: TestClient) -> None:
    order = place(client)
    body = {"reason": "customer", "email": True, "restock": True}
    headers = {"X-Sandbox-Actor": "Jane Staff"}
    cancelled = post(client, f"orders/{order['id']}/cancel.json", body, 200, headers=headers)
    assert cancelled["order"]["cancel_reason"] == "customer"
    assert cancelled["order"]["cancelled_at"] is not None
    assert cancelled["order"]["closed_at"] is not None
    assert verbs(client, order["id"])[-3:] == ["cancelled", "restock_line_items", "mail_sent"]
    assert_event(
        last_event(client, order["id"], "cancelled"),
        order,
        "cancelled",
        "Order was cancelled by Jane Staff.",
        arguments=["Jane Staff"],
        author="Jane Staff",
    )
    assert_event(
        last_event(client, order["id"], "restock_line_items"),
        order,
        "restock_line_items",
        "We restocked 3 line items.",
        arguments=["3"],
        author="Jane Staff",
    )
    assert last_event(client, order["id"], "mail_sent")["message"] == (
        "Order cancelled email was sent to the customer."
    )


def test_cancel_without_options_records_only_cancelled(client: TestClient) -> None:
    order = place(client)
    post(client, f"orders/{order['id']}/cancel.json", None, 200)
    assert verbs(client, order["id"]) == ["placed", "confirmed", "cancelled"]
    assert last_event(client, order["id"], "cancelled")["message"] == (
        "Order was cancelled by Shopify."
    )


def test_cancelling_a_cancelled_order_is_422_and_changes_nothing(client: TestClient) -> None:
    order = place(client)
    post(client, f"orders/{order['id']}/cancel.json", {}, 200)
    before = snapshot(client, order["id"])
    again = client.post(f"{API}/orders/{order['id']}/cancel.json", json={"restock": True})
    assert again.status_code == 422
    assert again.json() == {"errors": {"base": ["Order has already been cancelled"]}}
    assert snapshot(client, order["id"]) == before


SALE = {"kind": "sale", "credit_card_number": "1"}


def test_cancel_with_a_refund_refunds_restocks_and_emails(client: TestClient) -> None:
    order = place(client, transactions=[SALE])
    nano, card = (i["id"] for i in order["line_items"])
    body = {
        "reason": "inventory",
        "email": True,
        "refund": {
            "note": "Out of stock",
            "refund_line_items": [{"line_item_id": nano, "quantity": 2, "restock_type": "cancel"}],
            "transactions": [{"kind": "refund", "amount": "398.00"}],
        },
    }
    cancelled = post(client, f"orders/{order['id']}/cancel.json", body, 200)["order"]
    assert (cancelled["cancel_reason"], cancelled["financial_status"]) == (
        "inventory",
        "partially_refunded",
    )
    assert verbs(client, order["id"])[-4:] == [
        "cancelled",
        "refund_success",
        "restock_line_items",
        "mail_sent",
    ]
    assert last_event(client, order["id"], "refund_success")["description"] == (
        "We successfully refunded $398.00 USD."
    )
    assert last_event(client, order["id"], "restock_line_items")["arguments"] == ["2"]
    refunds = client.get(f"{API}/orders/{order['id']}/refunds.json").json()["refunds"]
    assert [r["note"] for r in refunds] == ["Out of stock"]
    assert card  # the gift card line was neither refunded nor restocked


def test_cancel_with_an_amount_refunds_a_paid_order_and_voids_an_authorized_one(
    client: TestClient,
) -> None:
    paid = place(client, transactions=[SALE])
    post(client, f"orders/{paid['id']}/cancel.json", {"amount": "10.00"}, 200)
    assert verbs(client, paid["id"])[-2:] == ["cancelled", "refund_success"]
    assert last_event(client, paid["id"], "refund_success")["arguments"][1:] == ["10.00", "USD"]
    authorized = place(client, transactions=[{**SALE, "kind": "authorization"}])
    after = post(client, f"orders/{authorized['id']}/cancel.json", {"amount": "1.00"}, 200)
    assert verbs(client, authorized["id"])[-2:] == ["cancelled", "void_success"]
    assert after["order"]["financial_status"] == "voided"


def test_cancel_with_an_impossible_refund_is_422_and_changes_nothing(client: TestClient) -> None:
    order = place(client, transactions=[SALE])
    unpaid = place(client)
    nano = order["line_items"][0]["id"]
    before = snapshot(client, order["id"])
    too_many = {"refund": {"refund_line_items": [{"line_item_id": nano, "quantity": 3}]}}
    response = client.post(f"{API}/orders/{order['id']}/cancel.json", json=too_many)
    assert response.status_code == 422
    assert response.json() == {
        "errors": {
            "refund.refund_line_items[0].quantity": ["cannot refund more items than were purchased"]
        }
    }
    for bad in ({"amount": "-1"}, {"refund": "all"}, {"amount": "9999.00"}):
        refused = client.post(f"{API}/orders/{order['id']}/cancel.json", json=bad)
        assert refused.status_code == 422, (bad, refused.text)
    nothing = client.post(f"{API}/orders/{unpaid['id']}/cancel.json", json={"amount": "1.00"})
    assert nothing.status_code == 422
    assert snapshot(client, order["id"]) == before
    assert verbs(client, unpaid["id"]) == ["placed", "confirmed"]


def test_invalid_orders_are_refused_and_write_nothing(client: TestClient) -> None:
    before = snapshot(client, 450789469)
    missing = client.post(f"{API}/orders.json", json={"nope": {}})
    assert missing.status_code == 400
    assert missing.json() == {"errors": {"order": "Required parameter missing or invalid"}}
    bad = client.post(
        f"{API}/orders.json",
        json={"order": {"line_items": [{"title": "", "price": "abc", "quantity": 0}]}},
    )
    assert bad.status_code == 422
    assert bad.json() == {
        "errors": {
            "line_items[0].title": ["can't be blank"],
            "line_items[0].price": ["is not a number"],
            "line_items[0].quantity": ["must be greater than or equal to 1"],
        }
    }
    empty = client.post(f"{API}/orders.json", json={"order": {"email": "nope"}})
    assert empty.status_code == 422
    assert empty.json()["errors"] == {"line_items": ["can't be blank"], "email": ["is invalid"]}
    not_json = client.post(f"{API}/orders.json", content=b"{", headers={"content-type": "x"})
    assert not_json.status_code == 400
    assert snapshot(client, 450789469) == before


def test_missing_orders_are_404_on_every_route(client: TestClient) -> None:
    for method, path in [
        ("GET", "orders/1.json"),
        ("PUT", "orders/1.json"),
        ("DELETE", "orders/1.json"),
        ("POST", "orders/1/close.json"),
        ("POST", "orders/1/open.json"),
        ("POST", "orders/1/cancel.json"),
        ("GET", "orders/1/transactions.json"),
        ("POST", "orders/1/transactions.json"),
        ("GET", "orders/1/fulfillments.json"),
        ("POST", "orders/1/fulfillments.json"),
        ("PUT", "orders/1/fulfillments/1.json"),
        ("POST", "orders/1/fulfillments/1/cancel.json"),
        ("GET", "orders/1/refunds.json"),
        ("POST", "orders/1/refunds.json"),
        ("GET", "orders/abc.json"),
        ("POST", "orders/99999999999999999999/close.json"),
    ]:
        response = client.request(method, f"{API}/{path}", json={"order": {}})
        assert response.status_code == 404, (method, path)
        assert response.json() == {"errors": "Not Found"}


def test_delete_keeps_the_order_history(client: TestClient) -> None:
    order = place(client)
    response = client.delete(f"{API}/orders/{order['id']}.json")
    assert (response.status_code, response.json()) == (200, {})
    assert client.get(f"{API}/orders/{order['id']}.json").status_code == 404
    assert verbs(client, order["id"]) == ["placed", "confirmed"]


def test_nested_events_route_still_answers_for_the_documented_order(client: TestClient) -> None:
    rows = events_of(client, 450789469)
    assert [e["verb"] for e in rows] == ["authorization_success", "confirmed", "placed"]


def test_order_list_and_count_follow_status(client: TestClient) -> None:
    a = place(client)
    b = place(client)
    post(client, f"orders/{b['id']}/cancel.json", {}, 200)

    def ids(**params: str) -> list[int]:
        response = client.get(f"{API}/orders.json", params=params)
        assert response.status_code == 200
        found = [o["id"] for o in response.json()["orders"]]
        if "limit" not in params:
            count = client.get(f"{API}/orders/count.json", params=params).json()["count"]
            assert count == len(found)
        return found

    assert ids() == [450789469, a["id"]]  # open only, by default
    assert ids(status="any") == [450789469, a["id"], b["id"]]
    assert ids(status="cancelled") == [b["id"]]
    assert ids(status="closed") == [b["id"]]
    assert ids(status="any", since_id=str(a["id"])) == [b["id"]]
    assert ids(status="any", limit="1") == [450789469]
    assert ids(financial_status="partially_refunded") == [450789469]
    assert client.get(f"{API}/orders.json", params={"status": "weird"}).status_code == 400


def test_an_order_number_taken_concurrently_is_retried(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = iter([1001])  # the first attempt collides with the seeded #1001
    real = order_common.next_order_number

    def racing(session: Any) -> int:
        return next(taken, None) or real(session)

    monkeypatch.setattr(order_common, "next_order_number", racing)
    order = place(client)
    assert order["name"] == "#1002"
    assert verbs(client, order["id"]) == ["placed", "confirmed"]
    assert client.get(f"{API}/orders/count.json", params={"status": "any"}).json() == {"count": 2}
