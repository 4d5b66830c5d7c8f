"""Orders and what happens to them: line items, transactions, fulfillments, refunds.

Money is stored as Shopify renders it, a decimal string with two places ("199.00"); services
do the arithmetic with `Decimal`. Timestamps are naive UTC, whole seconds (like events).
Line items live in their own table so fulfillments and refunds can point at them by id;
a fulfillment's and a refund's own line items are small JSON lists of `{id, quantity}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, SQLModel

from app.models.event import BigIntPK


def _fk(target: str) -> Column[Any]:
    return Column(BigInteger, ForeignKey(target, ondelete="CASCADE"), nullable=False, index=True)


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_order_number", "order_number", unique=True),)

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    name: str = Field(sa_column=Column(String(64), nullable=False))
    order_number: int = Field(sa_column=Column(Integer, nullable=False))
    email: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    phone: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    first_name: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    last_name: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    subtotal_price: str = Field(sa_column=Column(String(32), nullable=False))
    total_price: str = Field(sa_column=Column(String(32), nullable=False))
    financial_status: str = Field(sa_column=Column(String(32), nullable=False))
    fulfillment_status: str | None = Field(default=None, sa_column=Column(String(32)))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tags: str = Field(default="", sa_column=Column(Text, nullable=False))
    test: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    send_receipt: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(DateTime, nullable=True))
    cancel_reason: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    processed_at: datetime = Field(sa_column=Column(DateTime, nullable=False))

    @property
    def customer_name(self) -> str:
        """`Bob Norman`; a guest without a name is shown by email (or as `a guest`)."""
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.email or "a guest"


class LineItem(SQLModel, table=True):
    __tablename__ = "order_line_items"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    order_id: int = Field(sa_column=_fk("orders.id"))
    position: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    title: str = Field(sa_column=Column(String(255), nullable=False))
    price: str = Field(sa_column=Column(String(32), nullable=False))
    quantity: int = Field(sa_column=Column(Integer, nullable=False))
    product_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    variant_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sku: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    requires_shipping: bool = Field(default=True, sa_column=Column(Boolean, nullable=False))


class Transaction(SQLModel, table=True):
    __tablename__ = "order_transactions"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    order_id: int = Field(sa_column=_fk("orders.id"))
    refund_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    parent_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    amount: str = Field(sa_column=Column(String(32), nullable=False))
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    gateway: str = Field(sa_column=Column(String(64), nullable=False))
    source_name: str = Field(default="web", sa_column=Column(String(64), nullable=False))
    authorization: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    error_code: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    test: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    processed_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class Fulfillment(SQLModel, table=True):
    __tablename__ = "order_fulfillments"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    order_id: int = Field(sa_column=_fk("orders.id"))
    name: str = Field(sa_column=Column(String(64), nullable=False))
    status: str = Field(sa_column=Column(String(16), nullable=False))
    service: str = Field(default="manual", sa_column=Column(String(64), nullable=False))
    # [{"id": line_item_id, "quantity": n}, ...]
    line_items: list[dict[str, int]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    tracking_company: str | None = Field(default=None, sa_column=Column(String(255)))
    tracking_number: str | None = Field(default=None, sa_column=Column(String(255)))
    tracking_url: str | None = Field(default=None, sa_column=Column(String(1024)))
    notify_customer: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    updated_at: datetime = Field(sa_column=Column(DateTime, nullable=False))


class Refund(SQLModel, table=True):
    __tablename__ = "order_refunds"

    id: int | None = Field(default=None, sa_column=Column(BigIntPK, primary_key=True))
    order_id: int = Field(sa_column=_fk("orders.id"))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    restock: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    # [{"line_item_id": id, "quantity": n, "restock_type": "return"|"cancel"|"no_restock"}]
    refund_line_items: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
    processed_at: datetime = Field(sa_column=Column(DateTime, nullable=False))
