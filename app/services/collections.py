"""Custom and smart collection actions: create, update, publish / unpublish (through
`published` or `published_at`), destroy. A PUT that changes the published state records
`published` or `unpublished` only; any other change records `update`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.errors import NotFound
from app.events.base import settings_of
from app.events.collections import (
    collection_created_event,
    collection_destroyed_event,
    collection_published_event,
    collection_unpublished_event,
    collection_updated_event,
)
from app.models.collection import Collection, CollectionKind, collections_table
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
from app.services.validation import INVALID, Form, envelope, given

SORT_ORDERS = (
    "alpha-asc",
    "alpha-desc",
    "best-selling",
    "created",
    "created-desc",
    "manual",
    "price-asc",
    "price-desc",
)
RULE_COLUMNS = (
    "title",
    "type",
    "vendor",
    "tag",
    "variant_price",
    "variant_compare_at_price",
    "variant_weight",
    "variant_inventory",
    "variant_title",
)
RULE_RELATIONS = (
    "equals",
    "not_equals",
    "greater_than",
    "less_than",
    "starts_with",
    "ends_with",
    "contains",
    "not_contains",
)
ENVELOPES = {CollectionKind.CUSTOM: "custom_collection", CollectionKind.SMART: "smart_collection"}


def render_collection(collection: Collection, tz: ZoneInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": collection.id,
        "handle": collection.handle,
        "title": collection.title,
        "updated_at": ts(collection.updated_at, tz),
        "body_html": collection.body_html,
        "published_at": ts(collection.published_at, tz),
        "sort_order": collection.sort_order,
        "template_suffix": collection.template_suffix,
    }
    if collection.kind == CollectionKind.SMART:
        out["disjunctive"] = collection.disjunctive
        out["rules"] = collection.rules
    out["published_scope"] = collection.published_scope
    out["admin_graphql_api_id"] = gid("Collection", collection.id)
    return out


def get_collection(session: Session, kind: CollectionKind, collection_id: str | int) -> Collection:
    collection = get_or_404(session, Collection, collection_id)
    if collection.kind != kind:
        raise NotFound()
    return collection


def list_collections(
    session: Session, kind: CollectionKind, request: PageRequest
) -> ResourcePage[Collection]:
    return list_rows(session, Collection, request, [collections_table.c.kind == kind.value])


def count_collections(session: Session, kind: CollectionKind, params: dict[str, str]) -> int:
    return count_rows(session, Collection, params, [collections_table.c.kind == kind.value])


def _rules(form: Form, *, required: bool) -> Any:
    if "rules" not in form.data:
        if required:
            form.error("rules", "can't be blank")
        return form.missing
    rules = form.data["rules"]
    ok = isinstance(rules, list) and bool(rules)
    for rule in rules if ok else ():
        ok = ok and (
            isinstance(rule, dict)
            and rule.get("column") in RULE_COLUMNS
            and rule.get("relation") in RULE_RELATIONS
            and isinstance(rule.get("condition"), str)
            and bool(rule["condition"].strip())
        )
    if not ok:
        form.error("rules", INVALID)
        return form.missing
    return [
        {"column": r["column"], "relation": r["relation"], "condition": r["condition"]}
        for r in rules
    ]


def _read(
    data: dict[str, Any], tz: ZoneInfo, kind: CollectionKind, *, creating: bool
) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "title": form.text("title", required=creating or form.has("title")),
        "body_html": form.text("body_html", max_length=None),
        "handle": form.text("handle"),
        "sort_order": form.choice("sort_order", SORT_ORDERS),
        "template_suffix": form.text("template_suffix"),
        "published_scope": form.choice("published_scope", ("web", "global")),
        "published": form.boolean("published"),
        "published_at": form.timestamp("published_at"),
    }
    if kind == CollectionKind.SMART:
        values["rules"] = _rules(form, required=creating)
        values["disjunctive"] = form.boolean("disjunctive")
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def _apply(session: Session, collection: Collection, values: dict[str, Any], now: datetime) -> bool:
    before = collection.model_dump()
    assign(collection, values, ("title", "sort_order", "published_scope"))
    assign(collection, values, nullable=("body_html", "template_suffix"))
    if "rules" in values:
        collection.rules = values["rules"]
    if values.get("disjunctive") is not None:
        collection.disjunctive = values["disjunctive"]
    if values.get("handle") or not collection.handle:
        wanted = values.get("handle") or collection.title
        collection.handle = free_handle(session, collections_table, wanted, collection.id)
    apply_publishing(collection, values, now)
    return collection.model_dump() != before


def build_collection(
    session: Session,
    kind: CollectionKind,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> Collection:
    """Validate, add and (when `record`) record `create`; no commit."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz, kind, creating=True)
    values.setdefault("published", True)
    sort_order = "manual" if kind == CollectionKind.CUSTOM else "best-selling"
    collection = Collection(
        kind=kind.value, title="", handle="", sort_order=sort_order, created_at=now, updated_at=now
    )
    _apply(session, collection, values, now)
    session.add(collection)
    session.flush()
    if record:
        collection_created_event(session, collection=collection, author=author)
    return collection


def create_collection(
    session: Session, kind: CollectionKind, body: Any, *, author: str | None = None
) -> Collection:
    collection = build_collection(session, kind, envelope(body, ENVELOPES[kind]), author=author)
    session.commit()
    return collection


def update_collection(
    session: Session, collection: Collection, body: Any, *, author: str | None = None
) -> Collection:
    kind = CollectionKind(collection.kind)
    data = envelope(body, ENVELOPES[kind])
    values = _read(data, settings_of(session).tz, kind, creating=False)
    now = utcnow()
    was_visible = collection.visible
    changed = _apply(session, collection, values, now)
    if changed:
        collection.updated_at = now
    if collection.visible and not was_visible:
        collection_published_event(session, collection=collection, author=author)
    elif was_visible and not collection.visible:
        collection_unpublished_event(session, collection=collection, author=author)
    elif changed:
        collection_updated_event(session, collection=collection, author=author)
    session.commit()
    return collection


def destroy_collection(
    session: Session, collection: Collection, *, author: str | None = None
) -> None:
    collection.updated_at = utcnow()
    collection_destroyed_event(session, collection=collection, author=author)
    session.delete(collection)
    session.commit()
