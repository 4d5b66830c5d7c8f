"""Price rule actions: create, update, destroy (each records its documented verb)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.events.base import settings_of
from app.events.price_rules import (
    price_rule_created_event,
    price_rule_destroyed_event,
    price_rule_updated_event,
)
from app.models.price_rule import PriceRule
from app.services.resources import (
    PageRequest,
    ResourcePage,
    assign,
    count_rows,
    get_or_404,
    gid,
    list_rows,
    ts,
)
from app.services.validation import Form, envelope, given

CHOICES = {
    "value_type": ("fixed_amount", "percentage"),
    "customer_selection": ("all", "prerequisite"),
    "target_type": ("line_item", "shipping_line"),
    "target_selection": ("all", "entitled"),
    "allocation_method": ("each", "across"),
}
_EMPTY_IDS = (
    "entitled_variant_ids",
    "entitled_country_ids",
    "prerequisite_product_ids",
    "prerequisite_variant_ids",
    "prerequisite_collection_ids",
    "customer_segment_prerequisite_ids",
    "prerequisite_customer_ids",
)


def render_price_rule(rule: PriceRule, tz: ZoneInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "value_type": rule.value_type,
        "value": rule.value,
        "customer_selection": rule.customer_selection,
        "target_type": rule.target_type,
        "target_selection": rule.target_selection,
        "allocation_method": rule.allocation_method,
        "allocation_limit": rule.allocation_limit,
        "once_per_customer": rule.once_per_customer,
        "usage_limit": rule.usage_limit,
        "starts_at": ts(rule.starts_at, tz),
        "ends_at": ts(rule.ends_at, tz),
        "created_at": ts(rule.created_at, tz),
        "updated_at": ts(rule.updated_at, tz),
        "entitled_product_ids": rule.entitled_product_ids,
        "entitled_collection_ids": rule.entitled_collection_ids,
    }
    out.update({name: [] for name in _EMPTY_IDS})
    out.update(
        {
            "prerequisite_subtotal_range": None,
            "prerequisite_quantity_range": None,
            "prerequisite_shipping_price_range": None,
            "prerequisite_to_entitlement_quantity_ratio": {
                "prerequisite_quantity": None,
                "entitled_quantity": None,
            },
            "prerequisite_to_entitlement_purchase": {"prerequisite_amount": None},
            "title": rule.title,
            "admin_graphql_api_id": gid("PriceRule", rule.id),
        }
    )
    return out


def get_price_rule(session: Session, rule_id: str | int) -> PriceRule:
    return get_or_404(session, PriceRule, rule_id)


def list_price_rules(session: Session, request: PageRequest) -> ResourcePage[PriceRule]:
    return list_rows(session, PriceRule, request)


def count_price_rules(session: Session, params: dict[str, str]) -> int:
    return count_rows(session, PriceRule, params)


def _money(value: Decimal) -> str:
    """Shopify writes price rule values with at least one decimal: `-10.0`, `-12.55`."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -1:
        return f"{value:.1f}"
    return str(value)


def _read(
    data: dict[str, Any], tz: ZoneInfo, *, current: PriceRule | None = None
) -> dict[str, Any]:
    creating = current is None
    form = Form(data, tz)
    values: dict[str, Any] = {
        "title": form.text("title", required=creating or form.has("title")),
        "starts_at": form.timestamp("starts_at", required=creating or form.has("starts_at")),
        "ends_at": form.timestamp("ends_at"),
        "value": form.decimal("value", required=creating or form.has("value")),
        "once_per_customer": form.boolean("once_per_customer"),
        "usage_limit": form.integer("usage_limit", minimum=1),
        "allocation_limit": form.integer("allocation_limit", minimum=1),
        "entitled_product_ids": form.ids("entitled_product_ids"),
        "entitled_collection_ids": form.ids("entitled_collection_ids"),
    }
    for name, options in CHOICES.items():
        values[name] = form.choice(name, options, required=creating or form.has(name))
    value = values["value"]
    if given(value) and value is not None and value > 0:
        form.error("value", "must be less than or equal to 0")
    value_type = values["value_type"] if given(values["value_type"]) else None
    if creating is False and value_type is None:
        value_type = current.value_type if current is not None else None
    if value_type == "percentage" and given(value) and value is not None and value < -100:
        form.error("value", "must be greater than or equal to -100")
    starts = values["starts_at"] if given(values["starts_at"]) else None
    if starts is None and current is not None:
        starts = current.starts_at
    ends = values["ends_at"]
    if given(ends) and ends is not None and starts is not None and ends < starts:
        form.error("ends_at", "must be after starts_at")
    form.check()
    out = {k: v for k, v in values.items() if given(v)}
    if "value" in out:
        out["value"] = _money(out["value"])
    return out


def _apply(rule: PriceRule, values: dict[str, Any]) -> bool:
    before = rule.model_dump()
    names = ("title", "value", "starts_at", *CHOICES)
    assign(rule, values, names, nullable=("ends_at", "usage_limit", "allocation_limit"))
    for name in ("entitled_product_ids", "entitled_collection_ids"):
        if name in values:
            setattr(rule, name, values[name])
    if values.get("once_per_customer") is not None:
        rule.once_per_customer = values["once_per_customer"]
    return rule.model_dump() != before


def build_price_rule(
    session: Session,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> PriceRule:
    """Validate, add and (when `record`) record `create`; no commit."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz)
    rule = PriceRule(
        title="",
        value_type="",
        value="",
        customer_selection="",
        target_type="",
        target_selection="",
        allocation_method="",
        starts_at=now,
        created_at=now,
        updated_at=now,
    )
    _apply(rule, values)
    session.add(rule)
    session.flush()
    if record:
        price_rule_created_event(session, price_rule=rule, author=author)
    return rule


def create_price_rule(session: Session, body: Any, *, author: str | None = None) -> PriceRule:
    rule = build_price_rule(session, envelope(body, "price_rule"), author=author)
    session.commit()
    return rule


def update_price_rule(
    session: Session, rule: PriceRule, body: Any, *, author: str | None = None
) -> PriceRule:
    values = _read(envelope(body, "price_rule"), settings_of(session).tz, current=rule)
    if _apply(rule, values):
        rule.updated_at = utcnow()
        price_rule_updated_event(session, price_rule=rule, author=author)
    session.commit()
    return rule


def destroy_price_rule(session: Session, rule: PriceRule, *, author: str | None = None) -> None:
    rule.updated_at = utcnow()
    price_rule_destroyed_event(session, price_rule=rule, author=author)
    session.delete(rule)
    session.commit()
