"""`generate`: a reproducible shop made through the recorders, its resources and events in step.

The strongest check here replays every generated event: it loads the resource the event is
about from the generated database, calls the recorder the services call for that verb (in
batch mode) and compares what comes out with what was stored. So the bulk path cannot drift
from the REST path's messages, arguments and paths, and the stored resources are the ones the
events describe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, col
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import make_engine
from app.events import articles, blogs, collections, comments, pages, price_rules, products
from app.events import orders as order_events
from app.events.base import EVENT_SINK
from app.events.orders import OrderEmail
from app.generate import Plan, ShopGenerator, write_shop
from app.models.article import Article
from app.models.blog import Blog
from app.models.collection import Collection
from app.models.comment import Comment
from app.models.event import Event, events_table
from app.models.order import Fulfillment, Order, Transaction
from app.models.page import Page
from app.models.price_rule import PriceRule
from app.models.product import Product
from app.services import order_common
from app.services.transactions import RECORDERS
from tests.conftest import API, MakeClient, engine_of, session_of
from tests.test_sandbox_catalog_verbs import DOCUMENTED
from tests.test_sandbox_orders_verbs import DOCUMENTED_ORDER_VERBS

T = events_table.c
PLAN = Plan(events=6_000, seed=11, end=datetime(2025, 1, 1), days=30)


def _dump(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cols = [T.id, T.subject_id, T.created_at, T.subject_type, T.verb, T.message, T.path]
            events = [tuple(r) for r in conn.execute(select(*cols).order_by(T.id))]
            orders = Order.__table__.c  # type: ignore[attr-defined]
            shop = conn.execute(
                select(
                    orders.id, orders.name, orders.total_price, orders.financial_status
                ).order_by(orders.id)
            )
            return events, [tuple(r) for r in shop]
    finally:
        engine.dispose()


def test_generate_command_writes_a_reproducible_shop(database_url: Callable[[], str]) -> None:
    urls = [database_url(), database_url()]
    for url in urls:
        result = CliRunner().invoke(
            cli, ["generate", "--events", "3000", "--database-url", url, "--seed-value", "7"]
        )
        assert result.exit_code == 0, result.output
        assert "generated 3000 events" in result.output
    (events, orders), second = (_dump(u) for u in urls)
    assert len(events) == 3000
    assert orders
    assert (events, orders) == second


def _generated(make_client: MakeClient) -> TestClient:
    client = make_client(None)
    assert write_shop(engine_of(client), PLAN, settings=get_settings()) == PLAN.events
    return client


def test_generated_shop_is_time_ordered_varied_and_served(make_client: MakeClient) -> None:
    client = _generated(make_client)
    with engine_of(client).connect() as conn:
        rows = conn.execute(select(T.id, T.created_at).order_by(T.id)).all()
        grouped = conn.execute(select(T.subject_type, func.count()).group_by(T.subject_type))
        kinds = {k: n for k, n in grouped}
        verbs = {(s, v) for s, v in conn.execute(select(T.subject_type, T.verb).distinct())}
    assert len(rows) == PLAN.events
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    assert rows[0].created_at >= datetime(2024, 12, 2)
    assert rows[-1].created_at <= datetime(2025, 1, 1)
    assert kinds["Order"] > kinds["Product"] > 0
    # Every verb of every table of the documentation comes out of the walk.
    wanted = {(s, v) for s, vs in DOCUMENTED.items() for v in vs}
    wanted |= {("Order", v) for v in DOCUMENTED_ORDER_VERBS}
    assert wanted <= verbs
    # The Event API serves them: list, filter, nested and count agree with the table.
    assert client.get(f"{API}/events/count.json").json() == {"count": PLAN.events}
    orders = client.get(f"{API}/events/count.json", params={"filter": "Order"}).json()
    assert orders == {"count": kinds["Order"]}
    page = client.get(f"{API}/events.json", params={"limit": 250, "verb": "placed"})
    assert page.status_code == 200
    assert {e["verb"] for e in page.json()["events"]} == {"placed"}


def test_generator_is_deterministic_per_seed() -> None:
    def take(seed: int) -> list[tuple[Any, ...]]:
        generator = ShopGenerator(Plan(events=2_000, seed=seed), get_settings())
        return [
            (e.subject_id, e.verb, e.message, e.created_at)
            for batch in generator.batches()
            for e in batch.events
        ]

    assert take(1) == take(1)
    assert take(1) != take(2)
    assert len(take(3)) == 2_000


def test_batch_sizes_cut_the_same_walk() -> None:
    """Where the batches are cut (short ones at either end, full ones between) changes
    nothing of the shop: the same events, in order, and the same resource rows in their final
    state."""

    def shop(size: int, short: int) -> tuple[list[dict[str, Any]], dict[str, list[Any]], list[int]]:
        generator = ShopGenerator(Plan(events=3_000, seed=7), get_settings())
        events: list[dict[str, Any]] = []
        rows: dict[str, list[Any]] = {}
        sizes = []
        for batch in generator.batches(size=size, short=short):
            sizes.append(len(batch.events))
            events += [dict(e.__dict__) for e in batch.events]
            for table, objs in batch.rows.items():
                rows.setdefault(table, []).extend(dict(o.__dict__) for o in objs)
        for objs in rows.values():
            objs.sort(key=lambda row: row["id"])
        return events, rows, sizes

    one_batch = shop(size=10_000, short=10_000)
    cut = shop(size=500, short=100)
    assert one_batch[2] == [3_000]
    # 100 events, then 500s while more than 500 remain, then 100s (an action adds up to 3
    # more); the last has what remains.
    *cuts, last = cut[2]
    for i, n in enumerate(cuts):
        wanted = 500 if i and 3_000 - sum(cut[2][:i]) > 500 else 100
        assert wanted <= n < wanted + 4, cut[2]
    assert 0 < last < 104 and sum(100 <= n < 104 for n in cuts) >= 4, cut[2]
    assert cut[0] == one_batch[0]
    assert cut[1] == one_batch[1]


# ---- replay: every generated event is what its recorder says about the stored resource ------

CATALOG: dict[str, tuple[type[Any], str, Any]] = {
    "Product": (Product, "product", products),
    "Collection": (Collection, "collection", collections),
    "Blog": (Blog, "blog", blogs),
    "Article": (Article, "article", articles),
    "Page": (Page, "page", pages),
    "PriceRule": (PriceRule, "price_rule", price_rules),
}
VERB_NAMES = {
    "create": "created",
    "update": "updated",
    "published": "published",
    "unpublished": "unpublished",
    "destroy": "destroyed",
}
EMAILS = {email.label: email for email in OrderEmail}
TXN_VERBS = {f"{kind}_{status}": (kind, status) for kind, status in RECORDERS}


def _replay(session: Session, sink: Session, event: Event) -> Event | None:
    """What the services' recorder makes of the stored resource (None: it is gone)."""
    kind, verb = event.subject_type, event.verb
    if kind in CATALOG:
        model, name, module = CATALOG[kind]
        resource = session.get(model, event.subject_id)
        if resource is None:
            return None
        prefix = "price_rule" if kind == "PriceRule" else name
        recorder = getattr(module, f"{prefix}_{VERB_NAMES[verb]}_event")
        made: Event = recorder(sink, **{name: resource})
        return made
    if kind == "Comment":
        comment = session.get(Comment, event.subject_id)
        assert comment is not None
        article = session.get(Article, comment.article_id)
        return comments.comment_created_event(sink, comment=comment, article=article)
    order = session.get(Order, event.subject_id)
    assert order is not None, "orders are never destroyed by the walk"
    args = event.arguments
    if verb in TXN_VERBS:
        txn = session.get(Transaction, int(args[0]))
        assert txn is not None and txn.order_id == order.id
        return RECORDERS[TXN_VERBS[verb]](sink, order=order, transaction=txn)
    if verb.startswith("fulfillment_"):
        fulfillment = session.get(Fulfillment, int(args[0]))
        assert fulfillment is not None and fulfillment.order_id == order.id
        name = {"pending": "pending", "success": "succeeded", "cancelled": "cancelled"}
        recorder = getattr(order_events, f"order_fulfillment_{name[verb[12:]]}_event")
        return recorder(sink, order=order, fulfillment=fulfillment)  # type: ignore[no-any-return]
    if verb == "mail_sent":
        return order_events.order_mail_sent_event(sink, order=order, email_type=EMAILS[args[0]])
    if verb == "restock_line_items":
        return order_events.order_restocked_line_items_event(
            sink, order=order, quantity=int(args[0])
        )
    recorder = {
        "placed": order_events.order_placed_event,
        "confirmed": order_events.order_confirmed_event,
        "update": order_events.order_updated_event,
        "closed": order_events.order_closed_event,
        "re_opened": order_events.order_re_opened_event,
        "cancelled": order_events.order_cancelled_event,
    }[verb]
    return recorder(sink, order=order)


