"""Orders and their parts as Shopify's JSON (the subset this sandbox models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.models.order import Fulfillment, LineItem, Order, Refund, Transaction
from app.services import order_common as common
from app.timeparse import render_timestamp


def _time(value: datetime | None, tz: ZoneInfo) -> str | None:
    return render_timestamp(value, tz) if value is not None else None


def render_line_item(item: LineItem, fulfillable: int) -> dict[str, Any]:
    return {
        "id": item.id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{item.id}",
        "title": item.title,
        "name": item.title,
        "price": item.price,
        "quantity": item.quantity,
        "fulfillable_quantity": fulfillable,
        "product_id": item.product_id,
        "variant_id": item.variant_id,
        "sku": item.sku,
        "requires_shipping": item.requires_shipping,
    }


def render_transaction(txn: Transaction, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": txn.id,
        "order_id": txn.order_id,
        "kind": txn.kind,
        "gateway": txn.gateway,
        "status": txn.status,
        "message": txn.message,
        "created_at": _time(txn.created_at, tz),
        "test": txn.test,
        "authorization": txn.authorization,
        "parent_id": txn.parent_id,
        "processed_at": _time(txn.processed_at, tz),
        "source_name": txn.source_name,
        "error_code": txn.error_code,
        "amount": txn.amount,
        "currency": txn.currency,
        "admin_graphql_api_id": f"gid://shopify/OrderTransaction/{txn.id}",
    }


def render_fulfillment(f: Fulfillment, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": f.id,
        "order_id": f.order_id,
        "name": f.name,
        "status": f.status,
        "service": f.service,
        "created_at": _time(f.created_at, tz),
        "updated_at": _time(f.updated_at, tz),
        "tracking_company": f.tracking_company,
        "tracking_number": f.tracking_number,
        "tracking_numbers": [f.tracking_number] if f.tracking_number else [],
        "tracking_url": f.tracking_url,
        "tracking_urls": [f.tracking_url] if f.tracking_url else [],
        "line_items": [{"id": i["id"], "quantity": i["quantity"]} for i in f.line_items],
        "admin_graphql_api_id": f"gid://shopify/Fulfillment/{f.id}",
    }


def render_refund(refund: Refund, txns: list[Transaction], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": refund.id,
        "order_id": refund.order_id,
        "created_at": _time(refund.created_at, tz),
        "note": refund.note,
        "processed_at": _time(refund.processed_at, tz),
        "restock": refund.restock,
        "refund_line_items": [
            {
                "line_item_id": item["line_item_id"],
                "quantity": item["quantity"],
                "restock_type": item["restock_type"],
            }
            for item in refund.refund_line_items
        ],
        "transactions": [render_transaction(t, tz) for t in txns if t.refund_id == refund.id],
        "admin_graphql_api_id": f"gid://shopify/Refund/{refund.id}",
    }


def render_order(session: Session, order: Order, tz: ZoneInfo) -> dict[str, Any]:
    assert order.id is not None
    fulfillable = common.fulfillable_quantities(session, order.id)
    txns = common.transactions(session, order.id)
    customer = None
    if order.first_name or order.last_name or order.email:
        customer = {
            "first_name": order.first_name,
            "last_name": order.last_name,
            "email": order.email,
        }
    return {
        "id": order.id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order.id}",
        "name": order.name,
        "order_number": order.order_number,
        "number": order.order_number - 1000,
        "email": order.email,
        "phone": order.phone,
        "created_at": _time(order.created_at, tz),
        "updated_at": _time(order.updated_at, tz),
        "processed_at": _time(order.processed_at, tz),
        "closed_at": _time(order.closed_at, tz),
        "cancelled_at": _time(order.cancelled_at, tz),
        "cancel_reason": order.cancel_reason,
        "currency": order.currency,
        "subtotal_price": order.subtotal_price,
        "total_price": order.total_price,
        "financial_status": order.financial_status,
        "fulfillment_status": order.fulfillment_status,
        "note": order.note,
        "tags": order.tags,
        "test": order.test,
        "customer": customer,
        "line_items": [
            render_line_item(i, fulfillable.get(i.id or 0, 0))
            for i in common.line_items(session, order.id)
        ],
        "fulfillments": [render_fulfillment(f, tz) for f in common.fulfillments(session, order.id)],
        "refunds": [render_refund(r, txns, tz) for r in common.refunds(session, order.id)],
    }
