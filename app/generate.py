"""`shopify-events-mock generate`: a large, realistic, reproducible shop, through the recorders.

A seeded random walk over a timeline. At each step the shop either starts a new subject (a
product, collection, blog, article, comment, page, price rule or order) or takes the next action
of one in progress. Every action changes its resource the way its REST service does (sharing
the services' pure rules: `financial_status`, `fulfillment_status`, `fulfillable`, the test
gateway's recorder table) and records its events through the very recorders the services call
(`app/events/*`). The recorders run in batch mode (`EVENT_SINK`): their Events go to a list
instead of the ORM's unit of work, so a million of them cost seconds, not minutes.

Resources are written with their final state when their lifecycle ends (destroyed ones are
not: their events remain, as after a REST destroy). Blogs, articles and comments are written
last, parents first. Timestamps are spread evenly over the period and ids follow them, so id
order is time order, as in Shopify. The same arguments give the same shop.

A writer stores each batch in one transaction while the next batch is made: on SQLite a child
process (app/sqlite_bulk.py, which also counts the events and makes their stored renderings),
on PostgreSQL a thread sending one INSERT per table whose rows arrive as one JSON array
(`json_populate_recordset`).
"""

from __future__ import annotations

import gc
import queue
import random
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

import orjson
from pydantic_core import PydanticUndefined
from sqlalchemy import JSON, DateTime, Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import InstrumentedAttribute, configure_mappers
from sqlmodel import Session, SQLModel

from app.bulk_render import stored_renderer
from app.config import Settings, get_settings
from app.db import highest_id, reserve_ids, sync_id_sequences
from app.events import articles as article_events
from app.events import blogs as blog_events
from app.events import collections as collection_events
from app.events import comments as comment_events
from app.events import orders as order_events
from app.events import pages as page_events
from app.events import price_rules as price_rule_events
from app.events import products as product_events
from app.events.base import EVENT_SINK
from app.events.orders import OrderEmail
from app.models.article import Article
from app.models.blog import Blog
from app.models.collection import Collection
from app.models.comment import Comment
from app.models.event import Event, events_table
from app.models.event_count import (
    LEVEL_SIZES,
    SQLITE_COUNTS_UPSERT,
    rebuild_event_counts,
    resume_event_counts,
    suspend_event_counts,
)
from app.models.order import Fulfillment, LineItem, Order, Refund, Transaction
from app.models.page import Page
from app.models.price_rule import PriceRule
from app.models.product import Product
from app.money import ZERO, amount_str
from app.services.fulfillments import notification
from app.services.order_common import (
    financial_status,
    fulfillable,
    fulfillment_status,
)
from app.services.rendered import rendering_zone
from app.services.transactions import (
    RECORDERS,
    TransactionRequest,
    payment_receipt,
    plan_transaction,
)
from app.sqlite_bulk import (
    WRITER_MADE,
    ChildWriter,
    Insert,
    counting,
    numbering,
    positional,
    store_batch,
)

BATCH = 20_000
# The batches at either end are cut short: the writer waits, idle, while the first is made
# (~0.5 s for a full one on this VM), and the run waits while it stores the last.
END_BATCH = 2_000
# The most events one action records (a refund: refund_success, restock_line_items, mail_sent;
# an order placed with a transaction: placed, the transaction's, confirmed, mail_sent).
MAX_EVENTS_PER_ACTION = 4

M = TypeVar("M", bound=SQLModel)

