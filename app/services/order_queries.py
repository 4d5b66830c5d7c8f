"""The order list and count: one set of filters (`OrderQuery.conditions`) for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlmodel import Session, col

from app.errors import invalid_param
from app.models.order import Order
from app.services.order_input import parse_id
from app.services.orders import FINANCIAL_STATUSES
from app.services.resources import PageRequest, ResourcePage, keyset_page
from app.timeparse import parse_timestamp


@dataclass(frozen=True)
class OrderQuery:
    status: str = "open"
    financial_status: str | None = None
    fulfillment_status: str | None = None
    since_id: int | None = None
    ids: tuple[int, ...] | None = None
    created_at_min: datetime | None = None
    created_at_max: datetime | None = None

    @classmethod
    def from_params(cls, params: dict[str, str], tz: ZoneInfo) -> OrderQuery:
        status = params.get("status", "open").strip().lower() or "open"
        if status not in ("open", "closed", "cancelled", "any"):
            raise invalid_param("status")
        financial = params.get("financial_status", "any").strip().lower() or "any"
        if financial not in (*FINANCIAL_STATUSES, "any", "unpaid"):
            raise invalid_param("financial_status")
        fulfillment = params.get("fulfillment_status", "any").strip().lower() or "any"
        if fulfillment not in ("shipped", "partial", "unshipped", "unfulfilled", "any"):
            raise invalid_param("fulfillment_status")
        since = params.get("since_id")
        since_id = parse_id(since.strip()) if since and since.strip() else None
        if since and since.strip() and since_id is None:
            raise invalid_param("since_id")
        ids = None
        if params.get("ids"):
            parsed = [parse_id(p.strip()) for p in params["ids"].split(",") if p.strip()]
            if any(p is None for p in parsed):
                raise invalid_param("ids")
            ids = tuple(p for p in parsed if p is not None)
        times: list[datetime | None] = []
        for name in ("created_at_min", "created_at_max"):
            raw = params.get(name)
            value = parse_timestamp(raw, tz) if raw and raw.strip() else None
            if raw and raw.strip() and value is None:
                raise invalid_param(name)
            times.append(value)
        return cls(
            status,
            None if financial == "any" else financial,
            None if fulfillment == "any" else fulfillment,
            since_id,
            ids,
            times[0],
            times[1],
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.status == "open":
            out.append(col(Order.closed_at).is_(None))
        elif self.status == "closed":
            out.append(col(Order.closed_at).is_not(None))
        elif self.status == "cancelled":
            out.append(col(Order.cancelled_at).is_not(None))
        if self.financial_status == "unpaid":
            out.append(col(Order.financial_status).in_(("pending", "authorized", "partially_paid")))
        elif self.financial_status is not None:
            out.append(col(Order.financial_status) == self.financial_status)
        if self.fulfillment_status == "shipped":
            out.append(col(Order.fulfillment_status) == "fulfilled")
        elif self.fulfillment_status == "partial":
            out.append(col(Order.fulfillment_status) == "partial")
        elif self.fulfillment_status == "unshipped":
            out.append(col(Order.fulfillment_status).is_(None))
        elif self.fulfillment_status == "unfulfilled":
            out.append(col(Order.fulfillment_status).is_not("fulfilled"))
        if self.since_id is not None:
            out.append(col(Order.id) > self.since_id)
        if self.ids is not None:
            out.append(col(Order.id).in_(self.ids))
        if self.created_at_min is not None:
            out.append(col(Order.created_at) >= self.created_at_min)
        if self.created_at_max is not None:
            out.append(col(Order.created_at) <= self.created_at_max)
        return out


def list_orders(session: Session, query: OrderQuery, request: PageRequest) -> ResourcePage[Order]:
    return keyset_page(session, Order, query.conditions(), request)


def count_orders(session: Session, query: OrderQuery) -> int:
    stmt = select(func.count()).select_from(Order).where(and_(True, *query.conditions()))
    return int(session.execute(stmt).scalar_one())