def test_every_generated_event_is_its_recorders_account_of_the_stored_resource(
    make_client: MakeClient,
) -> None:
    client = _generated(make_client)
    sink = Session(info={"settings": get_settings(), EVENT_SINK: []})
    replayed = gone = 0
    with session_of(client) as session:
        for event in session.scalars(select(Event).order_by(col(Event.id))):
            made = _replay(session, sink, event)
            if made is None:
                gone += 1
                continue
            for name in ("subject_id", "subject_type", "verb", "message", "description"):
                assert getattr(made, name) == getattr(event, name), (event.id, name)
            assert (made.arguments, made.path, made.author) == (
                event.arguments,
                event.path,
                event.author,
            ), event.id
            replayed += 1
    assert replayed > 0.9 * PLAN.events
    assert gone > 0  # destroyed products, pages... keep their events


def test_generated_orders_hold_what_the_services_compute(make_client: MakeClient) -> None:
    client = _generated(make_client)
    with session_of(client) as session:
        orders = session.scalars(select(Order)).all()
        assert len(orders) > 300
        statuses = set()
        for order in orders:
            assert order.id is not None
            stored = (order.financial_status, order.fulfillment_status)
            order_common.refresh_financial_status(session, order)
            order_common.refresh_fulfillment_status(session, order)
            assert (order.financial_status, order.fulfillment_status) == stored, order.id
            statuses.add(stored[0])
            session.expunge(order)
    assert {"paid", "refunded", "voided", "pending", "authorized"} <= statuses


