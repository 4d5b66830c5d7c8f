"""Product actions: create, update (publish / unpublish through `published`, `published_at` or
`status`), destroy. Each changes the product, records its events and commits once.

`build_product` is the create action without the envelope and the commit, for callers that
batch many actions in one transaction (the seed loader, the shop generator).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.db import sync_id_sequences
from app.events.base import settings_of
from app.events.products import (
    product_created_event,
    product_destroyed_event,
    product_published_event,
    product_unpublished_event,
)
from app.models.product import Product, products_table
from app.services.resources import (
    PageRequest,
    ResourcePage,
    apply_publishing,
    assign,
    count_rows,
    free_handle,
    get_or_404,
    gid,
    list_rows,
    ts,
)
from app.services.validation import Form, envelope, given
from app.timeparse import parse_timestamp

STATUSES = ("active", "draft", "archived")
PUBLISHED_SCOPES = ("web", "global")


def render_product(product: Product, tz: ZoneInfo) -> dict[str, Any]:
    """Shopify's REST product, in its key order (variants and images are not modelled)."""
    return {
        "id": product.id,
        "title": product.title,
        "body_html": product.body_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "created_at": ts(product.created_at, tz),
        "handle": product.handle,
        "updated_at": ts(product.updated_at, tz),
        "published_at": ts(product.published_at, tz),
        "template_suffix": product.template_suffix,
        "published_scope": product.published_scope,
        "tags": product.tags,
        "status": product.status,
        "admin_graphql_api_id": gid("Product", product.id),
        "variants": [],
        "options": [],
        "images": [],
        "image": None,
    }


def get_product(session: Session, product_id: str | int) -> Product:
    return get_or_404(session, Product, product_id)


def list_products(session: Session, request: PageRequest) -> ResourcePage[Product]:
    return list_rows(session, Product, request)


def count_products(session: Session, params: dict[str, str]) -> int:
    return count_rows(session, Product, params)


def _read(data: dict[str, Any], tz: ZoneInfo, *, creating: bool) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "title": form.text("title", required=creating or form.has("title")),
        "body_html": form.text("body_html", max_length=None),
        "vendor": form.text("vendor"),
        "product_type": form.text("product_type"),
        "handle": form.text("handle"),
        "template_suffix": form.text("template_suffix"),
        "tags": form.tags(),
        "status": form.choice("status", STATUSES),
        "published_scope": form.choice("published_scope", PUBLISHED_SCOPES),
        "published": form.boolean("published"),
        "published_at": form.timestamp("published_at"),
    }
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def _apply(session: Session, product: Product, values: dict[str, Any], now: datetime) -> bool:
    """Write the given attributes onto the product; True when something changed."""
    before = product.model_dump()
    names = ("title", "vendor", "product_type", "tags", "status", "published_scope")
    assign(product, values, names, nullable=("body_html", "template_suffix"))
    if values.get("handle") or not product.handle:
        wanted = values.get("handle") or product.title
        product.handle = free_handle(
            session, products_table, wanted, product.id, fallback="product"
        )
    apply_publishing(product, values, now)
    return product.model_dump() != before


def build_product(
    session: Session,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    product_id: int | None = None,
    record: bool = True,
) -> Product:
    """Validate, add and (when `record`) record `create`; no commit."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz, creating=True)
    values.setdefault("published", True)
    product = Product(id=product_id, title="", handle="", created_at=now, updated_at=now)
    _apply(session, product, values, now)
    session.add(product)
    if product.id is None:
        session.flush()
    if record:
        product_created_event(session, product=product, author=author)
    return product


def create_product(session: Session, body: Any, *, author: str | None = None) -> Product:
    product = build_product(session, envelope(body, "product"), author=author)
    session.commit()
    return product


def update_product(
    session: Session, product: Product, body: Any, *, author: str | None = None
) -> Product:
    """An update records an event only when it publishes or hides the product."""
    values = _read(envelope(body, "product"), settings_of(session).tz, creating=False)
    now = utcnow()
    was_visible = product.visible
    if _apply(session, product, values, now):
        product.updated_at = now
    if product.visible and not was_visible:
        product_published_event(session, product=product, author=author)
    elif was_visible and not product.visible:
        product_unpublished_event(session, product=product, author=author)
    session.commit()
    return product


def destroy_product(session: Session, product: Product, *, author: str | None = None) -> None:
    product.updated_at = utcnow()
    product_destroyed_event(session, product=product, author=author)
    session.delete(product)
    session.commit()


def load_products(session: Session, rows: list[dict[str, Any]], tz: ZoneInfo) -> None:
    """Seed loader: the fixture's products with their ids and times, recording no events.

    The fixture lists the events those products produced; they are imported verbatim.
    """
    for row in rows:
        created = parse_timestamp(str(row.get("created_at") or ""), tz)
        product = build_product(session, row, now=created, product_id=row.get("id"), record=False)
        updated = parse_timestamp(str(row.get("updated_at") or ""), tz)
        product.updated_at = updated or product.created_at
    session.flush()
    sync_id_sequences(session)
