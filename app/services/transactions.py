"""Order transactions and the sandbox's test gateway.

The test gateway decides each transaction's outcome from the request:

1. an explicit `status` (`success`, `failure`, `pending`, `error`) wins;
2. else a card number, like Shopify's Bogus gateway, judged by its last digit
   (`credit_card_number`, or `payment_details.credit_card_number`): `1` success,
   `2` failure (`card_declined`), `3` error (`processing_error`), anything else failure
   (`incorrect_number`);
3. else success.

`failure` and `error` both record the verb's `_failure` event; `pending` its `_pending` event.
A successful `capture` or `sale` sent with `"send_receipt": true` also emails the customer the
payment confirmation (`mail_sent`, `Payment confirmation`), when the order has an email.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from app.clock import utcnow
from app.errors import UnprocessableEntity
from app.events import orders as recorders
from app.events.orders import OrderEmail
from app.models.event import Event
from app.models.order import Order, Transaction
from app.money import amount_str, money_amount
from app.services.order_common import (
    atomic,
    capturable,
    get_order,
    outstanding,
    paid,
    refresh_financial_status,
    refunded,
    transactions,
)
from app.services.order_input import Fields, envelope

KINDS = ("authorization", "capture", "sale", "void", "refund")
PAID = ("capture", "sale")  # the kinds that take the customer's money
STATUSES = ("success", "failure", "pending", "error")
ERROR_CODES = (
    "incorrect_number",
    "invalid_number",
    "invalid_expiry_date",
    "invalid_cvc",
    "expired_card",
    "incorrect_cvc",
    "incorrect_zip",
    "incorrect_address",
    "card_declined",
    "processing_error",
    "call_issuer",
    "pick_up_card",
)

Recorder = Callable[..., Event]

RECORDERS: dict[tuple[str, str], Recorder] = {
    ("authorization", "success"): recorders.order_authorization_succeeded_event,
    ("authorization", "failure"): recorders.order_authorization_failed_event,
    ("authorization", "pending"): recorders.order_authorization_pending_event,
    ("capture", "success"): recorders.order_capture_succeeded_event,
    ("capture", "failure"): recorders.order_capture_failed_event,
    ("capture", "pending"): recorders.order_capture_pending_event,
    ("sale", "success"): recorders.order_sale_succeeded_event,
    ("sale", "failure"): recorders.order_sale_failed_event,
    ("sale", "pending"): recorders.order_sale_pending_event,
    ("refund", "success"): recorders.order_refund_succeeded_event,
    ("refund", "failure"): recorders.order_refund_failed_event,
    ("refund", "pending"): recorders.order_refund_pending_event,
    ("void", "success"): recorders.order_void_succeeded_event,
    ("void", "failure"): recorders.order_void_failed_event,
    ("void", "pending"): recorders.order_void_pending_event,
}


@dataclass(frozen=True)
class Outcome:
    status: str
    error_code: str | None = None
    message: str | None = None


@dataclass
class TransactionRequest:
    kind: str
    amount: Decimal | None = None
    parent_id: int | None = None
    outcome: Outcome = Outcome("success")
    gateway: str = "manual"
    source_name: str = "web"
    authorization: str | None = None
    test: bool = False
    send_receipt: bool = False


_BOGUS = {
    "1": Outcome("success", None, "Bogus Gateway: Forced success"),
    "2": Outcome("failure", "card_declined", "Bogus Gateway: Forced failure"),
    "3": Outcome("error", "processing_error", "Bogus Gateway: Forced error"),
}


def _card_number(fields: Fields) -> str | None:
    value = fields.data.get("credit_card_number")
    details = fields.data.get("payment_details")
    if value is None and isinstance(details, dict):
        value = details.get("credit_card_number")
    if value is None:
        return None
    return str(value).replace(" ", "").replace("-", "")


def read_transaction(fields: Fields, *, kinds: tuple[str, ...] = KINDS) -> TransactionRequest:
    """One transaction of a request, its outcome decided by the test gateway."""
    kind = fields.choice("kind", kinds)
    if kind is None and "kind" not in fields.errors and not fields.has("kind"):
        fields.error("kind", "can't be blank")
    amount = fields.amount("amount", positive=True)
    parent_id = fields.integer("parent_id", minimum=1)
    status = fields.choice("status", STATUSES)
    error_code = fields.choice("error_code", ERROR_CODES)
    card = _card_number(fields)
    gateway = fields.text("gateway", max_length=64) or ("bogus" if card else "manual")
    if status is not None:
        failed = status in ("failure", "error")
        code = error_code or ("card_declined" if failed else None)
        outcome = Outcome(status, code if failed else None)
    elif card is not None:
        outcome = _BOGUS.get(
            card[-1:], Outcome("failure", "incorrect_number", "Bogus Gateway: Invalid card number")
        )
    else:
        outcome = Outcome("success")
    return TransactionRequest(
        kind=kind or "sale",
        amount=amount,
        parent_id=parent_id,
        outcome=outcome,
        gateway=gateway,
        source_name=fields.text("source_name", max_length=64) or "web",
        authorization=fields.text("authorization", max_length=64),
        test=fields.boolean("test", default=card is not None),
        send_receipt=fields.boolean("send_receipt"),
    )


def _fail(field: str, message: str) -> UnprocessableEntity:
    return UnprocessableEntity({field: [message]})


def _parent(rows: list[Transaction], parent_id: int | None, kinds: tuple[str, ...]) -> Any:
    candidates = [t for t in rows if t.kind in kinds and t.status == "success"]
    if parent_id is None:
        return candidates[-1] if candidates else None
    found = [t for t in candidates if t.id == parent_id]
    if not found:
        raise _fail("parent_id", "is invalid")
    return found[0]


def plan_transaction(
    order: Order, rows: list[Transaction], req: TransactionRequest
) -> tuple[Decimal, Any]:
    """The amount and parent of a transaction, or 422 when the order cannot take it (pure:
    the order and its transactions in, so the bulk generator shares it)."""
    money = order.currency
    if order.cancelled_at is not None and req.kind in ("authorization", "capture", "sale"):
        raise _fail("base", "Cannot process a payment for a cancelled order")
    if req.kind in ("authorization", "sale"):
        left = outstanding(order, rows)
        amount = req.amount if req.amount is not None else left
        if amount <= 0:
            raise _fail("base", "Order has no outstanding balance")
        if amount > left:
            limit = money_amount(left, money)
            raise _fail("amount", f"cannot be greater than the outstanding balance ({limit})")
        return amount, None
    if req.kind == "capture":
        auths = [t for t in rows if t.kind == "authorization" and t.status == "success"]
        open_auths = [a for a in auths if capturable(rows, a) > 0]
        if req.parent_id is None and not open_auths:
            raise _fail("base", "No authorized amount is available to capture")
        parent = _parent(open_auths if req.parent_id is None else auths, req.parent_id,
                         ("authorization",))  # fmt: skip
        left = capturable(rows, parent)
        amount = req.amount if req.amount is not None else left
        if amount > left:
            limit = money_amount(left, money)
            raise _fail("amount", f"cannot be greater than the amount left to capture ({limit})")
        if amount <= 0:
            raise _fail("base", "No authorized amount is available to capture")
        return amount, parent
    if req.kind == "void":
        voidable = [
            a
            for a in rows
            if a.kind == "authorization"
            and a.status == "success"
            and not any(t.parent_id == a.id and t.status == "success" for t in rows)
        ]
        if req.parent_id is None and not voidable:
            raise _fail("base", "No authorization is available to void")
        parent = _parent(voidable, req.parent_id, ("authorization",))
        return Decimal(parent.amount), parent
    # refund
    left = paid(rows) - refunded(rows)
    if left <= 0:
        raise _fail("base", "No payment is available to refund")
    parent = _parent(rows, req.parent_id, ("capture", "sale"))
    if parent is None:
        raise _fail("base", "No payment is available to refund")
    amount = req.amount if req.amount is not None else left
    if amount > left:
        limit = money_amount(left, money)
        raise _fail("amount", f"cannot be greater than the refundable amount ({limit})")
    return amount, parent


def add_transaction(
    session: Session,
    order: Order,
    req: TransactionRequest,
    *,
    actor: str | None = None,
    refund_id: int | None = None,
    now: datetime | None = None,
) -> Transaction:
    """Validate, add and flush one transaction, record its event, refresh the order's
    financial_status. No commit: the calling action commits."""
    assert order.id is not None
    amount, parent = plan_transaction(order, transactions(session, order.id), req)
    now = now or utcnow()
    txn = Transaction(
        order_id=order.id,
        refund_id=refund_id,
        parent_id=parent.id if parent is not None else None,
        kind=req.kind,
        status=req.outcome.status,
        amount=amount_str(amount),
        currency=order.currency,
        gateway=req.gateway,
        source_name=req.source_name,
        authorization=req.authorization,
        error_code=req.outcome.error_code,
        message=req.outcome.message,
        test=req.test,
        created_at=now,
        processed_at=now,
    )
    session.add(txn)
    session.flush()
    status = "failure" if txn.status == "error" else txn.status
    RECORDERS[(txn.kind, status)](session, order=order, transaction=txn, actor=actor)
    if payment_receipt(order, txn, asked=req.send_receipt):
        recorders.order_mail_sent_event(
            session, order=order, email_type=OrderEmail.PAYMENT_CONFIRMATION, actor=actor, at=now
        )
    refresh_financial_status(session, order)
    order.updated_at = now
    return txn


def payment_receipt(order: Order, txn: Transaction, *, asked: bool) -> bool:
    """Whether the customer gets the payment confirmation: asked for, money taken, an email."""
    return asked and txn.kind in PAID and txn.status == "success" and bool(order.email)


def create_transaction(
    session: Session, raw_order_id: str, body: Any, actor: str | None = None
) -> Transaction:
    """POST orders/{id}/transactions.json."""
    with atomic(session):
        order = get_order(session, raw_order_id)
        fields = Fields(envelope(body, "transaction"))
        req = read_transaction(fields)
        fields.check()
        txn = add_transaction(session, order, req, actor=actor)
    return txn


def list_transactions(session: Session, raw_order_id: str) -> list[Transaction]:
    order = get_order(session, raw_order_id)
    assert order.id is not None
    return transactions(session, order.id)