def test_the_generated_shop_keeps_working_through_rest(make_client: MakeClient) -> None:
    client = _generated(make_client)
    with session_of(client) as session:
        order = session.scalars(
            select(Order).where(col(Order.financial_status) == "paid").limit(1)
        ).one()
        product = session.scalars(select(Product).limit(1)).one()
        top_product = session.execute(select(func.max(Product.id))).scalar()
        top_number = session.execute(select(func.max(Order.order_number))).scalar()
    assert order.id is not None and product.id is not None
    got = client.get(f"{API}/orders/{order.id}.json")
    assert got.status_code == 200
    assert got.json()["order"]["financial_status"] == "paid"
    assert client.get(f"{API}/products/{product.id}.json").status_code == 200
    nested = client.get(f"{API}/orders/{order.id}/events.json").json()["events"]
    assert nested[0]["verb"] == "placed"
    # A refund through REST on a generated order: the generated rows are the services' rows.
    refund = client.post(
        f"{API}/orders/{order.id}/refunds.json",
        json={"refund": {"transactions": [{"kind": "refund", "amount": "1.00"}]}},
    )
    assert refund.status_code == 201, refund.text
    after = client.get(f"{API}/orders/{order.id}/events.json").json()["events"]
    assert after[-1]["verb"] == "refund_success"
    assert after[-1]["id"] > nested[-1]["id"]
    # New resources never take a generated id or order number.
    made = client.post(f"{API}/products.json", json={"product": {"title": "After generate"}})
    assert made.status_code == 201
    assert made.json()["product"]["id"] > top_product
    placed = client.post(
        f"{API}/orders.json",
        json={"order": {"line_items": [{"title": "Mug", "price": "5.00", "quantity": 1}]}},
    )
    assert placed.status_code == 201, placed.text
    assert placed.json()["order"]["order_number"] == top_number + 1


def test_generate_never_gives_a_deleted_rows_id_again(make_client: MakeClient) -> None:
    # The newest product deleted: its id (and its create and destroy events) stays its own,
    # on SQLite (sqlite_sequence) as on PostgreSQL (the sequence).
    client = make_client("docs")
    engine = engine_of(client)
    url = f"{API}/products.json"
    pid = client.post(url, json={"product": {"title": "Widget"}}).json()["product"]["id"]
    assert client.delete(f"{API}/products/{pid}.json").status_code == 200
    with Session(engine) as session:
        before = set(session.scalars(select(Product.id)))
    write_shop(engine, Plan(events=400, seed=3, days=3, end=datetime(2027, 1, 1)))
    with Session(engine) as session:
        ids = session.scalars(select(Product.id)).all()
        history = session.scalars(
            select(Event.verb).where(Event.subject_type == "Product", Event.subject_id == pid)
        ).all()
    generated = [i for i in ids if i not in before]
    assert len(generated) > 5 and min(generated) > pid
    assert sorted(history) == ["create", "destroy"]
    created = client.post(url, json={"product": {"title": "After"}}).json()["product"]["id"]
    assert created > max(ids)
