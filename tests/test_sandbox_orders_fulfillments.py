"""Fulfillments over HTTP: create (manual or third party), complete, tracking, cancel."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.order_helpers import API, assert_event, events_of, last_event, place, post, snapshot


def fulfil(client: TestClient, order: dict[str, Any], expect: int = 201, **body: Any) -> Any:
    return post(client, f"orders/{order['id']}/fulfillments.json", {"fulfillment": body}, expect)


def test_manual_fulfillment_succeeds_and_sends_the_shipping_confirmation(
    client: TestClient,
) -> None:
    order = place(client)
    nano = order["line_items"][0]["id"]
    made = fulfil(
        client, order, line_items=[{"id": nano, "quantity": 1}], notify_customer=True,
        tracking_number="1Z999", tracking_company="UPS",
    )["fulfillment"]  # fmt: skip
    assert made["status"] == "success"
    assert made["name"] == f"{order['name']}.1"
    assert made["tracking_numbers"] == ["1Z999"]
    assert made["line_items"] == [{"id": nano, "quantity": 1}]
    rows = events_of(client, order["id"])
    assert [e["verb"] for e in rows][-2:] == ["fulfillment_success", "mail_sent"]
    assert_event(
        rows[-2], order, "fulfillment_success", "We successfully fulfilled 1 line item.",
        arguments=[str(made["id"]), "1"],
    )  # fmt: skip
    assert_event(
        rows[-1], order, "mail_sent", "Shipping confirmation email was sent to the customer."
    )
    now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert now["fulfillment_status"] == "partial"
    assert [i["fulfillable_quantity"] for i in now["line_items"]] == [1, 1]
    listed = client.get(f"{API}/orders/{order['id']}/fulfillments.json").json()
    assert listed == {"fulfillments": [made]}
    one = client.get(f"{API}/orders/{order['id']}/fulfillments/{made['id']}.json").json()
    assert one == {"fulfillment": made}


def test_digital_only_fulfillment_sends_digital_links(client: TestClient) -> None:
    order = place(client)
    gift = order["line_items"][1]["id"]
    fulfil(client, order, line_items=[{"id": gift}], notify_customer=True)
    assert last_event(client, order["id"], "mail_sent")["message"] == (
        "Digital links email was sent to the customer."
    )


def test_third_party_fulfillment_is_pending_until_completed(client: TestClient) -> None:
    order = place(client)
    made = fulfil(client, order, service="shipwire", notify_customer=True)["fulfillment"]
    assert made["status"] == "pending"
    assert_event(
        last_event(client, order["id"], "fulfillment_pending"),
        order,
        "fulfillment_pending",
        "We submitted 3 line items to the third party service.",
        arguments=[str(made["id"]), "3"],
    )
    assert "mail_sent" not in [e["verb"] for e in events_of(client, order["id"])]
    path = f"orders/{order['id']}/fulfillments/{made['id']}/complete.json"
    done = post(client, path, None, 200)["fulfillment"]
    assert done["status"] == "success"
    verbs = [e["verb"] for e in events_of(client, order["id"])]
    assert verbs[-2:] == ["fulfillment_success", "mail_sent"]
    assert last_event(client, order["id"], "mail_sent")["message"] == (
        "Fulfillment confirmation email was sent to the customer."
    )
    now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert now["fulfillment_status"] == "fulfilled"
    assert post(client, path, None, 422) == {
        "errors": {"base": ["Cannot complete a success fulfillment"]}
    }


def test_tracking_update_sends_the_shipping_update(client: TestClient) -> None:
    order = place(client)
    made = fulfil(client, order, tracking_number="1Z1")["fulfillment"]
    url = f"{API}/orders/{order['id']}/fulfillments/{made['id']}.json"
    quiet = client.put(url, json={"fulfillment": {"tracking_number": "1Z2"}})
    assert quiet.status_code == 200
    assert quiet.json()["fulfillment"]["tracking_number"] == "1Z2"
    assert "mail_sent" not in [e["verb"] for e in events_of(client, order["id"])]
    loud = client.put(
        url, json={"fulfillment": {"tracking_number": "1Z3", "notify_customer": True}}
    )
    assert loud.status_code == 200
    assert_event(
        last_event(client, order["id"], "mail_sent"),
        order,
        "mail_sent",
        "Shipping update email was sent to the customer.",
        arguments=["Shipping update"],
    )


def test_cancel_fulfillment_records_fulfillment_cancelled(client: TestClient) -> None:
    order = place(client)
    made = fulfil(client, order)["fulfillment"]
    path = f"orders/{order['id']}/fulfillments/{made['id']}/cancel.json"
    cancelled = post(client, path, None, 200)["fulfillment"]
    assert cancelled["status"] == "cancelled"
    assert_event(
        last_event(client, order["id"], "fulfillment_cancelled"),
        order,
        "fulfillment_cancelled",
        "We cancelled 3 line items from being fulfilled by the third party fulfillment service.",
    )
    now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert now["fulfillment_status"] is None
    assert post(client, path, None, 422) == {
        "errors": {"base": ["Fulfillment has already been cancelled"]}
    }
    fulfil(client, order)  # the units can be fulfilled again


def test_impossible_fulfillments_are_422_and_change_nothing(client: TestClient) -> None:
    order = place(client)
    nano = order["line_items"][0]["id"]
    fulfil(client, order)
    before = snapshot(client, order["id"])
    assert fulfil(client, order, 422) == {"errors": {"base": ["Line items are already fulfilled"]}}
    assert fulfil(client, order, 422, line_items=[{"id": nano, "quantity": 1}]) == {
        "errors": {"base": ["Line items are already fulfilled"]}
    }
    assert snapshot(client, order["id"]) == before

    other = place(client)
    nano = other["line_items"][0]["id"]
    before = snapshot(client, other["id"])
    assert fulfil(client, other, 422, line_items=[{"id": nano, "quantity": 5}]) == {
        "errors": {"line_items[0].quantity": ["must be less than or equal to 2"]}
    }
    assert fulfil(client, other, 422, line_items=[{"id": 1}]) == {
        "errors": {"line_items[0].id": ["is invalid"]}
    }
    missing = client.post(f"{API}/orders/{other['id']}/fulfillments.json", json={"x": 1})
    assert missing.status_code == 400
    assert snapshot(client, other["id"]) == before
    post(client, f"orders/{other['id']}/cancel.json", {}, 200)
    assert fulfil(client, other, 422) == {"errors": {"base": ["Cannot fulfill a cancelled order"]}}
    wrong = client.post(f"{API}/orders/{other['id']}/fulfillments/999/cancel.json")
    assert wrong.status_code == 404
