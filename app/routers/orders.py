"""Order endpoints: orders, their transactions, fulfillments and refunds (thin adapters)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, QueryDep, SettingsDep
from app.rendering import JSONResponse
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES
from app.services import fulfillments, order_queries, orders, refunds, transactions
from app.services import order_common as common
from app.services.order_render import (
    render_fulfillment,
    render_order,
    render_refund,
    render_transaction,
)

router = APIRouter(responses={**ERROR_RESPONSES, 422: ERROR_RESPONSES[400]}, tags=["orders"])


async def _json_body(request: Request) -> Any:
    """The parsed body; None when empty or not JSON (the service answers Shopify's 400)."""
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None


Body = Annotated[Any, Depends(_json_body)]


def _order(session: SessionDep, settings: SettingsDep, order: Any, status: int = 200) -> Response:
    return JSONResponse({"order": render_order(session, order, settings.tz)}, status_code=status)


@router.get("/orders.json")
def list_orders(
    request: Request, session: SessionDep, settings: SettingsDep, query: QueryDep
) -> Response:
    """Retrieve a list of orders (`status` open by default, like Shopify)."""
    req = page_request(request, query, settings)
    filters = order_queries.OrderQuery.from_params(req.params, settings.tz)
    page = order_queries.list_orders(session, filters, req)
    body = {"orders": [render_order(session, o, settings.tz) for o in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/orders.json", status_code=201)
def create_order(session: SessionDep, settings: SettingsDep, body: Body, actor: Actor) -> Response:
    """Create an order: records placed and confirmed (and its transactions' events)."""
    return _order(session, settings, orders.create_order(session, body, actor), 201)


@router.get("/orders/count.json")
def count_orders(session: SessionDep, settings: SettingsDep, query: QueryDep) -> Response:
    """Retrieve a count of orders."""
    filters = order_queries.OrderQuery.from_params(query.values, settings.tz)
    return JSONResponse({"count": order_queries.count_orders(session, filters)})


@router.get("/orders/{order_id}.json")
def get_order(order_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Retrieve an order."""
    return _order(session, settings, common.get_order(session, order_id))


@router.put("/orders/{order_id}.json")
def update_order(
    order_id: str, session: SessionDep, settings: SettingsDep, body: Body, actor: Actor
) -> Response:
    """Update an order (records update when something changed)."""
    return _order(session, settings, orders.update_order(session, order_id, body, actor))


@router.delete("/orders/{order_id}.json")
def delete_order(order_id: str, session: SessionDep) -> Response:
    """Delete an order (its events stay)."""
    orders.delete_order(session, order_id)
    return JSONResponse({})


@router.post("/orders/{order_id}/close.json")
def close_order(
    order_id: str, session: SessionDep, settings: SettingsDep, actor: Actor
) -> Response:
    """Close an order (records closed)."""
    return _order(session, settings, orders.close_order(session, order_id, actor))


@router.post("/orders/{order_id}/open.json")
def open_order(order_id: str, session: SessionDep, settings: SettingsDep, actor: Actor) -> Response:
    """Re-open a closed order (records re_opened)."""
    return _order(session, settings, orders.open_order(session, order_id, actor))


@router.post("/orders/{order_id}/cancel.json")
def cancel_order(
    order_id: str, session: SessionDep, settings: SettingsDep, body: Body, actor: Actor
) -> Response:
    """Cancel an order (records cancelled; `refund` or `amount` refunds or voids; restock_line_items
    and mail_sent when asked)."""
    return _order(session, settings, orders.cancel_order(session, order_id, body, actor))


# ---- transactions -------------------------------------------------------------------------


@router.get("/orders/{order_id}/transactions.json")
def list_transactions(order_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Retrieve an order's transactions."""
    rows = transactions.list_transactions(session, order_id)
    return JSONResponse({"transactions": [render_transaction(t, settings.tz) for t in rows]})


@router.post("/orders/{order_id}/transactions.json", status_code=201)
def create_transaction(
    order_id: str, session: SessionDep, settings: SettingsDep, body: Body, actor: Actor
) -> Response:
    """Create a transaction; the test gateway decides its status (see README)."""
    txn = transactions.create_transaction(session, order_id, body, actor)
    return JSONResponse({"transaction": render_transaction(txn, settings.tz)}, status_code=201)


# ---- fulfillments -------------------------------------------------------------------------


@router.get("/orders/{order_id}/fulfillments.json")
def list_fulfillments(order_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Retrieve an order's fulfillments."""
    rows = fulfillments.list_fulfillments(session, order_id)
    return JSONResponse({"fulfillments": [render_fulfillment(f, settings.tz) for f in rows]})


@router.post("/orders/{order_id}/fulfillments.json", status_code=201)
def create_fulfillment(
    order_id: str, session: SessionDep, settings: SettingsDep, body: Body, actor: Actor
) -> Response:
    """Fulfil line items (fulfillment_success, or fulfillment_pending for a third party)."""
    row = fulfillments.create_fulfillment(session, order_id, body, actor)
    return JSONResponse({"fulfillment": render_fulfillment(row, settings.tz)}, status_code=201)


@router.get("/orders/{order_id}/fulfillments/{fulfillment_id}.json")
def get_fulfillment(
    order_id: str, fulfillment_id: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """Retrieve a fulfillment."""
    order = common.get_order(session, order_id)
    row = fulfillments.get_fulfillment(session, order, fulfillment_id)
    return JSONResponse({"fulfillment": render_fulfillment(row, settings.tz)})


@router.put("/orders/{order_id}/fulfillments/{fulfillment_id}.json")
def update_fulfillment(
    order_id: str,
    fulfillment_id: str,
    session: SessionDep,
    settings: SettingsDep,
    body: Body,
    actor: Actor,
) -> Response:
    """Update a fulfillment's tracking (mail_sent Shipping update with notify_customer)."""
    row = fulfillments.update_tracking(session, order_id, fulfillment_id, body, actor)
    return JSONResponse({"fulfillment": render_fulfillment(row, settings.tz)})


@router.post("/orders/{order_id}/fulfillments/{fulfillment_id}/complete.json")
def complete_fulfillment(
    order_id: str, fulfillment_id: str, session: SessionDep, settings: SettingsDep, actor: Actor
) -> Response:
    """Complete a pending fulfillment (records fulfillment_success)."""
    row = fulfillments.complete_fulfillment(session, order_id, fulfillment_id, actor)
    return JSONResponse({"fulfillment": render_fulfillment(row, settings.tz)})


@router.post("/orders/{order_id}/fulfillments/{fulfillment_id}/cancel.json")
def cancel_fulfillment(
    order_id: str, fulfillment_id: str, session: SessionDep, settings: SettingsDep, actor: Actor
) -> Response:
    """Cancel a fulfillment (records fulfillment_cancelled)."""
    row = fulfillments.cancel_fulfillment(session, order_id, fulfillment_id, actor)
    return JSONResponse({"fulfillment": render_fulfillment(row, settings.tz)})


# ---- refunds ------------------------------------------------------------------------------


@router.get("/orders/{order_id}/refunds.json")
def list_refunds(order_id: str, session: SessionDep, settings: SettingsDep) -> Response:
    """Retrieve an order's refunds."""
    rows, txns = refunds.list_refunds(session, order_id)
    return JSONResponse({"refunds": [render_refund(r, txns, settings.tz) for r in rows]})


@router.post("/orders/{order_id}/refunds.json", status_code=201)
def create_refund(
    order_id: str, session: SessionDep, settings: SettingsDep, body: Body, actor: Actor
) -> Response:
    """Refund line items and/or money (refund_*, restock_line_items, mail_sent)."""
    refund, txns = refunds.create_refund(session, order_id, body, actor)
    return JSONResponse({"refund": render_refund(refund, txns, settings.tz)}, status_code=201)
