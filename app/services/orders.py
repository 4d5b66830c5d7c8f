"""Order actions: place, update, close, open, cancel, delete (lists: order_queries.py).

Each action validates the whole request first, changes the order, flushes, calls the order
recorders and commits once (`atomic`): a failure anywhere leaves neither change nor event.
`build_order` is the part without events, shared by `place_order` and the seed loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.clock import utcnow
from app.errors import UnprocessableEntity
from app.events import orders as recorders
from app.events.base import settings_of
from app.events.orders import OrderEmail
from app.models.order import LineItem, Order
from app.money import ZERO, amount_str
from app.services import order_common as common
from app.services.order_common import atomic, get_order
from app.services.order_input import Fields, envelope, options
from app.services.refunds import apply_refund
from app.services.transactions import TransactionRequest, add_transaction, read_transaction
from app.timeparse import parse_timestamp

FINANCIAL_STATUSES = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
)
CANCEL_REASONS = ("customer", "fraud", "inventory", "declined", "other")


@dataclass
class LineItemInput:
    title: str
    price: Decimal
    quantity: int
    product_id: int | None = None
    variant_id: int | None = None
    sku: str | None = None
    requires_shipping: bool = True
    id: int | None = None


@dataclass
class OrderInput:
    line_items: list[LineItemInput]
    currency: str
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    financial_status: str = "pending"
    note: str | None = None
    tags: str = ""
    test: bool = False
    send_receipt: bool = False
    transactions: list[TransactionRequest] = field(default_factory=list)
    # pinned by the seed loader (and batch writers), never read from a request
    id: int | None = None
    name: str | None = None
    order_number: int | None = None
    created_at: datetime | None = None
    total_price: Decimal | None = None


def _tags(fields: Fields) -> str:
    value = fields.data.get("tags")
    if value is None:
        return ""
    parts = value if isinstance(value, list) else str(value).split(",")
    return ", ".join(dict.fromkeys(str(p).strip() for p in parts if str(p).strip()))


def _customer(fields: Fields) -> tuple[str | None, str | None, str | None]:
    customer = fields.obj("customer")
    if customer is None:
        return None, None, None
    first = customer.text("first_name")
    last = customer.text("last_name")
    email = customer.text("email")
    fields.merge(customer)
    return first, last, email


def read_order(fields: Fields, default_currency: str) -> OrderInput:
    items: list[LineItemInput] = []
    for item in fields.objects("line_items", required=True):
        title = item.text("title", required=True)
        price = item.amount("price", required=True)
        quantity = item.integer("quantity", minimum=1, default=1)
        product_id = item.integer("product_id", minimum=1)
        variant_id = item.integer("variant_id", minimum=1)
        sku = item.text("sku")
        requires_shipping = item.boolean("requires_shipping", default=True)
        fields.merge(item)
        if title and price is not None and quantity:
            items.append(
                LineItemInput(
                    title, price, quantity, product_id, variant_id, sku, requires_shipping
                )
            )
    currency = (fields.text("currency", max_length=3) or default_currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        fields.error("currency", "is invalid")
    first, last, customer_email = _customer(fields)
    email = fields.text("email") or customer_email
    if email and "@" not in email:
        fields.error("email", "is invalid")
    txns = []
    for txn in fields.objects("transactions"):
        txns.append(read_transaction(txn, kinds=("authorization", "sale")))
        fields.merge(txn)
    return OrderInput(
        line_items=items,
        currency=currency,
        email=email,
        phone=fields.text("phone", max_length=64),
        first_name=first,
        last_name=last,
        financial_status=fields.choice("financial_status", FINANCIAL_STATUSES) or "pending",
        note=fields.text("note", max_length=5000),
        tags=_tags(fields),
        test=fields.boolean("test"),
        send_receipt=fields.boolean("send_receipt"),
        transactions=txns,
    )


def build_order(session: Session, data: OrderInput, *, now: datetime | None = None) -> Order:
    """Add the order and its line items and flush (ids assigned). Records no event."""
    created = data.created_at or now or utcnow()
    number = data.order_number or common.next_order_number(session)
    subtotal = sum((i.price * i.quantity for i in data.line_items), ZERO)
    order = Order(
        id=data.id,
        name=data.name or f"#{number}",
        order_number=number,
        email=data.email,
        phone=data.phone,
        first_name=data.first_name,
        last_name=data.last_name,
        currency=data.currency,
        subtotal_price=amount_str(subtotal),
        total_price=amount_str(data.total_price if data.total_price is not None else subtotal),
        financial_status=data.financial_status,
        note=data.note,
        tags=data.tags,
        test=data.test,
        send_receipt=data.send_receipt,
        created_at=created,
        updated_at=created,
        processed_at=created,
    )
    session.add(order)
    session.flush()
    assert order.id is not None
    for position, item in enumerate(data.line_items, start=1):
        session.add(
            LineItem(
                id=item.id,
                order_id=order.id,
                position=position,
                title=item.title,
                price=amount_str(item.price),
                quantity=item.quantity,
                product_id=item.product_id,
                variant_id=item.variant_id,
                sku=item.sku,
                requires_shipping=item.requires_shipping,
            )
        )
    session.flush()
    return order


def place_order(
    session: Session, data: OrderInput, *, actor: str | None = None, now: datetime | None = None
) -> Order:
    """The order and its events, uncommitted: placed, its transactions' events, confirmed,
    and the order confirmation email when `send_receipt`."""
    order = build_order(session, data, now=now)
    recorders.order_placed_event(session, order=order, actor=actor)
    for req in data.transactions:
        add_transaction(session, order, req, actor=actor, now=order.created_at)
    recorders.order_confirmed_event(session, order=order, actor=actor)
    if data.send_receipt and order.email:
        recorders.order_mail_sent_event(
            session, order=order, email_type=OrderEmail.ORDER_CONFIRMATION, actor=actor
        )
    return order


NUMBER_ATTEMPTS = 3


def create_order(session: Session, body: Any, actor: str | None = None) -> Order:
    """POST orders.json.

    The order number is the highest plus one; when a concurrent request took it first (the
    unique index refuses the insert), the whole action is rolled back and tried again.
    """
    fields = Fields(envelope(body, "order"))
    data = read_order(fields, settings_of(session).shop_currency)
    fields.check()
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            with atomic(session):
                order = place_order(session, data, actor=actor)
            return order
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def update_order(session: Session, raw_id: str, body: Any, actor: str | None = None) -> Order:
    """PUT orders/{id}.json: email, phone, note, tags, customer names. An update that changes
    nothing records nothing."""
    with atomic(session):
        order = get_order(session, raw_id)
        fields = Fields(envelope(body, "order"))
        wanted: dict[str, Any] = {}
        for name, limit in (("email", 255), ("phone", 64), ("note", 5000)):
            if name in fields.data:
                wanted[name] = fields.text(name, max_length=limit) or None
        if wanted.get("email") and "@" not in wanted["email"]:
            fields.error("email", "is invalid")
        if "tags" in fields.data:
            wanted["tags"] = _tags(fields)
        if "customer" in fields.data:
            first, last, _ = _customer(fields)
            wanted["first_name"], wanted["last_name"] = first, last
        fields.check()
        changed = {k: v for k, v in wanted.items() if getattr(order, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(order, name, value)
            order.updated_at = utcnow()
            session.flush()
            recorders.order_updated_event(session, order=order, actor=actor)
    return order


def close_order(session: Session, raw_id: str, actor: str | None = None) -> Order:
    """POST orders/{id}/close.json; closing a closed order changes nothing."""
    with atomic(session):
        order = get_order(session, raw_id)
        if order.closed_at is None:
            order.closed_at = order.updated_at = utcnow()
            session.flush()
            recorders.order_closed_event(session, order=order, actor=actor)
    return order


def open_order(session: Session, raw_id: str, actor: str | None = None) -> Order:
    """POST orders/{id}/open.json; opening an open order changes nothing."""
    with atomic(session):
        order = get_order(session, raw_id)
        if order.closed_at is not None:
            order.closed_at = None
            order.updated_at = utcnow()
            session.flush()
            recorders.order_re_opened_event(session, order=order, actor=actor)
    return order


def cancel_order(session: Session, raw_id: str, body: Any, actor: str | None = None) -> Order:
    """POST orders/{id}/cancel.json: `reason`, `email` (notify), `restock`, and the money:
    `refund` (a refund as refunds.json takes it) or `amount` (refunded from what was paid; on an
    order that is only authorized, the authorization is voided).

    Cancelling closes the order. Restocking puts back every unit not yet fulfilled or refunded
    (after the refund's own line items). Events: cancelled, the refund's or void's, restock,
    the cancellation email. Any 422 (the refund's too) leaves the order as it was.
    """
    with atomic(session):
        order = get_order(session, raw_id)
        fields = Fields(options(body))
        reason = fields.choice("reason", CANCEL_REASONS, default="other")
        notify = fields.boolean("email")
        restock = fields.boolean("restock")
        amount = fields.amount("amount", positive=True)
        refund = fields.data.get("refund")
        if refund is not None and not isinstance(refund, dict):
            fields.error("refund", "is invalid")
        fields.check()
        if order.cancelled_at is not None:
            raise UnprocessableEntity({"base": ["Order has already been cancelled"]})
        assert order.id is not None
        now = utcnow()
        order.cancelled_at = order.updated_at = now
        order.closed_at = order.closed_at or now
        order.cancel_reason = reason
        session.flush()
        recorders.order_cancelled_event(session, order=order, actor=actor)
        if isinstance(refund, dict):
            apply_refund(session, order, Fields(refund, "refund."), actor)
        elif amount is not None:
            _give_back(session, order, amount, actor, now)
        restocked = sum(common.fulfillable_quantities(session, order.id).values())
        if restock and restocked:
            recorders.order_restocked_line_items_event(
                session, order=order, quantity=restocked, actor=actor, at=now
            )
        if notify and order.email:
            recorders.order_mail_sent_event(
                session, order=order, email_type=OrderEmail.ORDER_CANCEL, actor=actor, at=now
            )
    return order


def _give_back(
    session: Session, order: Order, amount: Decimal, actor: str | None, now: datetime
) -> None:
    """cancel.json's `amount`: a refund of it when something was paid, else a void."""
    assert order.id is not None
    rows = common.transactions(session, order.id)
    kind = "refund" if common.paid(rows) - common.refunded(rows) > 0 else "void"
    req = TransactionRequest(kind=kind, amount=amount if kind == "refund" else None)
    add_transaction(session, order, req, actor=actor, now=now)


def delete_order(session: Session, raw_id: str) -> None:
    """DELETE orders/{id}.json. The documentation lists no Order verb for it, so no event is
    recorded; the order's earlier events stay listable."""
    with atomic(session):
        order = get_order(session, raw_id)
        session.delete(order)
        session.flush()


# ---- seed ---------------------------------------------------------------------------------


def load_orders(session: Session, rows: list[dict[str, Any]], tz: ZoneInfo) -> None:
    """Seed loader: documented orders with their ids, names and times pinned, built through
    `build_order` and recording no event (the fixture's events are written verbatim)."""
    currency = settings_of(session).shop_currency
    for row in rows:
        fields = Fields(row)
        data = read_order(fields, currency)
        created = fields.text("created_at")
        data.created_at = parse_timestamp(created, tz) if created else None
        if created and data.created_at is None:
            fields.error("created_at", "is invalid")
        data.id = fields.integer("id", minimum=1)
        data.order_number = fields.integer("order_number", minimum=1)
        data.name = fields.text("name")
        data.total_price = fields.amount("total_price")
        for item, raw in zip(data.line_items, row.get("line_items") or [], strict=False):
            item.id = raw.get("id") if isinstance(raw, dict) else None
        fields.check()
        build_order(session, data)
