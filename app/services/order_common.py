"""What the order actions share: loading an order (or 404), its rows, its derived state, and
`atomic()`, which makes an action and its events one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.errors import NotFound
from app.models.order import Fulfillment, LineItem, Order, Refund, Transaction
from app.money import ZERO, to_amount
from app.services.order_input import parse_id

ACTIVE_FULFILLMENT = ("pending", "open", "success")
RESTOCKING = ("return", "cancel", "legacy_restock")


@contextmanager
def atomic(session: Session) -> Iterator[None]:
    """Commit once when the block succeeds; on any error roll everything back (no change, no
    event) and let the error propagate."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def get_order(session: Session, raw_id: str | int) -> Order:
    order_id = raw_id if isinstance(raw_id, int) else parse_id(raw_id)
    order = session.get(Order, order_id) if order_id is not None else None
    if order is None:
        raise NotFound()
    return order


def line_items(session: Session, order_id: int) -> list[LineItem]:
    stmt = (
        select(LineItem).where(col(LineItem.order_id) == order_id).order_by(col(LineItem.position))
    )
    return list(session.scalars(stmt).all())


def transactions(session: Session, order_id: int) -> list[Transaction]:
    stmt = select(Transaction).where(col(Transaction.order_id) == order_id)
    return list(session.scalars(stmt.order_by(col(Transaction.id))).all())


def fulfillments(session: Session, order_id: int) -> list[Fulfillment]:
    stmt = select(Fulfillment).where(col(Fulfillment.order_id) == order_id)
    return list(session.scalars(stmt.order_by(col(Fulfillment.id))).all())


def refunds(session: Session, order_id: int) -> list[Refund]:
    stmt = select(Refund).where(col(Refund.order_id) == order_id).order_by(col(Refund.id))
    return list(session.scalars(stmt).all())


def next_order_number(session: Session) -> int:
    """Shopify's numbering starts at #1001."""
    top = session.execute(select(func.max(Order.order_number))).scalar()
    return int(top or 1000) + 1


# ---- quantities ---------------------------------------------------------------------------


def fulfilled_quantities(session: Session, order_id: int) -> dict[int, int]:
    return _fulfilled_units(fulfillments(session, order_id))


def refunded_quantities(session: Session, order_id: int) -> dict[int, int]:
    return _refunded_units(refunds(session, order_id))


def fulfillable_quantities(session: Session, order_id: int) -> dict[int, int]:
    return fulfillable(
        line_items(session, order_id), fulfillments(session, order_id), refunds(session, order_id)
    )


def fulfillable(
    lines: list[LineItem], done: list[Fulfillment], gone: list[Refund]
) -> dict[int, int]:
    """Per line item: ordered, minus fulfilled (or submitted), minus refunded (pure)."""
    shipped = _fulfilled_units(done)
    refunded_units = _refunded_units(gone)
    return {
        item.id: max(0, item.quantity - shipped.get(item.id, 0) - refunded_units.get(item.id, 0))
        for item in lines
        if item.id is not None
    }


def _fulfilled_units(done: list[Fulfillment]) -> dict[int, int]:
    out: dict[int, int] = {}
    for fulfillment in done:
        if fulfillment.status in ACTIVE_FULFILLMENT:
            for item in fulfillment.line_items:
                out[item["id"]] = out.get(item["id"], 0) + int(item["quantity"])
    return out


def _refunded_units(gone: list[Refund]) -> dict[int, int]:
    out: dict[int, int] = {}
    for refund in gone:
        for item in refund.refund_line_items:
            key = int(item["line_item_id"])
            out[key] = out.get(key, 0) + int(item["quantity"])
    return out


def refresh_fulfillment_status(session: Session, order: Order) -> None:
    assert order.id is not None
    order.fulfillment_status = fulfillment_status(
        line_items(session, order.id),
        fulfillments(session, order.id),
        refunds(session, order.id),
    )


def fulfillment_status(
    lines: list[LineItem], done: list[Fulfillment], gone: list[Refund]
) -> str | None:
    """`fulfilled` when every remaining unit shipped, `partial` when some did, else null.

    Pure (the rows in, the status out): the bulk generator shares it with the actions."""
    shipped: dict[int, int] = {}
    active = 0
    for fulfillment in done:
        if fulfillment.status in ACTIVE_FULFILLMENT:
            active += 1
        if fulfillment.status == "success":
            for item in fulfillment.line_items:
                shipped[item["id"]] = shipped.get(item["id"], 0) + int(item["quantity"])
    refunded_units = _refunded_units(gone)
    wanted = {i.id: i.quantity - refunded_units.get(i.id, 0) for i in lines if i.id}
    if shipped and all(shipped.get(k, 0) >= q for k, q in wanted.items()):
        return "fulfilled"
    if active:
        return "partial"
    return None


# ---- money --------------------------------------------------------------------------------


def _total(rows: list[Transaction], *kinds: str) -> Decimal:
    amounts = [Decimal(t.amount) for t in rows if t.kind in kinds and t.status == "success"]
    return to_amount(sum(amounts, ZERO))


def capturable(rows: list[Transaction], authorization: Transaction) -> Decimal:
    """What is left to capture on a successful authorization (0 once voided)."""
    children = [t for t in rows if t.parent_id == authorization.id and t.status == "success"]
    if any(t.kind == "void" for t in children):
        return ZERO
    return Decimal(authorization.amount) - _total(children, "capture")


def paid(rows: list[Transaction]) -> Decimal:
    return _total(rows, "capture", "sale")


def refunded(rows: list[Transaction]) -> Decimal:
    return _total(rows, "refund")


def outstanding(order: Order, rows: list[Transaction]) -> Decimal:
    return max(ZERO, Decimal(order.total_price) - paid(rows))


def refresh_financial_status(session: Session, order: Order) -> None:
    assert order.id is not None
    order.financial_status = financial_status(order, transactions(session, order.id))


def financial_status(order: Order, rows: list[Transaction]) -> str:
    """Shopify's financial_status from the order's successful transactions (pure)."""
    total_paid, total_refunded = paid(rows), refunded(rows)
    auths = [t for t in rows if t.kind == "authorization" and t.status == "success"]
    if total_refunded > 0:
        return "refunded" if total_refunded >= total_paid else "partially_refunded"
    if total_paid > 0:
        return "paid" if total_paid >= Decimal(order.total_price) else "partially_paid"
    if any(capturable(rows, a) > 0 for a in auths):
        return "authorized"
    if auths:
        return "voided"
    return "pending"
