"""`shopify-events-mock generate`: a large, realistic, reproducible shop, written in batches.

A seeded random walk over a timeline: at each step the shop either starts a new subject
(a product, collection, blog, article, comment, page, price rule or order) or moves one of the
subjects in progress to the next step of its lifecycle (an order is placed, confirmed, mailed,
authorized, captured, fulfilled, closed; some are cancelled, voided, refunded, restocked,
re-opened...). Timestamps are spread evenly over the period and ids follow them, so id order is
time order, as in Shopify. The same arguments give the same shop.

Events are produced in memory as rows and written with one multi-row INSERT per batch, one
transaction per batch; nothing goes through HTTP or the ORM's unit of work.
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import reserve_ids
from app.events.base import DEFAULT_AUTHOR, link, strip_html
from app.models.event import events_table
from app.models.event_count import rebuild_event_counts, suspend_event_counts

BATCH = 20_000
SQLITE_CACHE_KIB = 256 * 1024

Row = dict[str, Any]

_FIRST = ("Bob", "Alice", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jo")
_LAST = ("Norman", "Smith", "Wei", "Okafor", "Schmidt", "Silva", "Tanaka", "Novak", "Diaz")
_NOUNS = ("IPod Nano", "IPod Touch", "Hoodie", "Mug", "Sticker", "Poster", "Cap", "Tote Bag")
_ADJ = ("Classic", "Organic", "Limited", "Vintage", "Deluxe", "Mini", "Pro", "Everyday")
_BLOGS = ("News", "Stories", "Lookbook", "Behind the scenes", "Recipes")
_PAGES = ("About us", "Shipping", "Returns", "FAQ", "Contact", "Size guide", "Careers")
_EMAILS = (
    "Order confirmation",
    "Payment confirmation",
    "Shipping confirmation",
    "Shipping update",
    "Fulfillment confirmation",
    "Digital links",
)

# Order lifecycles (verbs after `placed`/`confirmed`), with their weights.
_ORDER_PATHS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        40,
        (
            "mail_sent",
            "authorization_success",
            "capture_success",
            "fulfillment_pending",
            "fulfillment_success",
            "mail_sent",
            "closed",
        ),
    ),
    (25, ("mail_sent", "sale_success", "fulfillment_success", "mail_sent", "closed")),
    (8, ("mail_sent", "authorization_success", "cancelled", "void_success", "restock_line_items")),
    (
        8,
        (
            "mail_sent",
            "sale_success",
            "fulfillment_success",
            "refund_pending",
            "refund_success",
            "restock_line_items",
            "mail_sent",
            "closed",
        ),
    ),
    (5, ("sale_pending", "sale_success", "update", "fulfillment_success", "closed", "re_opened")),
    (4, ("authorization_pending", "authorization_failure", "sale_failure", "cancelled")),
    (
        4,
        (
            "authorization_success",
            "capture_pending",
            "capture_failure",
            "void_pending",
            "void_failure",
            "fulfillment_cancelled",
            "refund_failure",
        ),
    ),
    (6, ("mail_sent", "sale_success", "update", "fulfillment_success", "mail_sent")),
)

_LIFECYCLES: dict[str, tuple[tuple[int, tuple[str, ...]], ...]] = {
    "Product": (
        (6, ("create", "published")),
        (2, ("create", "published", "unpublished", "published")),
        (1, ("create", "published", "unpublished", "destroy")),
    ),
    "Collection": (
        (3, ("create", "published", "update")),
        (1, ("create", "unpublished", "destroy")),
    ),
    "Blog": ((3, ("create", "update")), (1, ("create", "update", "destroy"))),
    "Article": (
        (4, ("create", "published", "update")),
        (1, ("create", "published", "unpublished", "update", "destroy")),
    ),
    "Comment": ((1, ("create",)),),
    "Page": ((3, ("create", "published", "update")), (1, ("create", "update", "unpublished"))),
    "PriceRule": ((2, ("create", "update")), (1, ("create", "update", "destroy"))),
    "Order": tuple((w, ("placed", "confirmed", *path)) for w, path in _ORDER_PATHS),
}

# How often each kind of subject is started (orders dominate a real shop's events).
_START_WEIGHTS = {
    "Order": 60,
    "Product": 14,
    "Collection": 3,
    "Blog": 1,
    "Article": 6,
    "Comment": 8,
    "Page": 2,
    "PriceRule": 4,
}

_ADMIN_SEGMENT = {
    "Product": "products",
    "Collection": "collections",
    "Blog": "blogs",
    "Article": "articles",
    "Comment": "comments",
    "Page": "pages",
    "PriceRule": "price_rules",
    "Order": "orders",
}

_ID_BASE = {
    "Order": 450_000_000,
    "Product": 632_000_000,
    "Collection": 482_000_000,
    "Blog": 241_000_000,
    "Article": 134_000_000,
    "Comment": 118_000_000,
    "Page": 131_000_000,
    "PriceRule": 507_000_000,
}


@dataclass(eq=False)
class Subject:
    kind: str
    id: int
    title: str
    steps: tuple[str, ...]
    extra: dict[str, str] = field(default_factory=dict)
    at: int = 0


@dataclass(frozen=True)
class Plan:
    events: int
    seed: int = 0
    end: datetime = datetime(2026, 1, 1)
    days: int = 365
    shop_domain: str = "jsmith.myshopify.com"
    currency: str = "USD"


class ShopGenerator:
    """Yields event rows (without ids) in time order."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.pool: list[Subject] = []
        self.counters = dict.fromkeys(_ID_BASE, 0)
        self.articles: list[Subject] = []
        self.admin = f"https://{plan.shop_domain}/admin"
        self._kinds = list(_START_WEIGHTS)
        self._kind_weights = list(_START_WEIGHTS.values())
        self._renderers: dict[str, Callable[[Subject, str], tuple[str, list[str]]]] = {
            "Order": self._order,
            "Comment": self._comment,
        }

    def rows(self) -> Iterator[Row]:
        plan = self.plan
        start = plan.end - timedelta(days=plan.days)
        span = plan.days * 86_400
        n = plan.events
        rng = self.rng
        for i in range(n):
            when = start + timedelta(seconds=span * i // max(n, 1))
            pool = self.pool
            if not pool or (len(pool) < 400 and rng.random() < 0.3):
                self._start()
                index = len(pool) - 1
            else:
                index = rng.randrange(len(pool))
            yield self._event(index, when)

    def _start(self) -> Subject:
        rng = self.rng
        kind = rng.choices(self._kinds, self._kind_weights)[0]
        if kind == "Comment" and not self.articles:
            kind = "Article"
        self.counters[kind] += 1
        number = self.counters[kind]
        subject_id = _ID_BASE[kind] + number * 7 + rng.randrange(7)
        lifecycles = _LIFECYCLES[kind]
        steps = rng.choices([s for _, s in lifecycles], [w for w, _ in lifecycles])[0]
        subject = Subject(kind, subject_id, self._title(kind, number), steps)
        if kind == "Order":
            subject.extra = {
                "customer": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                "amount": f"{rng.randrange(500, 50_000) / 100:.2f}",
                "items": str(rng.randrange(1, 6)),
            }
        elif kind == "Comment":
            article = rng.choice(self.articles)
            subject.extra = {"article": str(article.id), "article_title": article.title}
        elif kind == "Article":
            self.articles.append(subject)
            if len(self.articles) > 500:
                self.articles.pop(0)
        self.pool.append(subject)
        return subject

    def _title(self, kind: str, number: int) -> str:
        rng = self.rng
        if kind == "Order":
            return f"#{1000 + number}"
        if kind == "Product":
            return f"{rng.choice(_ADJ)} {rng.choice(_NOUNS)} {number}"
        if kind == "Collection":
            return f"{rng.choice(_ADJ)} collection {number}"
        if kind == "Blog":
            return f"{rng.choice(_BLOGS)} {number}"
        if kind == "Article":
            return f"{rng.choice(_ADJ)} {rng.choice(_NOUNS).lower()} story {number}"
        if kind == "Page":
            return f"{rng.choice(_PAGES)} {number}"
        if kind == "PriceRule":
            return f"SAVE{rng.randrange(5, 60)}-{number}"
        return f"Comment {number}"

    def _event(self, index: int, when: datetime) -> Row:
        pool = self.pool
        subject = pool[index]
        verb = subject.steps[subject.at]
        subject.at += 1
        if subject.at >= len(subject.steps):
            pool[index] = pool[-1]
            pool.pop()
        renderer = self._renderers.get(subject.kind, self._catalog)
        message, arguments = renderer(subject, verb)
        return {
            "subject_id": subject.id,
            "created_at": when,
            "subject_type": subject.kind,
            "verb": verb,
            "arguments": arguments,
            "body": None,
            "message": message,
            "author": DEFAULT_AUTHOR,
            "description": strip_html(message),
            "path": f"/admin/{_ADMIN_SEGMENT[subject.kind]}/{subject.id}",
        }

    def _catalog(self, s: Subject, verb: str) -> tuple[str, list[str]]:
        url = link(f"{self.admin}/{_ADMIN_SEGMENT[s.kind]}/{s.id}", s.title)
        if verb == "create":
            noun = {"PriceRule": "price rule"}.get(s.kind, s.kind.lower())
            if s.kind == "Product":
                return f"Product was created: {url}.", [s.title]
            return f"New {noun} created: {url}.", [s.title]
        if verb == "update" and s.kind == "Article":
            return f"{url} was updated (but its published state was not changed).", [s.title]
        if verb == "unpublished" and s.kind in ("Collection", "Page"):
            return f"{url} was hidden.", [s.title]
        if verb == "destroy" and s.kind in ("Blog", "PriceRule", "Product"):
            return f"{s.title} was destroyed.", [s.title]
        return f"{url} was {verb}.", [s.title]

    def _comment(self, s: Subject, verb: str) -> tuple[str, list[str]]:
        url = link(f"{self.admin}/articles/{s.extra['article']}", s.extra["article_title"])
        excerpt = f"Love the {s.extra['article_title'].split(' ')[1]}!"
        return f"New comment for {url}: {excerpt}", [s.extra["article_title"], excerpt]

    def _order(self, s: Subject, verb: str) -> tuple[str, list[str]]:
        e = s.extra
        money = f"{e['amount']} {self.plan.currency}"
        txn = [str(s.id + 17), e["amount"], self.plan.currency]
        items = f"{e['items']} line item{'s' if e['items'] != '1' else ''}"
        if verb == "placed":
            return "Order was placed.", []
        if verb == "confirmed":
            url = link(f"{self.admin}/orders/{s.id}", s.title)
            return f"Received new order {url} by {e['customer']}.", [s.title, e["customer"]]
        if verb == "mail_sent":
            kind = _EMAILS[(s.at * 2) % len(_EMAILS)]
            return f"{kind} email was sent to the customer.", [kind]
        if verb == "cancelled":
            return "Order was cancelled by Shop Staff.", ["Shop Staff"]
        if verb in ("closed", "re_opened"):
            return f"Order was {verb.replace('_', '-')}.", []
        if verb == "update":
            return f"{s.title} was updated.", [s.title]
        if verb.startswith("fulfillment_"):
            text = {
                "fulfillment_pending": f"We submitted {items} to the third party service.",
                "fulfillment_success": "We successfully fulfilled line_items.",
                "fulfillment_cancelled": f"We cancelled {items} from being fulfilled by the "
                "third party fulfillment service.",
            }[verb]
            return text, [e["items"]]
        if verb == "restock_line_items":
            return f"We restocked {items}.", [e["items"]]
        return _TRANSACTION_MESSAGES[verb].format(money=money), txn


_TRANSACTION_MESSAGES = {
    "authorization_success": "The customer successfully authorized us to capture: {money}",
    "authorization_failure": "The customer, unsuccessfully, tried to authorize: {money}",
    "authorization_pending": "Authorization for {money} is pending.",
    "capture_success": "We successfully captured: {money}",
    "capture_failure": "We failed to capture: {money}",
    "capture_pending": "Capture for {money} is pending.",
    "sale_success": "We successfully captured {money}.",
    "sale_failure": "The customer failed to pay {money}.",
    "sale_pending": "The {money} is pending.",
    "refund_success": "We successfully refunded {money}.",
    "refund_failure": "We failed to refund {money}.",
    "refund_pending": "Refund of {money} is still pending.",
    "void_success": "We successfully voided the authorization.",
    "void_failure": "We failed to void the authorization.",
    "void_pending": "Authorization void is pending.",
}


def write_shop(engine: Engine, plan: Plan, progress: Callable[[int], None] | None = None) -> int:
    """Generate the plan's events into the database; returns how many were written.

    The rows are made in this thread while a writer thread stores the previous batch (both
    drivers release the GIL while the database works), one transaction per batch.
    """
    names = [c.name for c in events_table.columns]
    postgres = engine.dialect.name == "postgresql"
    batches: queue.Queue[list[tuple[Any, ...]] | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def writer() -> None:
        try:
            with engine.connect() as conn:
                raw: Any = conn.connection.driver_connection
                if not postgres:
                    raw.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
                    raw.execute("PRAGMA synchronous=OFF")
                while (batch := batches.get()) is not None:
                    _store(raw, postgres, names, batch)
                    if progress is not None:
                        progress(len(batch))
        except BaseException as exc:
            failure.append(exc)
            while batches.get() is not None:
                pass

    rows = ShopGenerator(plan).rows()
    with Session(engine) as session:
        # Taken up front: the writer thread has not stored earlier batches yet.
        ids = iter(reserve_ids(session, events_table, plan.events))
        # Row triggers would double SQLite's cost per row: counts are recounted once at the end.
        suspend_event_counts(session.connection())
        session.commit()
    thread = threading.Thread(target=writer, name="generate-writer", daemon=True)
    thread.start()
    written = 0
    try:
        while written < plan.events and not failure:
            chunk = list(itertools.islice(rows, BATCH))
            if not chunk:
                break
            batch = []
            for row in chunk:
                row["id"] = next(ids)
                row["arguments"] = orjson.dumps(row["arguments"]).decode()
                if not postgres:
                    # SQLAlchemy's SQLite DateTime storage format (compared as text).
                    row["created_at"] = row["created_at"].isoformat(" ", "microseconds")
                batch.append(tuple(row[n] for n in names))
            batches.put(batch)
            written += len(batch)
    finally:
        batches.put(None)
        thread.join()
        with engine.begin() as conn:
            rebuild_event_counts(conn)
    if failure:
        raise failure[0]
    return written


def _store(raw: Any, postgres: bool, names: list[str], batch: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(names)
    if postgres:
        with raw.cursor() as cursor, cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
            for values in batch:
                copy.write_row(values)
        raw.commit()
        return
    marks = ", ".join("?" * len(names))
    raw.execute("BEGIN")
    raw.executemany(f"INSERT INTO events ({columns}) VALUES ({marks})", batch)
    raw.execute("COMMIT")
