"""Order recorders: one `order_<happening>_event` per verb of the documentation's Order table.

Every Order event's path is `/admin/orders/<id>`. Messages follow the documented example where
one exists (`confirmed`, `authorization_success`, `placed` from a draft order) and the verb
table's Message column elsewhere, filled from the resource (docs/event-messages.md lists them
all). Transaction events carry `[transaction id, amount, currency]` as arguments, like the
documented `authorization_success`. Each event takes its time from the resource change it
describes (`order.created_at`, `transaction.created_at`...), so a batch writer controls time by
setting the resource's timestamps.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, record_event
from app.models.event import Event, SubjectType
from app.models.order import Fulfillment, Order, Transaction
from app.money import money_amount


class OrderEmail(StrEnum):
    """The customer emails an order action can send (Saleor's `OrderEventsEmails` codes).

    Rendered as the `message_type` of Shopify's `mail_sent` event by `label`.
    """

    ORDER_CONFIRMATION = "order_confirmation"
    PAYMENT_CONFIRMATION = "payment_confirmation"
    SHIPPING_CONFIRMATION = "shipping_confirmation"
    TRACKING_UPDATED = "tracking_updated"
    FULFILLMENT_CONFIRMATION = "fulfillment_confirmation"
    DIGITAL_LINKS = "digital_links"
    ORDER_CANCEL = "order_cancel"
    ORDER_REFUND = "order_refund"

    @property
    def label(self) -> str:
        return _EMAIL_LABELS[self]


_EMAIL_LABELS = {
    OrderEmail.ORDER_CONFIRMATION: "Order confirmation",
    OrderEmail.PAYMENT_CONFIRMATION: "Payment confirmation",
    OrderEmail.SHIPPING_CONFIRMATION: "Shipping confirmation",
    OrderEmail.TRACKING_UPDATED: "Shipping update",
    OrderEmail.FULFILLMENT_CONFIRMATION: "Fulfillment confirmation",
    OrderEmail.DIGITAL_LINKS: "Digital links",
    OrderEmail.ORDER_CANCEL: "Order cancelled",
    OrderEmail.ORDER_REFUND: "Refund notification",
}


def _order_path(order: Order) -> str:
    return f"/admin/orders/{order.id}"


def _order_link(session: Session, order: Order) -> str:
    return link(admin_url(session, f"orders/{order.id}"), order.name)


def _items(quantity: int) -> str:
    """`number_of_line_items`: `1 line item`, `3 line items`."""
    return f"{quantity} line item" if quantity == 1 else f"{quantity} line items"


def _record(
    session: Session,
    order: Order,
    verb: Verb,
    message: str,
    *,
    arguments: list[object] | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> Event:
    assert order.id is not None, "flush the order before recording its events"
    return record_event(
        session,
        subject_type=SubjectType.ORDER,
        subject_id=order.id,
        verb=verb,
        message=message,
        arguments=arguments or [],
        path=_order_path(order),
        author=actor,
        created_at=at,
    )


# ---- the order itself --------------------------------------------------------------------


def order_placed_event(
    session: Session,
    *,
    order: Order,
    actor: str | None = None,
    draft_order_id: int | None = None,
    draft_order_name: str | None = None,
) -> Event:
    """`Order was placed.`; from a draft order, the documented draft wording."""
    if draft_order_id is not None:
        draft = link(admin_url(session, f"draft_orders/{draft_order_id}"), draft_order_name or "")
        message = f"This order was created for {order.customer_name} from draft order {draft}."
    else:
        message = "Order was placed."
    return _record(session, order, Verb.PLACED, message, actor=actor, at=order.created_at)


def order_confirmed_event(session: Session, *, order: Order, actor: str | None = None) -> Event:
    message = f"Received new order {_order_link(session, order)} by {order.customer_name}."
    return _record(
        session,
        order,
        Verb.CONFIRMED,
        message,
        arguments=[order.name, order.customer_name],
        actor=actor,
        at=order.created_at,
    )


def order_updated_event(session: Session, *, order: Order, actor: str | None = None) -> Event:
    message = f"{_order_link(session, order)} was updated."
    return _record(
        session, order, Verb.UPDATE, message, arguments=[order.name], actor=actor,
        at=order.updated_at,
    )  # fmt: skip


def order_closed_event(session: Session, *, order: Order, actor: str | None = None) -> Event:
    at = order.closed_at or order.updated_at
    return _record(session, order, Verb.CLOSED, "Order was closed.", actor=actor, at=at)


def order_re_opened_event(session: Session, *, order: Order, actor: str | None = None) -> Event:
    message = "Order was re-opened."
    return _record(session, order, Verb.RE_OPENED, message, actor=actor, at=order.updated_at)


def order_cancelled_event(session: Session, *, order: Order, actor: str | None = None) -> Event:
    """`Order was cancelled by <shop_staff_name>.`: the actor, `Shopify` when none is named."""
    staff = actor or "Shopify"
    return _record(
        session,
        order,
        Verb.CANCELLED,
        f"Order was cancelled by {staff}.",
        arguments=[staff],
        actor=actor,
        at=order.cancelled_at or order.updated_at,
    )


# ---- transactions ------------------------------------------------------------------------


def _transaction(
    session: Session,
    verb: Verb,
    message: str,
    order: Order,
    transaction: Transaction,
    actor: str | None,
) -> Event:
    return _record(
        session,
        order,
        verb,
        message.replace("{money}", money_amount(transaction.amount, transaction.currency)),
        arguments=[transaction.id, transaction.amount, transaction.currency],
        actor=actor,
        at=transaction.created_at,
    )


def order_authorization_succeeded_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    """The documented example's wording: `A transaction was authorized.`"""
    message = "A transaction was authorized."
    return _transaction(session, Verb.AUTHORIZATION_SUCCESS, message, order, transaction, actor)


def order_authorization_failed_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "The customer, unsuccessfully, tried to authorize: {money}"
    return _transaction(session, Verb.AUTHORIZATION_FAILURE, message, order, transaction, actor)


def order_authorization_pending_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "Authorization for {money} is pending."
    return _transaction(session, Verb.AUTHORIZATION_PENDING, message, order, transaction, actor)


def order_capture_succeeded_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We successfully captured: {money}"
    return _transaction(session, Verb.CAPTURE_SUCCESS, message, order, transaction, actor)


def order_capture_failed_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We failed to capture: {money}"
    return _transaction(session, Verb.CAPTURE_FAILURE, message, order, transaction, actor)


def order_capture_pending_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "Capture for {money} is pending."
    return _transaction(session, Verb.CAPTURE_PENDING, message, order, transaction, actor)


def order_sale_succeeded_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We successfully captured {money}."
    return _transaction(session, Verb.SALE_SUCCESS, message, order, transaction, actor)


def order_sale_failed_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "The customer failed to pay {money}."
    return _transaction(session, Verb.SALE_FAILURE, message, order, transaction, actor)


def order_sale_pending_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "The {money} is pending."
    return _transaction(session, Verb.SALE_PENDING, message, order, transaction, actor)


def order_refund_succeeded_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We successfully refunded {money}."
    return _transaction(session, Verb.REFUND_SUCCESS, message, order, transaction, actor)


def order_refund_failed_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We failed to refund {money}."
    return _transaction(session, Verb.REFUND_FAILURE, message, order, transaction, actor)


def order_refund_pending_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "Refund of {money} is still pending."
    return _transaction(session, Verb.REFUND_PENDING, message, order, transaction, actor)


def order_void_succeeded_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We successfully voided the authorization."
    return _transaction(session, Verb.VOID_SUCCESS, message, order, transaction, actor)


def order_void_failed_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "We failed to void the authorization."
    return _transaction(session, Verb.VOID_FAILURE, message, order, transaction, actor)


def order_void_pending_event(
    session: Session, *, order: Order, transaction: Transaction, actor: str | None = None
) -> Event:
    message = "Authorization void is pending."
    return _transaction(session, Verb.VOID_PENDING, message, order, transaction, actor)


# ---- fulfillment, restock, mail ----------------------------------------------------------


def _fulfilled_quantity(fulfillment: Fulfillment) -> int:
    return sum(int(item["quantity"]) for item in fulfillment.line_items)


def order_fulfillment_pending_event(
    session: Session, *, order: Order, fulfillment: Fulfillment, actor: str | None = None
) -> Event:
    quantity = _fulfilled_quantity(fulfillment)
    return _record(
        session,
        order,
        Verb.FULFILLMENT_PENDING,
        f"We submitted {_items(quantity)} to the third party service.",
        arguments=[fulfillment.id, quantity],
        actor=actor,
        at=fulfillment.updated_at,
    )


def order_fulfillment_succeeded_event(
    session: Session, *, order: Order, fulfillment: Fulfillment, actor: str | None = None
) -> Event:
    quantity = _fulfilled_quantity(fulfillment)
    return _record(
        session,
        order,
        Verb.FULFILLMENT_SUCCESS,
        f"We successfully fulfilled {_items(quantity)}.",
        arguments=[fulfillment.id, quantity],
        actor=actor,
        at=fulfillment.updated_at,
    )


def order_fulfillment_cancelled_event(
    session: Session, *, order: Order, fulfillment: Fulfillment, actor: str | None = None
) -> Event:
    quantity = _fulfilled_quantity(fulfillment)
    return _record(
        session,
        order,
        Verb.FULFILLMENT_CANCELLED,
        f"We cancelled {_items(quantity)} from being fulfilled by the third party fulfillment"
        " service.",
        arguments=[fulfillment.id, quantity],
        actor=actor,
        at=fulfillment.updated_at,
    )


def order_restocked_line_items_event(
    session: Session,
    *,
    order: Order,
    quantity: int,
    actor: str | None = None,
    at: datetime | None = None,
) -> Event:
    return _record(
        session,
        order,
        Verb.RESTOCK_LINE_ITEMS,
        f"We restocked {_items(quantity)}.",
        arguments=[quantity],
        actor=actor,
        at=at or order.updated_at,
    )


def order_mail_sent_event(
    session: Session,
    *,
    order: Order,
    email_type: OrderEmail,
    actor: str | None = None,
    at: datetime | None = None,
) -> Event:
    """`<message_type> email was sent to the customer.` (`Shipping update email was sent...`)."""
    return _record(
        session,
        order,
        Verb.MAIL_SENT,
        f"{email_type.label} email was sent to the customer.",
        arguments=[email_type.label],
        actor=actor,
        at=at or order.updated_at,
    )
