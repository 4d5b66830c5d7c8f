"""Refund actions: refund line items (optionally restocking them) and money.

`refund_line_items[].restock_type` is `no_restock` (default), `cancel` or `return` (both put
the units back), or the legacy `restock: true` for all of them. Each of `transactions[]` goes
through the test gateway as a `refund` (refund_success / _failure / _pending). Units put back
record one `restock_line_items`; `notify: true` sends the refund email.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import utcnow
from app.events import orders as recorders
from app.events.orders import OrderEmail
from app.models.order import Order, Refund, Transaction
from app.services import order_common as common
from app.services.order_common import RESTOCKING, atomic, get_order
from app.services.order_input import Fields, envelope
from app.services.transactions import add_transaction, read_transaction

RESTOCK_TYPES = ("no_restock", "cancel", "return", "legacy_restock")


def create_refund(
    session: Session, raw_order_id: str, body: Any, actor: str | None = None
) -> tuple[Refund, list[Transaction]]:
    """POST orders/{id}/refunds.json."""
    with atomic(session):
        order = get_order(session, raw_order_id)
        refund, txns = apply_refund(session, order, Fields(envelope(body, "refund")), actor)
    return refund, txns


def apply_refund(
    session: Session, order: Order, fields: Fields, actor: str | None = None
) -> tuple[Refund, list[Transaction]]:
    """Validate (422 on bad input), add and record one refund; no commit (the calling action
    commits: a refund of its own, or a cancellation that refunds)."""
    assert order.id is not None
    legacy_restock = fields.boolean("restock")
    notify = fields.boolean("notify")
    note = fields.text("note", max_length=5000)
    items = {i.id: i for i in common.line_items(session, order.id)}
    gone = common.refunded_quantities(session, order.id)
    lines: list[dict[str, Any]] = []
    for item in fields.objects("refund_line_items"):
        line_id = item.integer("line_item_id", minimum=1)
        quantity = item.integer("quantity", minimum=1, default=1) or 1
        default_type = "legacy_restock" if legacy_restock else "no_restock"
        restock_type = item.choice("restock_type", RESTOCK_TYPES, default=default_type)
        line = items.get(line_id) if line_id is not None else None
        if line is None or line.id is None:
            item.error("line_item_id", "is invalid")
        elif quantity > line.quantity - gone.get(line.id, 0):
            item.error("quantity", "cannot refund more items than were purchased")
        fields.merge(item)
        if item.errors or line is None or line.id is None:
            continue
        gone[line.id] = gone.get(line.id, 0) + quantity
        lines.append({"line_item_id": line_id, "quantity": quantity, "restock_type": restock_type})
    requests = []
    for txn in fields.objects("transactions"):
        if "kind" not in txn.data:
            txn.data = {**txn.data, "kind": "refund"}
        requests.append(read_transaction(txn, kinds=("refund",)))
        fields.merge(txn)
    if not lines and not requests and not fields.errors:
        fields.error("base", "Refund must include line items or transactions")
    fields.check()
    now = utcnow()
    refund = Refund(
        order_id=order.id,
        note=note,
        restock=legacy_restock or any(x["restock_type"] in RESTOCKING for x in lines),
        refund_line_items=lines,
        created_at=now,
        processed_at=now,
    )
    session.add(refund)
    session.flush()
    txns = [
        add_transaction(session, order, req, actor=actor, refund_id=refund.id, now=now)
        for req in requests
    ]
    order.updated_at = now
    common.refresh_fulfillment_status(session, order)
    restocked = sum(x["quantity"] for x in lines if x["restock_type"] in RESTOCKING)
    if restocked:
        recorders.order_restocked_line_items_event(
            session, order=order, quantity=restocked, actor=actor, at=now
        )
    if notify and order.email:
        recorders.order_mail_sent_event(
            session, order=order, email_type=OrderEmail.ORDER_REFUND, actor=actor, at=now
        )
    return refund, txns


def list_refunds(session: Session, raw_order_id: str) -> tuple[list[Refund], list[Transaction]]:
    order = get_order(session, raw_order_id)
    assert order.id is not None
    return common.refunds(session, order.id), common.transactions(session, order.id)
