"""Fixtures from `seed/`: JSON files naming resources and the events they produced.

A fixture's resource sections (`products`, `orders`, ...) are loaded by the loaders that the
sandbox registers in `RESOURCE_LOADERS`; its `events` are written exactly as given (ids and
timestamps pinned) so the documented examples reproduce byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select
from sqlmodel import Session

from app.errors import NotFound
from app.models.event import events_table
from app.services.event_import import import_events
from app.services.orders import load_orders
from app.services.products import load_products

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"

# section name -> loader(session, rows, tz); filled in by the sandbox resources
RESOURCE_LOADERS: dict[str, Callable[[Session, list[dict[str, Any]], ZoneInfo], None]] = {
    "products": load_products,
    "orders": load_orders,
}


def fixture_names() -> list[str]:
    return sorted(p.stem for p in SEED_DIR.glob("*.json"))


def read_fixture(name: str) -> dict[str, Any]:
    if name not in fixture_names():
        raise NotFound()
    data: dict[str, Any] = orjson.loads((SEED_DIR / f"{name}.json").read_bytes())
    return data


def load_fixture(session: Session, name: str, tz: ZoneInfo) -> None:
    """Load one fixture in one transaction."""
    data = read_fixture(name)
    for section, loader in RESOURCE_LOADERS.items():
        if section in data:
            loader(session, data[section], tz)
    import_events(session, data.get("events", []), tz)
    session.commit()


def shop_is_empty(session: Session) -> bool:
    return session.execute(select(events_table.c.id).limit(1)).first() is None
