"""`generate`: a reproducible shop written in batches, readable through the Event API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.generate import Plan, ShopGenerator, write_shop
from app.models.event import events_table
from tests.conftest import API, MakeClient

T = events_table.c


def _dump(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            cols = [T.subject_id, T.created_at, T.subject_type, T.verb, T.message, T.path]
            return [tuple(r) for r in conn.execute(select(*cols).order_by(T.id))]
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
    first, second = (_dump(u) for u in urls)
    assert len(first) == 3000
    assert first == second


def test_generated_shop_is_time_ordered_and_varied(make_client: MakeClient) -> None:
    client = make_client(None)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    plan = Plan(events=5000, seed=3, end=datetime(2025, 1, 1), days=30)
    assert write_shop(engine, plan) == 5000
    with engine.connect() as conn:
        rows = conn.execute(select(T.id, T.created_at).order_by(T.id)).all()
        grouped = conn.execute(select(T.subject_type, func.count()).group_by(T.subject_type))
        kinds = {k: n for k, n in grouped}
        verbs = {v for (v,) in conn.execute(select(T.verb).distinct())}
    assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)
    assert rows[0].created_at >= datetime(2024, 12, 2)
    assert rows[-1].created_at <= datetime(2025, 1, 1)
    assert set(kinds) == {
        "Order",
        "Product",
        "Collection",
        "Blog",
        "Article",
        "Comment",
        "Page",
        "PriceRule",
    }
    assert kinds["Order"] > kinds["Product"]
    assert {"placed", "confirmed", "capture_success", "refund_success", "published"} <= verbs
    # The Event API serves them: list, filter and count agree with the table.
    assert client.get(f"{API}/events/count.json").json() == {"count": 5000}
    orders = client.get(f"{API}/events/count.json", params={"filter": "Order"}).json()
    assert orders == {"count": kinds["Order"]}
    page = client.get(f"{API}/events.json", params={"limit": 250, "verb": "placed"})
    assert page.status_code == 200
    assert {e["verb"] for e in page.json()["events"]} == {"placed"}


def test_generator_is_deterministic_per_seed() -> None:
    def take(seed: int) -> list[dict[str, object]]:
        return list(ShopGenerator(Plan(events=500, seed=seed)).rows())

    assert take(1) == take(1)
    assert take(1) != take(2)
