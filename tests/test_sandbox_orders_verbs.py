"""Every documented Order verb is reachable through public REST actions; actions are atomic;
the documented order #1001 loads through the service and reproduces its documented events."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlmodel
from fastapi.testclient import TestClient

from app.events import orders as recorders
from app.events.base import Verb
from app.services import orders as order_service
from app.services import transactions as transaction_service
from app.services.order_common import get_order
from app.services.order_input import Fields
from app.services.order_render import render_order
from app.timeparse import parse_timestamp
from tests.conftest import TOKEN, MakeClient, session_of
from tests.order_helpers import API, order_body, order_link, place, post, snapshot

# The verbs of the documentation's Order events table, in its order.
DOCUMENTED_ORDER_VERBS = [
    "authorization_failure",
    "authorization_pending",
    "authorization_success",
    "cancelled",
    "capture_failure",
    "capture_pending",
    "capture_success",
    "closed",
    "confirmed",
    "fulfillment_cancelled",
    "fulfillment_pending",
    "fulfillment_success",
    "mail_sent",
    "placed",
    "re_opened",
    "refund_failure",
    "refund_pending",
    "refund_success",
    "restock_line_items",
    "sale_failure",
    "sale_pending",
    "sale_success",
    "update",
    "void_failure",
    "void_pending",
    "void_success",
]
ZONE = ZoneInfo("America/New_York")
AUTH = {"kind": "authorization", "credit_card_number": "1"}


def _txn(client: TestClient, order: dict[str, Any], **body: Any) -> None:
    post(client, f"orders/{order['id']}/transactions.json", {"transaction": body})


def test_every_documented_order_verb_is_reachable_through_rest(client: TestClient) -> None:
    assert {v.value for v in Verb} >= set(DOCUMENTED_ORDER_VERBS)
    a = place(client, transactions=[AUTH], send_receipt=True, actor="Jane Staff")
    client.put(f"{API}/orders/{a['id']}.json", json={"order": {"note": "rush"}})
    _txn(client, a, kind="capture", amount="10", status="pending")
    _txn(client, a, kind="capture", amount="10", status="failure")
    _txn(client, a, kind="capture", amount="400.94")
    _txn(client, a, kind="refund", amount="1", status="pending")
    _txn(client, a, kind="refund", amount="1", status="failure")
    third = post(client, f"orders/{a['id']}/fulfillments.json", {"fulfillment": {"service": "x"}})
    fid = third["fulfillment"]["id"]
    post(client, f"orders/{a['id']}/fulfillments/{fid}/cancel.json", None, 200)
    post(client, f"orders/{a['id']}/fulfillments.json", {"fulfillment": {}})
    nano = a["line_items"][0]["id"]
    refund = {
        "refund_line_items": [{"line_item_id": nano, "quantity": 1, "restock_type": "return"}],
        "transactions": [{"amount": "199.00"}],
    }
    post(client, f"orders/{a['id']}/refunds.json", {"refund": refund})
    post(client, f"orders/{a['id']}/close.json", None, 200)
    post(client, f"orders/{a['id']}/open.json", None, 200)
    post(client, f"orders/{a['id']}/cancel.json", {"email": True}, 200)

    b = place(client, transactions=[{"kind": "authorization", "credit_card_number": "2"}])
    _txn(client, b, kind="authorization", status="pending")
    _txn(client, b, kind="authorization")
    _txn(client, b, kind="void", status="pending")
    _txn(client, b, kind="void", status="failure")
    _txn(client, b, kind="void")
    c = place(client)
    _txn(client, c, kind="sale", amount="1", status="pending")
    _txn(client, c, kind="sale", amount="1", status="failure")
    _txn(client, c, kind="sale", amount="1")

    expected: dict[str, tuple[dict[str, Any], str]] = {
        "placed": (a, "Order was placed."),
        "confirmed": (a, f"Received new order {order_link(a)} by Ann Lee."),
        "mail_sent": (a, "Order confirmation email was sent to the customer."),
        "update": (a, f"{order_link(a)} was updated."),
        "authorization_success": (a, "A transaction was authorized."),
        "capture_pending": (a, "Capture for $10.00 USD is pending."),
        "capture_failure": (a, "We failed to capture: $10.00 USD"),
        "capture_success": (a, "We successfully captured: $400.94 USD"),
        "refund_pending": (a, "Refund of $1.00 USD is still pending."),
        "refund_failure": (a, "We failed to refund $1.00 USD."),
        "refund_success": (a, "We successfully refunded $199.00 USD."),
        "fulfillment_pending": (a, "We submitted 3 line items to the third party service."),
        "fulfillment_cancelled": (
            a,
            "We cancelled 3 line items from being fulfilled by the third party fulfillment"
            " service.",
        ),
        "fulfillment_success": (a, "We successfully fulfilled 3 line items."),
        "restock_line_items": (a, "We restocked 1 line item."),
        "closed": (a, "Order was closed."),
        "re_opened": (a, "Order was re-opened."),
        "cancelled": (a, "Order was cancelled by Shopify."),
        "authorization_failure": (
            b,
            "The customer, unsuccessfully, tried to authorize: $410.94 USD",
        ),
        "authorization_pending": (b, "Authorization for $410.94 USD is pending."),
        "void_pending": (b, "Authorization void is pending."),
        "void_failure": (b, "We failed to void the authorization."),
        "void_success": (b, "We successfully voided the authorization."),
        "sale_pending": (c, "The $1.00 USD is pending."),
        "sale_failure": (c, "The customer failed to pay $1.00 USD."),
        "sale_success": (c, "We successfully captured $1.00 USD."),
    }
    assert sorted(expected) == sorted(DOCUMENTED_ORDER_VERBS)
    for verb, (order, message) in expected.items():
        found = client.get(
            f"{API}/events.json", params={"verb": verb, "filter": "Order", "limit": "250"}
        ).json()["events"]
        mine = [e for e in found if e["subject_id"] == order["id"]]
        assert mine, verb
        assert message in [e["message"] for e in mine], (verb, [e["message"] for e in mine])
        for event in mine:
            assert event["subject_type"] == "Order", verb
            assert event["path"] == f"/admin/orders/{order['id']}", verb
        nested = client.get(f"{API}/orders/{order['id']}/events/count.json", params={"verb": verb})
        assert nested.json() == {"count": len(mine)}, verb


def _unreliable(client: TestClient) -> TestClient:
    """The same app, answering unexpected errors with 500 instead of raising them here."""
    return TestClient(
        client.app, raise_server_exceptions=False, headers={"X-Shopify-Access-Token": TOKEN}
    )


def _boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("recorder failed")


def test_a_failing_recorder_leaves_no_order_and_no_event(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(client, 450789469)
    monkeypatch.setattr(recorders, "order_confirmed_event", _boom)
    response = _unreliable(client).post(f"{API}/orders.json", json=order_body())
    assert response.status_code == 500
    assert response.json() == {"errors": "An unexpected error occurred"}
    assert snapshot(client, 450789469) == before
    with session_of(client) as session:
        rows = session.exec(sqlmodel.text("SELECT count(*) FROM order_line_items")).one()
        assert rows[0] == 3  # the documented order's only


def test_a_failing_transaction_recorder_leaves_the_order_untouched(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = place(client, transactions=[AUTH])
    before = snapshot(client, order["id"])
    monkeypatch.setitem(transaction_service.RECORDERS, ("capture", "success"), _boom)
    response = _unreliable(client).post(
        f"{API}/orders/{order['id']}/transactions.json", json={"transaction": {"kind": "capture"}}
    )
    assert response.status_code == 500
    assert snapshot(client, order["id"]) == before


def test_a_failing_commit_leaves_neither_change_nor_event(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = place(client)
    before = snapshot(client, order["id"])
    monkeypatch.setattr(sqlmodel.Session, "commit", _boom)
    response = _unreliable(client).post(
        f"{API}/orders/{order['id']}/cancel.json", json={"restock": True, "email": True}
    )
    assert response.status_code == 500
    monkeypatch.undo()
    assert snapshot(client, order["id"]) == before


def _documented(event_id: int) -> dict[str, Any]:
    seed = json.loads((Path(__file__).parent.parent / "seed" / "docs.json").read_text())
    event: dict[str, Any] = next(e for e in seed["events"] if e["id"] == event_id)
    return event


def test_placing_order_1001_reproduces_the_documented_confirmed_event(
    make_client: MakeClient,
) -> None:
    client = make_client(None)
    body = order_body(
        email="bob.norman@mail.example.com", customer={"first_name": "Bob", "last_name": "Norman"}
    )
    with session_of(client) as session:
        session.info["settings"] = client.app.state.settings  # type: ignore[attr-defined]
        fields = Fields(body["order"])
        data = order_service.read_order(fields, "USD")
        data.id = 450789469
        data.created_at = parse_timestamp("2008-01-10T06:00:00-05:00", ZONE)
        order = order_service.place_order(session, data)
        draft = recorders.order_placed_event(
            session, order=order, draft_order_id=72885271, draft_order_name="#D1"
        )
        session.commit()
        assert order.name == "#1001"
        placed_from_draft = {k: getattr(draft, k) for k in ("message", "description", "path")}
    confirmed = client.get(f"{API}/events.json", params={"verb": "confirmed"}).json()["events"]
    documented = _documented(164748010)
    assert [{k: v for k, v in e.items() if k != "id"} for e in confirmed] == [
        {k: v for k, v in documented.items() if k != "id"}
    ]
    documented_placed = _documented(852065041)
    assert placed_from_draft == {k: documented_placed[k] for k in placed_from_draft}


def test_the_documented_order_is_seeded_without_extra_events(client: TestClient) -> None:
    order = client.get(f"{API}/orders/450789469.json").json()["order"]
    assert (order["name"], order["email"], order["total_price"]) == (
        "#1001",
        "bob.norman@mail.example.com",
        "598.94",
    )
    assert order["financial_status"] == "partially_refunded"
    assert [i["id"] for i in order["line_items"]] == [466157049, 518995019, 703073504]
    assert order["created_at"] == "2008-01-10T06:00:00-05:00"
    assert client.get(f"{API}/events/count.json").json() == {"count": 5}
    with session_of(client) as session:
        rendered = render_order(session, get_order(session, "450789469"), ZONE)
    assert rendered == order
