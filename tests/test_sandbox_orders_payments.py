"""Transactions (through the test gateway) and refunds over HTTP, and the events they record."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.order_helpers import API, assert_event, events_of, last_event, place, post, snapshot

AUTH_1 = {"kind": "authorization", "source": "bogus", "credit_card_number": "1", "test": True}


def txn(client: TestClient, order: dict[str, Any], expect: int = 201, **body: Any) -> Any:
    return post(client, f"orders/{order['id']}/transactions.json", {"transaction": body}, expect)


GATEWAY_CASES: list[tuple[dict[str, Any], str, str, str, str | None]] = [
    ({}, "success", "authorization_success", "A transaction was authorized.", None),
    (
        {"credit_card_number": "4242 4242 4242 4241"},
        "success",
        "authorization_success",
        "A transaction was authorized.",
        None,
    ),
    (
        {"credit_card_number": "2"},
        "failure",
        "authorization_failure",
        "The customer, unsuccessfully, tried to authorize: $410.94 USD",
        "card_declined",
    ),
    (
        {"payment_details": {"credit_card_number": "3"}},
        "error",
        "authorization_failure",
        "The customer, unsuccessfully, tried to authorize: $410.94 USD",
        "processing_error",
    ),
    (
        {"credit_card_number": "9"},
        "failure",
        "authorization_failure",
        "The customer, unsuccessfully, tried to authorize: $410.94 USD",
        "incorrect_number",
    ),
    (
        {"status": "pending", "credit_card_number": "2"},
        "pending",
        "authorization_pending",
        "Authorization for $410.94 USD is pending.",
        None,
    ),
    (
        {"status": "failure"},
        "failure",
        "authorization_failure",
        "The customer, unsuccessfully, tried to authorize: $410.94 USD",
        "card_declined",
    ),
]


def test_test_gateway_decides_the_outcome(client: TestClient) -> None:
    for case in GATEWAY_CASES:
        _check_gateway_case(client, *case)


def _check_gateway_case(
    client: TestClient,
    request_fields: dict[str, Any],
    status: str,
    verb: str,
    message: str,
    error_code: str | None,
) -> None:
    order = place(client)
    made = txn(client, order, kind="authorization", **request_fields)["transaction"]
    assert (made["status"], made["error_code"], made["amount"]) == (status, error_code, "410.94")
    listed = client.get(f"{API}/orders/{order['id']}/transactions.json").json()
    assert listed == {"transactions": [made]}
    event = last_event(client, order["id"], verb)
    assert_event(event, order, verb, message, arguments=[str(made["id"]), "410.94", "USD"])
    expected = "authorized" if status == "success" else "pending"
    order_now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert order_now["financial_status"] == expected


def test_authorize_capture_refund_void_money_flow(client: TestClient) -> None:
    order = place(client, transactions=[AUTH_1])
    assert order["financial_status"] == "authorized"
    auth = client.get(f"{API}/orders/{order['id']}/transactions.json").json()["transactions"][0]
    assert auth["gateway"] == "bogus"
    part = txn(client, order, kind="capture", amount="100.00")["transaction"]
    assert part["parent_id"] == auth["id"]
    order_now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert order_now["financial_status"] == "partially_paid"
    rest = txn(client, order, kind="capture")["transaction"]
    assert rest["amount"] == "310.94"
    refund = txn(client, order, kind="refund", amount="10.00")["transaction"]
    assert refund["parent_id"] == rest["id"]
    rows = events_of(client, order["id"])
    assert [e["verb"] for e in rows] == [
        "placed",
        "authorization_success",
        "confirmed",
        "capture_success",
        "capture_success",
        "refund_success",
    ]
    assert_event(
        rows[3], order, "capture_success", "We successfully captured: $100.00 USD",
        arguments=[str(part["id"]), "100.00", "USD"],
    )  # fmt: skip
    assert_event(
        rows[5], order, "refund_success", "We successfully refunded $10.00 USD.",
        arguments=[str(refund["id"]), "10.00", "USD"],
    )  # fmt: skip
    order_now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert order_now["financial_status"] == "partially_refunded"

    other = place(client, transactions=[AUTH_1])
    void = txn(client, other, kind="void")["transaction"]
    assert_event(
        last_event(client, other["id"], "void_success"),
        other,
        "void_success",
        "We successfully voided the authorization.",
    )
    assert void["status"] == "success"
    voided = client.get(f"{API}/orders/{other['id']}.json").json()["order"]
    assert voided["financial_status"] == "voided"


def test_a_payment_sent_with_send_receipt_emails_the_payment_confirmation(
    client: TestClient,
) -> None:
    order = place(client, transactions=[AUTH_1])
    txn(client, order, kind="capture", amount="10.00", send_receipt=True)
    txn(client, order, kind="capture", amount="10.00", status="failure", send_receipt=True)
    txn(client, order, kind="capture", amount="10.00")
    verbs = [e["verb"] for e in events_of(client, order["id"])]
    assert verbs[3:] == ["capture_success", "mail_sent", "capture_failure", "capture_success"]
    assert_event(
        last_event(client, order["id"], "mail_sent"),
        order,
        "mail_sent",
        "Payment confirmation email was sent to the customer.",
        arguments=["Payment confirmation"],
    )
    guest = place(client, email=None)
    txn(client, guest, kind="sale", send_receipt=True)
    assert "mail_sent" not in {e["verb"] for e in events_of(client, guest["id"])}


KIND_CASES = [
    ("sale", "success", "sale_success", "We successfully captured $410.94 USD."),
    ("sale", "failure", "sale_failure", "The customer failed to pay $410.94 USD."),
    ("sale", "pending", "sale_pending", "The $410.94 USD is pending."),
    ("capture", "failure", "capture_failure", "We failed to capture: $410.94 USD"),
    ("capture", "pending", "capture_pending", "Capture for $410.94 USD is pending."),
    ("void", "failure", "void_failure", "We failed to void the authorization."),
    ("void", "pending", "void_pending", "Authorization void is pending."),
]


def test_each_kind_and_status_records_its_verb(client: TestClient) -> None:
    for kind, status, verb, message in KIND_CASES:
        order = place(client, transactions=[AUTH_1] if kind != "sale" else [])
        made = txn(client, order, kind=kind, status=status)["transaction"]
        assert (made["kind"], made["status"]) == (kind, status)
        assert_event(last_event(client, order["id"], verb), order, verb, message)


def test_refund_statuses_record_their_verbs(client: TestClient) -> None:
    order = place(client, transactions=[{"kind": "sale", "status": "success"}])
    assert order["financial_status"] == "paid"
    for status, verb, message in [
        ("failure", "refund_failure", "We failed to refund $5.00 USD."),
        ("pending", "refund_pending", "Refund of $5.00 USD is still pending."),
    ]:
        txn(client, order, kind="refund", amount="5", status=status)
        assert_event(last_event(client, order["id"], verb), order, verb, message)


IMPOSSIBLE_TRANSACTIONS: list[tuple[list[Any], dict[str, Any], dict[str, Any]]] = [
    (
        [AUTH_1],
        {"kind": "capture", "amount": "500.00"},
        {"amount": ["cannot be greater than the amount left to capture ($410.94 USD)"]},
    ),
    ([], {"kind": "capture"}, {"base": ["No authorized amount is available to capture"]}),
    ([], {"kind": "refund", "amount": "1"}, {"base": ["No payment is available to refund"]}),
    (
        [{"kind": "sale"}],
        {"kind": "refund", "amount": "411.00"},
        {"amount": ["cannot be greater than the refundable amount ($410.94 USD)"]},
    ),
    ([], {"kind": "void"}, {"base": ["No authorization is available to void"]}),
    ([AUTH_1], {"kind": "capture", "parent_id": 999999}, {"parent_id": ["is invalid"]}),
    ([], {"kind": "teleport"}, {"kind": ["is not included in the list"]}),
    ([], {"kind": "sale", "amount": "-3"}, {"amount": ["must be greater than 0"]}),
    ([], {"kind": "sale", "amount": "x"}, {"amount": ["is not a number"]}),
    ([], {"amount": "1"}, {"kind": ["can't be blank"]}),
]


def test_impossible_transactions_are_422_and_change_nothing(client: TestClient) -> None:
    for setup, body, errors in IMPOSSIBLE_TRANSACTIONS:
        order = place(client, transactions=setup)
        before = snapshot(client, order["id"])
        assert txn(client, order, 422, **body) == {"errors": errors}, body
        assert snapshot(client, order["id"]) == before


def test_refund_line_items_restock_notify_and_refund_money(client: TestClient) -> None:
    order = place(client, transactions=[{"kind": "sale"}])
    nano, gift = (i["id"] for i in order["line_items"])
    body = {
        "refund": {
            "note": "wrong size",
            "notify": True,
            "refund_line_items": [
                {"line_item_id": nano, "quantity": 2, "restock_type": "return"},
                {"line_item_id": gift, "quantity": 1, "restock_type": "no_restock"},
            ],
            "transactions": [{"kind": "refund", "amount": "398.00", "gateway": "bogus"}],
        }
    }
    refund = post(client, f"orders/{order['id']}/refunds.json", body, 201)["refund"]
    assert refund["restock"] is True
    assert refund["note"] == "wrong size"
    assert [t["amount"] for t in refund["transactions"]] == ["398.00"]
    assert client.get(f"{API}/orders/{order['id']}/refunds.json").json() == {"refunds": [refund]}
    rows = events_of(client, order["id"])
    assert [e["verb"] for e in rows][-3:] == ["refund_success", "restock_line_items", "mail_sent"]
    assert_event(rows[-2], order, "restock_line_items", "We restocked 2 line items.")
    assert_event(
        rows[-1], order, "mail_sent", "Refund notification email was sent to the customer."
    )
    order_now = client.get(f"{API}/orders/{order['id']}.json").json()["order"]
    assert order_now["financial_status"] == "partially_refunded"
    assert [i["fulfillable_quantity"] for i in order_now["line_items"]] == [0, 0]


def test_refund_without_restock_or_notify_records_only_money(client: TestClient) -> None:
    order = place(client, transactions=[{"kind": "sale"}])
    nano = order["line_items"][0]["id"]
    body = {
        "refund": {
            "refund_line_items": [{"line_item_id": nano, "quantity": 1}],
            "transactions": [{"amount": "199.00", "status": "failure"}],
        }
    }
    post(client, f"orders/{order['id']}/refunds.json", body, 201)
    assert [e["verb"] for e in events_of(client, order["id"])][-1:] == ["refund_failure"]


IMPOSSIBLE_REFUNDS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"refund_line_items": [{"line_item_id": "NANO", "quantity": 3}]},
        {"refund_line_items[0].quantity": ["cannot refund more items than were purchased"]},
    ),
    (
        {"refund_line_items": [{"line_item_id": 1, "quantity": 1}]},
        {"refund_line_items[0].line_item_id": ["is invalid"]},
    ),
    (
        {"transactions": [{"amount": "500.00"}]},
        {"amount": ["cannot be greater than the refundable amount ($410.94 USD)"]},
    ),
    ({}, {"base": ["Refund must include line items or transactions"]}),
    (
        {"refund_line_items": [{"line_item_id": "NANO", "restock_type": "burn"}]},
        {"refund_line_items[0].restock_type": ["is not included in the list"]},
    ),
]


def test_impossible_refunds_are_422_and_change_nothing(client: TestClient) -> None:
    for refund, errors in IMPOSSIBLE_REFUNDS:
        _check_impossible_refund(client, copy.deepcopy(refund), errors)


def _check_impossible_refund(
    client: TestClient, refund: dict[str, Any], errors: dict[str, Any]
) -> None:
    order = place(client, transactions=[{"kind": "sale"}])
    nano = order["line_items"][0]["id"]
    for item in refund.get("refund_line_items", []):
        if item["line_item_id"] == "NANO":
            item["line_item_id"] = nano
    # a restocking line item next to the bad part must not be written either
    if "transactions" in refund:
        refund["refund_line_items"] = [{"line_item_id": nano, "restock_type": "return"}]
    before = snapshot(client, order["id"])
    got = post(client, f"orders/{order['id']}/refunds.json", {"refund": refund}, 422)
    assert got == {"errors": errors}
    assert snapshot(client, order["id"]) == before
    assert client.get(f"{API}/orders/{order['id']}/refunds.json").json() == {"refunds": []}
