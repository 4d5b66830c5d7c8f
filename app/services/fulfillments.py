"""Fulfillment actions: create, update tracking, complete, cancel.

A fulfillment handed to a third-party service (`service` other than `manual`, or an explicit
`status: "pending"`) starts `pending` and records `fulfillment_pending`; any other starts
`success` and records `fulfillment_success`. `notify_customer` sends the shipping confirmation
(digital links when nothing in it needs shipping) once the fulfillment succeeds.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.clock import utcnow
from app.errors import NotFound, UnprocessableEntity
from app.events import orders as recorders
from app.events.orders import OrderEmail
from app.models.order import Fulfillment, LineItem, Order
from app.services import order_common as common
from app.services.order_common import atomic, get_order
from app.services.order_input import Fields, envelope, parse_id

ALREADY_FULFILLED = "Line items are already fulfilled"


def get_fulfillment(session: Session, order: Order, raw_id: str) -> Fulfillment:
    fulfillment_id = parse_id(raw_id)
    found = session.get(Fulfillment, fulfillment_id) if fulfillment_id is not None else None
    if found is None or found.order_id != order.id:
        raise NotFound()
    return found


def _requested_items(session: Session, order: Order, fields: Fields) -> list[dict[str, int]]:
    assert order.id is not None
    fulfillable = common.fulfillable_quantities(session, order.id)
    wanted = fields.objects("line_items")
    if not wanted:
        items = [{"id": k, "quantity": q} for k, q in fulfillable.items() if q > 0]
        if not items:
            fields.error("base", ALREADY_FULFILLED)
        return items
    items = []
    for item in wanted:
        item_id = item.integer("id", minimum=1)
        quantity = item.integer("quantity", minimum=1)
        fields.merge(item)
        if item_id is None:
            if "id" not in item.data:
                fields.error(f"{item.prefix}id", "can't be blank")
            continue
        if item_id not in fulfillable:
            fields.error(f"{item.prefix}id", "is invalid")
            continue
        left = fulfillable[item_id]
        quantity = left if quantity is None else quantity
        if left == 0:
            fields.error("base", ALREADY_FULFILLED)
        elif quantity > left:
            fields.error(f"{item.prefix}quantity", f"must be less than or equal to {left}")
        else:
            fulfillable[item_id] = left - quantity
            items.append({"id": item_id, "quantity": quantity})
    return items


def _notify(session: Session, order: Order, f: Fulfillment, actor: str | None) -> None:
    email = notification(order, f, common.line_items(session, order.id or 0))
    if email is not None:
        recorders.order_mail_sent_event(
            session, order=order, email_type=email, actor=actor, at=f.updated_at
        )


def notification(order: Order, f: Fulfillment, lines: list[LineItem]) -> OrderEmail | None:
    """The email a successful fulfillment sends (pure; None when it notifies nobody): shipping
    confirmation for a manual one, fulfillment confirmation for a third party's, digital links
    when nothing in it needs shipping."""
    if not (f.notify_customer and order.email):
        return None
    shipping = {i.id for i in lines if i.requires_shipping}
    if not any(item["id"] in shipping for item in f.line_items):
        return OrderEmail.DIGITAL_LINKS
    if f.service == "manual":
        return OrderEmail.SHIPPING_CONFIRMATION
    return OrderEmail.FULFILLMENT_CONFIRMATION


def create_fulfillment(
    session: Session, raw_order_id: str, body: Any, actor: str | None = None
) -> Fulfillment:
    """POST orders/{id}/fulfillments.json."""
    with atomic(session):
        order = get_order(session, raw_order_id)
        fields = Fields(envelope(body, "fulfillment"))
        if order.cancelled_at is not None:
            raise UnprocessableEntity({"base": ["Cannot fulfill a cancelled order"]})
        items = _requested_items(session, order, fields)
        service = fields.text("service", max_length=64) or "manual"
        status = fields.choice("status", ("pending", "open", "success"))
        company = fields.text("tracking_company") or None
        number = fields.text("tracking_number") or None
        url = fields.text("tracking_url", max_length=1024) or None
        notify = fields.boolean("notify_customer")
        fields.check()
        pending = status in ("pending", "open") or (status is None and service != "manual")
        now = utcnow()
        assert order.id is not None
        fulfillment = Fulfillment(
            order_id=order.id,
            name=f"{order.name}.{len(common.fulfillments(session, order.id)) + 1}",
            status="pending" if pending else "success",
            service=service,
            line_items=items,
            notify_customer=notify,
            created_at=now,
            updated_at=now,
            tracking_company=company,
            tracking_number=number,
            tracking_url=url,
        )
        session.add(fulfillment)
        session.flush()
        common.refresh_fulfillment_status(session, order)
        order.updated_at = now
        if pending:
            recorders.order_fulfillment_pending_event(
                session, order=order, fulfillment=fulfillment, actor=actor
            )
        else:
            recorders.order_fulfillment_succeeded_event(
                session, order=order, fulfillment=fulfillment, actor=actor
            )
            _notify(session, order, fulfillment, actor)
    return fulfillment


def complete_fulfillment(
    session: Session, raw_order_id: str, raw_id: str, actor: str | None = None
) -> Fulfillment:
    """POST orders/{id}/fulfillments/{fid}/complete.json: the third party shipped it."""
    with atomic(session):
        order = get_order(session, raw_order_id)
        fulfillment = get_fulfillment(session, order, raw_id)
        if fulfillment.status not in ("pending", "open"):
            raise UnprocessableEntity(
                {"base": [f"Cannot complete a {fulfillment.status} fulfillment"]}
            )
        fulfillment.status = "success"
        fulfillment.updated_at = order.updated_at = utcnow()
        session.flush()
        common.refresh_fulfillment_status(session, order)
        recorders.order_fulfillment_succeeded_event(
            session, order=order, fulfillment=fulfillment, actor=actor
        )
        _notify(session, order, fulfillment, actor)
    return fulfillment


def update_tracking(
    session: Session, raw_order_id: str, raw_id: str, body: Any, actor: str | None = None
) -> Fulfillment:
    """PUT orders/{id}/fulfillments/{fid}.json: tracking company, number, url.

    With `notify_customer` and a changed tracking number the customer gets the shipping
    update email (`mail_sent`, `Shipping update`). The documentation has no verb for a
    tracking change itself, so nothing else is recorded.
    """
    with atomic(session):
        order = get_order(session, raw_order_id)
        fulfillment = get_fulfillment(session, order, raw_id)
        fields = Fields(envelope(body, "fulfillment"))
        changes: dict[str, str | None] = {}
        for name, limit in (("tracking_company", 255), ("tracking_number", 255),
                            ("tracking_url", 1024)):  # fmt: skip
            if name in fields.data:
                changes[name] = fields.text(name, max_length=limit) or None
        notify = fields.boolean("notify_customer")
        fields.check()
        if fulfillment.status == "cancelled":
            raise UnprocessableEntity({"base": ["Cannot update a cancelled fulfillment"]})
        changed = {k: v for k, v in changes.items() if getattr(fulfillment, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(fulfillment, name, value)
            fulfillment.updated_at = order.updated_at = utcnow()
            session.flush()
            if notify and order.email:
                recorders.order_mail_sent_event(
                    session,
                    order=order,
                    email_type=OrderEmail.TRACKING_UPDATED,
                    actor=actor,
                    at=fulfillment.updated_at,
                )
    return fulfillment


def cancel_fulfillment(
    session: Session, raw_order_id: str, raw_id: str, actor: str | None = None
) -> Fulfillment:
    """POST orders/{id}/fulfillments/{fid}/cancel.json."""
    with atomic(session):
        order = get_order(session, raw_order_id)
        fulfillment = get_fulfillment(session, order, raw_id)
        if fulfillment.status == "cancelled":
            raise UnprocessableEntity({"base": ["Fulfillment has already been cancelled"]})
        fulfillment.status = "cancelled"
        fulfillment.updated_at = order.updated_at = utcnow()
        session.flush()
        common.refresh_fulfillment_status(session, order)
        recorders.order_fulfillment_cancelled_event(
            session, order=order, fulfillment=fulfillment, actor=actor
        )
    return fulfillment


def list_fulfillments(session: Session, raw_order_id: str) -> list[Fulfillment]:
    order = get_order(session, raw_order_id)
    return common.fulfillments(session, order.id or 0)
