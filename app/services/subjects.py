"""The resources whose events can be listed under `/{resource}/{id}/events.json`.

A subject "exists" for these routes when its resource row exists, or when events for it exist
(a deleted product keeps its history, so its nested route keeps answering). Sandbox resources
register their tables in `RESOURCE_TABLES`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, bindparam, select

from app.models.article import Article
from app.models.blog import Blog
from app.models.collection import Collection
from app.models.comment import Comment
from app.models.event import SubjectType
from app.models.order import Order
from app.models.page import Page
from app.models.price_rule import PriceRule
from app.models.product import Product
from app.services.events import subject_has_events
from app.services.reader import EventReader

NESTED_ROUTES: dict[str, SubjectType] = {
    "orders": SubjectType.ORDER,
    "products": SubjectType.PRODUCT,
    "articles": SubjectType.ARTICLE,
    "blogs": SubjectType.BLOG,
    "custom_collections": SubjectType.COLLECTION,
    "smart_collections": SubjectType.COLLECTION,
    "pages": SubjectType.PAGE,
    "comments": SubjectType.COMMENT,
    "price_rules": SubjectType.PRICE_RULE,
}

# route segment -> SQLModel table class holding that resource
RESOURCE_TABLES: dict[str, Any] = {
    "products": Product,
    "articles": Article,
    "blogs": Blog,
    "custom_collections": Collection,
    "smart_collections": Collection,
    "pages": Page,
    "comments": Comment,
    "price_rules": PriceRule,
    "orders": Order,
}


def subject_exists(reader: EventReader, resource: str, subject_id: int) -> bool:
    table = RESOURCE_TABLES.get(resource)
    if table is not None:
        values = {"subject_id": subject_id}

        def build() -> Select[Any]:
            return select(table.id).where(table.id == bindparam("subject_id", subject_id))

        if reader.fetch(("subject", resource), build, values):
            return True
    return subject_has_events(reader, NESTED_ROUTES[resource].value, subject_id)