_FIRST = ("Bob", "Alice", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jo")
_LAST = ("Norman", "Smith", "Wei", "Okafor", "Schmidt", "Silva", "Tanaka", "Novak", "Diaz")
_NOUNS = ("IPod Nano", "IPod Touch", "Hoodie", "Mug", "Sticker", "Poster", "Cap", "Tote Bag")
_ADJ = ("Classic", "Organic", "Limited", "Vintage", "Deluxe", "Mini", "Pro", "Everyday")
_BLOGS = ("News", "Stories", "Lookbook", "Behind the scenes", "Recipes")
_PAGES = ("About us", "Shipping", "Returns", "FAQ", "Contact", "Size guide", "Careers")
_PRAISE = ("Love the", "Great post about the", "Where can I buy the", "Thanks for the")

# How often each kind of subject is started (orders dominate a real shop's events).
_START_WEIGHTS = {
    "Order": 59,
    "Product": 14,
    "Collection": 3,
    "Blog": 2,
    "Article": 6,
    "Comment": 8,
    "Page": 2,
    "PriceRule": 4,
}

# The first id of each table in a new shop (Shopify-like magnitudes); ids then grow by 1-7.
_ID_BASE: dict[str, int] = {
    "orders": 450_000_000,
    "order_line_items": 466_000_000,
    "order_transactions": 389_000_000,
    "order_fulfillments": 255_000_000,
    "order_refunds": 509_000_000,
    "products": 632_000_000,
    "collections": 482_000_000,
    "blogs": 241_000_000,
    "articles": 134_000_000,
    "comments": 118_000_000,
    "pages": 131_000_000,
    "price_rules": 507_000_000,
}
# Written at the very end, parents first (an article's blog, a comment's article).
_LAST_TABLES = ("blogs", "articles", "comments")


@dataclass(frozen=True)
class Plan:
    """`events` spread evenly over the `days` before `end`, in whole seconds (Shopify's
    precision; the SQLite writer relies on it)."""

    events: int
    seed: int = 0
    end: datetime = datetime(2026, 1, 1)
    days: int = 365


@dataclass
class Batch:
    events: list[Event]
    rows: dict[str, list[SQLModel]]


@dataclass(eq=False)
class Life:
    """A subject in progress: its lifecycle (one action per step) and the rows it owns."""

    steps: Iterator[None]
    rows: list[SQLModel] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


_DEFAULTS: dict[type[SQLModel], tuple[dict[str, Any], dict[str, Callable[[], Any]]]] = {}
_PLAIN: dict[type[SQLModel], type[SQLModel]] = {}


def _plain(model: type[M]) -> type[M]:
    """`model` with its mapped attributes as plain class attributes, for batch instances.

    They have no ORM state, so SQLAlchemy's descriptors only ever looked in their __dict__,
    at ~0.25 µs a read: ~10% of the walk's time. Shadowed in a subclass, each read is a plain
    attribute lookup. The subclass is not a table model (SQLModel maps no such class, and
    SQLAlchemy never sees one); it has the model's name, and isinstance holds."""
    plain = _PLAIN.get(model)
    if plain is None:
        namespace = {
            "__module__": model.__module__,
            "__qualname__": model.__qualname__,
            "model_config": {**model.model_config, "table": False},
        }
        metaclass: Any = type(model)
        plain = _PLAIN[model] = metaclass(model.__name__, (model,), namespace)
        for name in dir(model):
            if isinstance(getattr(model, name, None), InstrumentedAttribute):
                setattr(plain, name, None)  # an attribute never set reads None
    return cast(type[M], plain)


def _new(model: type[M], **values: Any) -> M:
    """A model instance with its defaults, without validation or ORM state (batch mode's
    resources: ~2 µs instead of ~30 µs), of its `_plain` class. Its attributes read as
    usual; change it with `_set`."""
    if model not in _DEFAULTS:
        fixed: dict[str, Any] = {}
        factories: dict[str, Callable[[], Any]] = {}
        for name, info in model.model_fields.items():
            if info.default_factory is not None:
                factories[name] = cast(Callable[[], Any], info.default_factory)
            elif info.default is not PydanticUndefined:
                fixed[name] = info.default
        _DEFAULTS[model] = (fixed, factories)
    fixed, factories = _DEFAULTS[model]
    obj = object.__new__(_plain(model))
    state = obj.__dict__
    state.update(fixed)
    for name, factory in factories.items():
        state[name] = factory()
    state.update(values)
    return obj


def _set(obj: SQLModel, **values: Any) -> None:
    """Change a batch resource (it has no ORM state to keep: it is only read back)."""
    obj.__dict__.update(values)


class ShopGenerator:
    """Runs the walk; `batches()` yields the recorded events and the finished resources."""

    def __init__(
        self,
        plan: Plan,
        settings: Settings | None = None,
        first_ids: dict[str, int] | None = None,
        first_order_number: int = 1001,
    ) -> None:
        configure_mappers()
        self.plan = plan
        self.settings = settings or get_settings()
        self.currency = self.settings.shop_currency
        self.rng = random.Random(plan.seed)
        self.sink: list[Event] = []
        self.session = Session(info={"settings": self.settings, EVENT_SINK: self.sink})
        self.next_id = {t: max(b, (first_ids or {}).get(t, 0) + 1) for t, b in _ID_BASE.items()}
        self.order_number = first_order_number
        self.pool: list[Life] = []
        self.life: Life | None = None
        self.finished: dict[str, list[SQLModel]] = {}
        self.deferred: dict[str, list[SQLModel]] = {t: [] for t in _LAST_TABLES}
        self.blogs: list[Blog] = []  # blogs that are never destroyed (articles go there)
        self.articles: list[Article] = []  # articles that are never destroyed (comments)
        self.product_ids: list[int] = []
        self.counters = dict.fromkeys(_START_WEIGHTS, 0)
        self.now = plan.end
        self._kinds = list(_START_WEIGHTS)
        self._kind_weights = list(_START_WEIGHTS.values())
        self._lives: dict[str, Callable[[], Iterator[None]]] = {
            "Order": self._order_life,
            "Product": self._product_life,
            "Collection": self._collection_life,
            "Blog": self._blog_life,
            "Article": self._article_life,
            "Comment": self._comment_life,
            "Page": self._page_life,
            "PriceRule": self._price_rule_life,
        }

    # ---- the walk -------------------------------------------------------------------------

    def batches(self, size: int = BATCH, short: int = END_BATCH) -> Iterator[Batch]:
        """The walk's batches, of about `size` events (an action's events stay in one batch)
        but `short` for the first and for the last `size` events; the very last also holds
        the resources still in progress and the deferred tables."""
        plan = self.plan
        start = (plan.end - timedelta(days=plan.days)).replace(microsecond=0)
        span = plan.days * 86_400
        n = plan.events
        rng = self.rng
        done = 0  # events in earlier batches
        while True:
            produced = done + len(self.sink)
            if produced >= n:
                break
            self.now = start + timedelta(0, span * produced // max(n, 1))  # (days, seconds)
            pool = self.pool
            if n - produced < MAX_EVENTS_PER_ACTION:
                self._step(self._begin("Product"))  # one event: the count comes out exact
            elif not pool or (len(pool) < 400 and rng.random() < 0.3):
                self._step(self._begin(self._pick_kind()))
            else:
                self._step(pool[rng.randrange(len(pool))])
            if len(self.sink) >= (size if done and n - done > size else short):
                done += len(self.sink)
                yield self._cut()
        for life in self.pool:
            self._finish(life)
        self.pool.clear()
        batch = self._cut()
        for table in _LAST_TABLES:
            batch.rows.setdefault(table, []).extend(self.deferred[table])
        if done + len(batch.events) != n:  # pragma: no cover - guarded by MAX_EVENTS_PER_ACTION
            raise AssertionError(f"generated {done + len(batch.events)} events, planned {n}")
        yield batch

    def _cut(self) -> Batch:
        batch = Batch(self.sink, self.finished)
        self.sink = []
        self.session.info[EVENT_SINK] = self.sink
        self.finished = {}
        return batch

    def _pick_kind(self) -> str:
        kind = self.rng.choices(self._kinds, self._kind_weights)[0]
        if kind == "Comment" and not self.articles:
            kind = "Article"
        if kind == "Article" and not self.blogs:
            kind = "Blog"
        return kind

    def _begin(self, kind: str) -> Life:
        self.counters[kind] += 1
        life = Life(self._lives[kind]())
        self.pool.append(life)
        return life

    def _step(self, life: Life) -> None:
        """One action of `life` (current while it runs, so it owns what it creates)."""
        self.life = life
        if next(life.steps, StopIteration) is StopIteration:
            self.pool.remove(life)
            self._finish(life)

    def _finish(self, life: Life) -> None:
        for row in life.rows:
            table = str(row.__tablename__)
            target = self.deferred if table in self.deferred else self.finished
            target.setdefault(table, []).append(row)

    def _own(self, obj: M) -> M:
        assert self.life is not None
        self.life.rows.append(obj)
        return obj

    def _drop(self, obj: SQLModel) -> None:
        assert self.life is not None
        rows = self.life.rows
        del rows[next(i for i, row in enumerate(rows) if row is obj)]

    def _id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1 + self.rng.randrange(7)
        return value

    def _name(self) -> tuple[str, str]:
        return self.rng.choice(_FIRST), self.rng.choice(_LAST)

    # ---- catalog --------------------------------------------------------------------------

    def _touch(self, obj: Any) -> None:
        _set(obj, updated_at=self.now)

    def _product_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["Product"]
        path = rng.choices(("publish", "toggle", "retire"), (6, 2, 1))[0]
        title = f"{rng.choice(_ADJ)} {rng.choice(_NOUNS)} {number}"
        product = self._own(
            _new(
                Product,
                id=self._id("products"),
                title=title,
                handle=_slug(title),
                vendor="Sandbox",
                product_type=rng.choice(_NOUNS).split(" ")[-1],
                body_html=f"<p>{title}</p>",
                published_at=None if path == "publish" else self.now,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        self.product_ids.append(product.id or 0)
        product_events.product_created_event(self.session, product=product)
        # publish: created hidden, then published; toggle: hidden and shown again;
        # retire: hidden, then destroyed.
        changes = {"publish": (True,), "toggle": (False, True), "retire": (False,)}[path]
        for visible in changes:
            yield
            self._touch(product)
            _set(product, published_at=self.now if visible else None)
            if visible:
                product_events.product_published_event(self.session, product=product)
            else:
                product_events.product_unpublished_event(self.session, product=product)
        if path == "retire":
            yield
            self._touch(product)
            product_events.product_destroyed_event(self.session, product=product)
            self._drop(product)

    def _collection_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["Collection"]
        retire = rng.random() < 0.25
        title = f"{rng.choice(_ADJ)} collection {number}"
        collection = self._own(
            _new(
                Collection,
                id=self._id("collections"),
                kind="custom",
                title=title,
                handle=_slug(title),
                published_at=self.now if retire else None,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        session = self.session
        collection_events.collection_created_event(session, collection=collection)
        yield
        self._touch(collection)
        if retire:
            _set(collection, published_at=None)
            collection_events.collection_unpublished_event(session, collection=collection)
            yield
            self._touch(collection)
            collection_events.collection_destroyed_event(session, collection=collection)
            self._drop(collection)
            return
        _set(collection, published_at=self.now)
        collection_events.collection_published_event(session, collection=collection)
        yield
        self._touch(collection)
        _set(collection, sort_order="created-desc")
        collection_events.collection_updated_event(session, collection=collection)

    def _blog_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["Blog"]
        retire = bool(self.blogs) and rng.random() < 0.25  # the first blog stays
        title = f"{rng.choice(_BLOGS)} {number}"
        blog = self._own(
            _new(
                Blog,
                id=self._id("blogs"),
                title=title,
                handle=_slug(title),
                created_at=self.now,
                updated_at=self.now,
            )
        )
        if not retire:
            self.blogs.append(blog)
        blog_events.blog_created_event(self.session, blog=blog)
        yield
        self._touch(blog)
        _set(blog, commentable="moderate")
        blog_events.blog_updated_event(self.session, blog=blog)
        if retire:
            yield
            self._touch(blog)
            blog_events.blog_destroyed_event(self.session, blog=blog)
            self._drop(blog)

    def _article_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["Article"]
        retire = rng.random() < 0.2
        blog = rng.choice(self.blogs)
        title = f"{rng.choice(_ADJ)} {rng.choice(_NOUNS).lower()} story {number}"
        first, last = self._name()
        article = self._own(
            _new(
                Article,
                id=self._id("articles"),
                blog_id=blog.id,
                title=title,
                author=f"{first} {last}",
                body_html=f"<p>All about the {title}.</p>",
                handle=_slug(title),
                published_at=self.now if retire else None,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        if not retire:
            self.articles.append(article)
            if len(self.articles) > 500:
                self.articles.pop(0)
        session = self.session
        article_events.article_created_event(session, article=article)
        yield
        self._touch(article)
        if retire:
            _set(article, published_at=None)
            article_events.article_unpublished_event(session, article=article)
        else:
            _set(article, published_at=self.now)
            article_events.article_published_event(session, article=article)
        yield
        self._touch(article)
        _set(article, tags="featured")
        article_events.article_updated_event(session, article=article)
        if retire:
            yield
            self._touch(article)
            article_events.article_destroyed_event(session, article=article)
            self._drop(article)

    def _comment_life(self) -> Iterator[None]:
        rng = self.rng
        article = rng.choice(self.articles)
        first, last = self._name()
        noun = article.title.split(" ")[1]
        comment = self._own(
            _new(
                Comment,
                id=self._id("comments"),
                article_id=article.id,
                blog_id=article.blog_id,
                body=f"{rng.choice(_PRAISE)} {noun}! Is it available in other colours?",
                author=f"{first} {last}",
                email=f"{first}.{last}@example.com".lower(),
                created_at=self.now,
                updated_at=self.now,
            )
        )
        comment_events.comment_created_event(self.session, comment=comment, article=article)
        yield

    def _page_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["Page"]
        retire = rng.random() < 0.25
        title = f"{rng.choice(_PAGES)} {number}"
        page = self._own(
            _new(
                Page,
                id=self._id("pages"),
                title=title,
                handle=_slug(title),
                body_html=f"<p>{title}</p>",
                published_at=self.now if retire else None,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        session = self.session
        page_events.page_created_event(session, page=page)
        yield
        self._touch(page)
        if retire:
            _set(page, body_html=f"<p>{title}, revised</p>")
            page_events.page_updated_event(session, page=page)
            yield
            self._touch(page)
            _set(page, published_at=None)
            page_events.page_unpublished_event(session, page=page)
            yield
            self._touch(page)
            page_events.page_destroyed_event(session, page=page)
            self._drop(page)
            return
        _set(page, published_at=self.now)
        page_events.page_published_event(session, page=page)
        yield
        self._touch(page)
        _set(page, body_html=f"<p>{title}, revised</p>")
        page_events.page_updated_event(session, page=page)

    def _price_rule_life(self) -> Iterator[None]:
        rng, number = self.rng, self.counters["PriceRule"]
        retire = rng.random() < 0.33
        percent = rng.randrange(5, 60)
        rule = self._own(
            _new(
                PriceRule,
                id=self._id("price_rules"),
                title=f"SAVE{percent}-{number}",
                value_type="percentage",
                value=f"-{percent}.0",
                customer_selection="all",
                target_type="line_item",
                target_selection="all",
                allocation_method="across",
                starts_at=self.now,
                created_at=self.now,
                updated_at=self.now,
            )
        )
        session = self.session
        price_rule_events.price_rule_created_event(session, price_rule=rule)
        yield
        self._touch(rule)
        _set(rule, usage_limit=rng.randrange(10, 500))
        price_rule_events.price_rule_updated_event(session, price_rule=rule)
        if retire:
            yield
            self._touch(rule)
            price_rule_events.price_rule_destroyed_event(session, price_rule=rule)
            self._drop(rule)

    # ---- orders ---------------------------------------------------------------------------

    def _order_life(self) -> Iterator[None]:
        path = self.rng.choices(_ORDER_PATHS, [w for w, _ in _ORDER_PATH_WEIGHTS])[0]
        yield from path(OrderRun(self))


class OrderRun:
    """One order and the actions on it, each as its REST service does it (same recorders,
    same pure status rules), at the generator's current time."""

    def __init__(self, gen: ShopGenerator) -> None:
        self.gen = gen
        self.session = gen.session
        self.order: Order
        self.lines: list[LineItem] = []
        self.txns: list[Transaction] = []
        self.fulfillments: list[Fulfillment] = []
        self.refunds: list[Refund] = []

    # placed, the transactions given, confirmed, the order confirmation (services.orders)
    def place(
        self, *, receipt: bool = True, digital: bool = False, txn: tuple[str, str] | None = None
    ) -> None:
        gen, rng = self.gen, self.gen.rng
        first, last = gen._name()
        number = gen.order_number
        gen.order_number += 1
        lines = []
        for position in range(1, rng.randrange(2, 5)):
            product_id = rng.choice(gen.product_ids) if gen.product_ids else None
            noun = rng.choice(_NOUNS)
            price = Decimal(rng.randrange(500, 20_000)) / 100
            lines.append((position, noun, price, rng.randrange(1, 4), product_id))
        subtotal = sum((price * qty for _, _, price, qty, _ in lines), ZERO)
        now = gen.now
        order = gen._own(
            _new(
                Order,
                id=gen._id("orders"),
                name=f"#{number}",
                order_number=number,
                email=f"{first}.{last}{number}@example.com".lower(),
                first_name=first,
                last_name=last,
                currency=gen.currency,
                subtotal_price=amount_str(subtotal),
                total_price=amount_str(subtotal),
                financial_status="pending",
                send_receipt=receipt,
                created_at=now,
                updated_at=now,
                processed_at=now,
            )
        )
        self.order = order
        for position, noun, price, quantity, product_id in lines:
            self.lines.append(
                gen._own(
                    _new(
                        LineItem,
                        id=gen._id("order_line_items"),
                        order_id=order.id,
                        position=position,
                        title=f"{'E-book: ' if digital else ''}{noun}",
                        price=amount_str(price),
                        quantity=quantity,
                        product_id=product_id,
                        requires_shipping=not digital,
                    )
                )
            )
        order_events.order_placed_event(self.session, order=order)
        if txn is not None:
            self.transaction(*txn)
        order_events.order_confirmed_event(self.session, order=order)
        if receipt and order.email:
            order_events.order_mail_sent_event(
                self.session, order=order, email_type=OrderEmail.ORDER_CONFIRMATION
            )

    # services.transactions.add_transaction with the test gateway's explicit status
    def transaction(
        self, kind: str, status: str, refund_id: int | None = None, receipt: bool = False
    ) -> Transaction:
        order, rows = self.order, self.txns
        amount, parent = plan_transaction(order, rows, TransactionRequest(kind=kind))
        now = self.gen.now
        txn = self.gen._own(
            _new(
                Transaction,
                id=self.gen._id("order_transactions"),
                order_id=order.id,
                refund_id=refund_id,
                parent_id=parent.id if parent is not None else None,
                kind=kind,
                status=status,
                amount=amount_str(amount),
                currency=order.currency,
                gateway="bogus",
                error_code="card_declined" if status == "failure" else None,
                test=True,
                created_at=now,
                processed_at=now,
            )
        )
        rows.append(txn)
        RECORDERS[(kind, status)](self.session, order=order, transaction=txn)
        if payment_receipt(order, txn, asked=receipt):
            order_events.order_mail_sent_event(
                self.session, order=order, email_type=OrderEmail.PAYMENT_CONFIRMATION, at=now
            )
        _set(order, financial_status=financial_status(order, rows), updated_at=now)
        return txn

    # services.fulfillments.create_fulfillment: every fulfillable unit
    def fulfil(self, *, service: str = "manual", notify: bool = True) -> Fulfillment:
        order, now = self.order, self.gen.now
        left = fulfillable(self.lines, self.fulfillments, self.refunds)
        pending = service != "manual"
        fulfillment = self.gen._own(
            _new(
                Fulfillment,
                id=self.gen._id("order_fulfillments"),
                order_id=order.id,
                name=f"{order.name}.{len(self.fulfillments) + 1}",
                status="pending" if pending else "success",
                service=service,
                line_items=[{"id": i, "quantity": q} for i, q in left.items() if q],
                notify_customer=notify,
                created_at=now,
                updated_at=now,
            )
        )
        self.fulfillments.append(fulfillment)
        self._refresh_fulfillment_status()
        _set(order, updated_at=now)
        if pending:
            order_events.order_fulfillment_pending_event(
                self.session, order=order, fulfillment=fulfillment
            )
        else:
            order_events.order_fulfillment_succeeded_event(
                self.session, order=order, fulfillment=fulfillment
            )
            self._notify(fulfillment)
        return fulfillment

    # services.fulfillments.complete_fulfillment
    def complete(self, fulfillment: Fulfillment) -> None:
        _set(fulfillment, status="success", updated_at=self.gen.now)
        _set(self.order, updated_at=self.gen.now)
        self._refresh_fulfillment_status()
        order_events.order_fulfillment_succeeded_event(
            self.session, order=self.order, fulfillment=fulfillment
        )
        self._notify(fulfillment)

    # services.fulfillments.cancel_fulfillment
    def cancel_fulfillment(self, fulfillment: Fulfillment) -> None:
        _set(fulfillment, status="cancelled", updated_at=self.gen.now)
        _set(self.order, updated_at=self.gen.now)
        self._refresh_fulfillment_status()
        order_events.order_fulfillment_cancelled_event(
            self.session, order=self.order, fulfillment=fulfillment
        )

    # services.fulfillments.update_tracking with notify_customer
    def track(self, fulfillment: Fulfillment) -> None:
        _set(
            fulfillment,
            tracking_company="UPS",
            tracking_number=f"1Z{self.gen.rng.randrange(10**9, 10**10)}",
            updated_at=self.gen.now,
        )
        _set(self.order, updated_at=self.gen.now)
        order_events.order_mail_sent_event(
            self.session,
            order=self.order,
            email_type=OrderEmail.TRACKING_UPDATED,
            at=fulfillment.updated_at,
        )

    def _notify(self, fulfillment: Fulfillment) -> None:
        email = notification(self.order, fulfillment, self.lines)
        if email is not None:
            order_events.order_mail_sent_event(
                self.session, order=self.order, email_type=email, at=fulfillment.updated_at
            )

    def _refresh_fulfillment_status(self) -> None:
        status = fulfillment_status(self.lines, self.fulfillments, self.refunds)
        _set(self.order, fulfillment_status=status)

    # services.orders.update_order (a note)
    def update(self) -> None:
        _set(self.order, note="Gift wrap, please.", updated_at=self.gen.now)
        order_events.order_updated_event(self.session, order=self.order)

    # services.orders.close_order / open_order
    def close(self) -> None:
        _set(self.order, closed_at=self.gen.now, updated_at=self.gen.now)
        order_events.order_closed_event(self.session, order=self.order)

    def reopen(self) -> None:
        _set(self.order, closed_at=None, updated_at=self.gen.now)
        order_events.order_re_opened_event(self.session, order=self.order)

    # services.orders.cancel_order
    def cancel(self, *, restock: bool, notify: bool, reason: str = "customer") -> None:
        order, now = self.order, self.gen.now
        restocked = sum(fulfillable(self.lines, self.fulfillments, self.refunds).values())
        _set(
            order,
            cancelled_at=now,
            updated_at=now,
            closed_at=order.closed_at or now,
            cancel_reason=reason,
        )
        order_events.order_cancelled_event(self.session, order=order)
        if restock and restocked:
            order_events.order_restocked_line_items_event(
                self.session, order=order, quantity=restocked, at=now
            )
        if notify and order.email:
            order_events.order_mail_sent_event(
                self.session, order=order, email_type=OrderEmail.ORDER_CANCEL, at=now
            )

    # services.refunds.create_refund: every line back to stock ("return") and/or a transaction
    def refund(self, *, items: bool, status: str, notify: bool) -> None:
        order, now = self.order, self.gen.now
        lines: list[dict[str, Any]] = [
            {"line_item_id": i.id, "quantity": i.quantity, "restock_type": "return"}
            for i in (self.lines if items else [])
        ]
        refund = self.gen._own(
            _new(
                Refund,
                id=self.gen._id("order_refunds"),
                order_id=order.id,
                note="Returned by the customer" if items else None,
                restock=bool(lines),
                refund_line_items=lines,
                created_at=now,
                processed_at=now,
            )
        )
        self.refunds.append(refund)
        self.transaction("refund", status, refund_id=refund.id)
        _set(order, updated_at=now)
        self._refresh_fulfillment_status()
        restocked = sum(int(x["quantity"]) for x in lines)
        if restocked:
            order_events.order_restocked_line_items_event(
                self.session, order=order, quantity=restocked, at=now
            )
        if notify and order.email:
            order_events.order_mail_sent_event(
                self.session, order=order, email_type=OrderEmail.ORDER_REFUND, at=now
            )


# ---- order lifecycles: one action per step -----------------------------------------------


def _shipped_by_a_third_party(o: OrderRun) -> Iterator[None]:
    o.place()
    yield
    o.transaction("authorization", "success")
    yield
    o.transaction("capture", "success")
    yield
    fulfillment = o.fulfil(service="shipwire")
    yield
    o.complete(fulfillment)
    yield
    o.close()
    yield


def _paid_and_shipped(o: OrderRun) -> Iterator[None]:
    o.place()
    yield
    o.transaction("sale", "success")
    yield
    o.fulfil()
    yield
    o.close()
    yield


def _cancelled_before_payment(o: OrderRun) -> Iterator[None]:
    o.place()
    yield
    o.transaction("authorization", "success")
    yield
    o.cancel(restock=True, notify=True)
    yield
    o.transaction("void", "success")
    yield


def _returned(o: OrderRun) -> Iterator[None]:
    o.place()
    yield
    o.transaction("sale", "success")
    yield
    o.fulfil()
    yield
    o.refund(items=False, status="pending", notify=False)
    yield
    o.refund(items=True, status="success", notify=True)
    yield
    o.close()
    yield


def _slow_payment(o: OrderRun) -> Iterator[None]:
    o.place(receipt=False, txn=("sale", "pending"))
    yield
    o.transaction("sale", "success", receipt=True)
    yield
    o.update()
    yield
    o.fulfil(notify=False)
    yield
    o.close()
    yield
    o.reopen()
    yield


def _declined(o: OrderRun) -> Iterator[None]:
    o.place(receipt=False)
    yield
    o.transaction("authorization", "pending")
    yield
    o.transaction("authorization", "failure")
    yield
    o.transaction("sale", "failure")
    yield
    o.cancel(restock=False, notify=False, reason="declined")
    yield


def _troubled(o: OrderRun) -> Iterator[None]:
    o.place()
    yield
    o.transaction("authorization", "success")
    yield
    o.transaction("capture", "pending")
    yield
    o.transaction("capture", "failure")
    yield
    o.transaction("void", "pending")
    yield
    o.transaction("void", "failure")
    yield
    o.transaction("capture", "success")
    yield
    fulfillment = o.fulfil(service="shipwire")
    yield
    o.cancel_fulfillment(fulfillment)
    yield
    o.refund(items=False, status="failure", notify=False)
    yield


def _digital(o: OrderRun) -> Iterator[None]:
    o.place(digital=True)
    yield
    o.transaction("sale", "success")
    yield
    o.update()
    yield
    fulfillment = o.fulfil()
    yield
    o.track(fulfillment)
    yield
    o.close()
    yield


_ORDER_PATH_WEIGHTS: tuple[tuple[int, Callable[[OrderRun], Iterator[None]]], ...] = (
    (40, _shipped_by_a_third_party),
    (25, _paid_and_shipped),
    (8, _cancelled_before_payment),
    (8, _returned),
    (5, _slow_payment),
    (4, _declined),
    (4, _troubled),
    (6, _digital),
)
_ORDER_PATHS = [p for _, p in _ORDER_PATH_WEIGHTS]


# ---- storing ------------------------------------------------------------------------------


def _first_ids(engine: Engine) -> tuple[dict[str, int], int]:
    """The highest id each table has handed out (`highest_id`: a deleted row's id is not
    given again), and the next order number."""
    tables = SQLModel.metadata.tables
    with engine.connect() as conn:
        tops = {t: highest_id(conn, tables[t]) for t in _ID_BASE}
        number = conn.execute(select(func.max(tables["orders"].c.order_number))).scalar()
    return {t: int(v) for t, v in tops.items()}, int(number or 1000) + 1


class _Writer:
    """Stores a batch in one transaction, each table's rows as their instances' own attribute
    dicts: on SQLite in a child process (app/sqlite_bulk.py), on PostgreSQL as one JSON array
    per table that `json_populate_recordset` unpacks and types in one INSERT (psycopg's COPY
    `write_row` held the GIL for every row and stalled the thread making the next batch).
    """

    def __init__(
        self, engine: Engine, ids: Iterator[int], zone: ZoneInfo | None, first_id: int
    ) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        # The stored renderings: made here for PostgreSQL; on SQLite by store_batch, in the
        # writer process (`Insert.render_zone`).
        self.zone = zone
        self.render = stored_renderer(zone) if zone is not None and self.postgres else None
        self.quote = engine.dialect.identifier_preparer.quote  # `authorization` is reserved
        self.ids = ids
        # SQLite: the writer counts each batch's events itself (app/models/event_count.py).
        self.counting = False
        self.tables = SQLModel.metadata.sorted_tables  # parents first
        self._inserts: dict[str, str] = {}
        # Each table's columns in the order the child binds them (`Insert.keys`), and the
        # parent's rows made in that same order.
        self._keys = {t.name: tuple(c.key for c in t.columns) for t in self.tables}
        self._values = {name: positional(keys) for name, keys in self._keys.items()}
        # SQLite: the writer numbers the events (from `first_id`, the first reserved id) and
        # makes their renderings; they come last in its keys, and this side sends the rest.
        self.first_id = first_id
        if not self.postgres:
            keys = self._keys[events_table.name]
            sent = tuple(k for k in keys if k not in WRITER_MADE)
            self._keys[events_table.name] = (*sent, *WRITER_MADE)
            self._values[events_table.name] = positional(sent)

    def event_rows(self, events: list[Event]) -> list[dict[str, Any]]:
        """Rows with their ids and, where the shop has a rendering zone, their stored
        renderings; on SQLite the writer adds both (`Insert.first_id`)."""
        if not self.postgres:
            return [event.__dict__ for event in events]
        ids = self.ids
        render = self.render
        out = []
        for event in events:
            row = event.__dict__
            row["id"] = next(ids)
            if render is None:
                row["rendered"] = row["rendered_created_at"] = None
            else:
                row["rendered"], row["rendered_created_at"] = render(row)
            out.append(row)
        return out

    def resource_rows(self, rows: dict[str, list[SQLModel]]) -> list[tuple[Table, list[Any]]]:
        return [
            (table, [obj.__dict__ for obj in rows[table.name]])
            for table in self.tables
            if rows.get(table.name)
        ]

    def sqlite_payload(
        self, events: list[dict[str, Any]], rows: list[tuple[Table, list[Any]]]
    ) -> bytes:
        """The batch as app/sqlite_bulk.py reads it: positional rows (whole seconds:
        OPT_OMIT_MICROSECONDS; the walk's times have none)."""
        batch = [
            (events_table.name, self._values[events_table.name](events)),
            *((t.name, self._values[t.name](values)) for t, values in rows),
        ]
        return orjson.dumps(batch, option=orjson.OPT_OMIT_MICROSECONDS)

    def sqlite_inserts(self) -> list[Insert]:
        """Each table's INSERT, one `?` per column in `keys` order, every value typed as
        SQLAlchemy stores it; the events' then counts them, when `self.counting`."""
        out = []
        for table in self.tables:
            keys = self._keys[table.name]
            bound = [table.c[key] for key in keys]
            columns = ", ".join(self.quote(c.name) for c in bound)
            values = ", ".join(self._bound(c) for c in bound)
            json_keys = tuple(c.key for c in bound if isinstance(c.type, JSON))
            sql = f"INSERT INTO {table.name} ({columns}) VALUES ({values})"
            if table is events_table:
                insert = Insert(
                    table.name,
                    sql,
                    keys,
                    json_keys,
                    counts=SQLITE_COUNTS_UPSERT if self.counting else None,
                    count_levels=LEVEL_SIZES if self.counting else (),
                    render_zone=None if self.zone is None else self.zone.key,
                    first_id=self.first_id,
                )
                out.append(insert)
            else:
                out.append(Insert(table.name, sql, keys, json_keys))
        return out

    def _bound(self, column: Any) -> str:
        if isinstance(column.type, DateTime):
            # orjson's `2025-01-01T00:02:37` as SQLAlchemy's SQLite text
            # `2025-01-01 00:02:37.000000`, which is compared as text. NULL stays NULL.
            return "replace(?, 'T', ' ') || '.000000'"
        return "?"

    def _insert(self, table: Table) -> str:
        """PostgreSQL: `INSERT INTO t (...) SELECT ... FROM <the JSON array, typed>`."""
        if table.name not in self._inserts:
            columns = ", ".join(self.quote(c.name) for c in table.columns)
            source = f"json_populate_recordset(NULL::{table.name}, %s::json)"
            self._inserts[table.name] = (
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM {source}"
            )
        return self._inserts[table.name]

    def store_postgres(
        self, raw: Any, events: list[dict[str, Any]], rows: list[tuple[Table, list[Any]]]
    ) -> None:
        with raw.cursor() as cursor:
            for table, values in [(events_table, events), *rows]:
                if values:
                    cursor.execute(self._insert(table), (orjson.dumps(values).decode(),))
        raw.commit()


def write_shop(
    engine: Engine,
    plan: Plan,
    progress: Callable[[int], None] | None = None,
    settings: Settings | None = None,
) -> int:
    """Generate the plan's shop into the database; returns how many events were written.

    The batches are made in this thread while the writer stores the previous one, one
    transaction per batch: on SQLite a child process (app/sqlite_bulk.py), on PostgreSQL a
    thread (psycopg releases the GIL while the server works). An in-memory SQLite shop, which
    no other process can open, is written in this thread.
    """
    first_ids, first_number = _first_ids(engine)
    with Session(engine) as session:
        # Taken up front: the writer has not stored earlier batches yet.
        ids = reserve_ids(session, events_table, plan.events)  # ascending, and on SQLite
        # consecutive: the writer numbers the events from the first (`Insert.first_id`)
        # Row triggers would double SQLite's cost per row. The SQLite writer counts each
        # batch instead (when the rows were exact to start from); otherwise, and on
        # PostgreSQL, every event is recounted once at the end.
        exact = suspend_event_counts(session.connection())
        zone = rendering_zone(session)
        session.commit()
    writer = _Writer(engine, iter(ids), zone, ids[0])
    writer.counting = exact and not writer.postgres
    generator = ShopGenerator(plan, settings, first_ids, first_number)
    written = 0
    counted = False
    # Millions of short-lived objects, none in a cycle once its lifecycle ends: the cyclic
    # collector would only rescan the growing heap (it doubled the run time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _sink(engine, writer) as store:
            for batch in generator.batches():
                events = writer.event_rows(batch.events)
                store(events, writer.resource_rows(batch.rows))
                written += len(events)
                if progress is not None:
                    progress(len(events))
        counted = writer.counting
    finally:
        if collecting:
            gc.enable()
        with engine.begin() as conn:
            if not (counted and resume_event_counts(conn)):
                rebuild_event_counts(conn)
    with Session(engine) as session:
        sync_id_sequences(session)
        session.commit()
    return written


Store = Callable[[list[dict[str, Any]], list[tuple[Table, list[Any]]]], None]


@contextmanager
def _sink(engine: Engine, writer: _Writer) -> Iterator[Store]:
    """`store(events, rows)` for each batch; on leaving, every batch is committed (or the
    writer's error is raised)."""
    if writer.postgres:
        with _postgres_thread(engine, writer) as store:
            yield store
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            inserts = {insert.table: insert for insert in writer.sqlite_inserts()}
            ids = numbering(inserts.values())
            with counting(raw, inserts.values()) as counter:
                yield lambda events, rows: store_batch(
                    raw, inserts, writer.sqlite_payload(events, rows), counter, ids
                )
        return
    child = ChildWriter(database, writer.sqlite_inserts())
    try:
        yield lambda events, rows: child.send(writer.sqlite_payload(events, rows))
    except BaseException:
        child.abort()
        raise
    child.finish()


@contextmanager
def _postgres_thread(engine: Engine, writer: _Writer) -> Iterator[Store]:
    pending: queue.Queue[tuple[list[Any], list[Any]] | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def store() -> None:
        try:
            with engine.connect() as conn:
                raw: Any = conn.connection.driver_connection
                while (item := pending.get()) is not None:
                    writer.store_postgres(raw, *item)
        except BaseException as exc:
            failure.append(exc)
            while pending.get() is not None:
                pass

    def put(events: list[dict[str, Any]], rows: list[tuple[Table, list[Any]]]) -> None:
        if failure:
            raise failure[0]
        pending.put((events, rows))

    thread = threading.Thread(target=store, name="generate-writer", daemon=True)
    thread.start()
    try:
        yield put
    finally:
        pending.put(None)
        thread.join()
    if failure:
        raise failure[0]
