"""Reads shared by the sandbox resources: one row by id (or 404), a page by id, a count.

Shopify's resource lists take `limit` (1-250, default 50), `since_id` and `ids`; they are
ordered by id. The same `where` conditions build the list and its count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, func, select
from sqlmodel import Session, SQLModel

from app.errors import NotFound, invalid_param
from app.pagination import parse_limit
from app.services.events import parse_event_id
from app.services.validation import handleize, unique_handle
from app.timeparse import render_timestamp

M = TypeVar("M", bound=SQLModel)


def parse_id(raw: str | int) -> int:
    """A path id; anything that is not a positive 64-bit integer is a 404, as on Shopify."""
    parsed = parse_event_id(str(raw))
    if parsed is None or parsed == 0:
        raise NotFound()
    return parsed


def get_or_404(session: Session, model: type[M], raw_id: str | int) -> M:
    row = session.get(model, parse_id(raw_id))
    if row is None:
        raise NotFound()
    return row


def list_conditions(model: type[SQLModel], params: dict[str, str]) -> list[ColumnElement[bool]]:
    column: Any = model.id  # type: ignore[attr-defined]
    out: list[ColumnElement[bool]] = []
    since = params.get("since_id", "").strip()
    if since:
        if parse_event_id(since) is None:
            raise invalid_param("since_id")
        out.append(column > int(since))
    ids = params.get("ids", "").strip()
    if ids:
        parsed = [parse_event_id(p.strip()) for p in ids.split(",") if p.strip()]
        if any(p is None for p in parsed):
            raise invalid_param("ids")
        out.append(column.in_(parsed))
    return out


def list_rows(
    session: Session,
    model: type[M],
    params: dict[str, str],
    where: Sequence[ColumnElement[bool]] = (),
) -> list[M]:
    limit = parse_limit(params.get("limit"))
    column: Any = model.id  # type: ignore[attr-defined]
    stmt = (
        select(model)
        .where(*list_conditions(model, params), *where)
        .order_by(column.asc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars().all())


def count_rows(
    session: Session,
    model: type[SQLModel],
    params: dict[str, str],
    where: Sequence[ColumnElement[bool]] = (),
) -> int:
    conds = [*list_conditions(model, params), *where]
    stmt = select(func.count()).select_from(model).where(*conds)
    return int(session.execute(stmt).scalar_one())


def ts(value: datetime | None, tz: ZoneInfo) -> str | None:
    return None if value is None else render_timestamp(value, tz)


def gid(kind: str, resource_id: int | None) -> str:
    return f"gid://shopify/{kind}/{resource_id}"


# ---- writes shared by the resources ---------------------------------------------------


def free_handle(
    session: Session,
    table: Table,
    wanted: str,
    resource_id: int | None,
    where: Sequence[ColumnElement[bool]] = (),
    fallback: str = "untitled",
) -> str:
    """`wanted` as a handle, suffixed `-1`, `-2`... when another row of `table` has it."""
    base = handleize(wanted) or fallback
    c = table.c
    stmt = select(c.handle).where(c.handle.startswith(base), c.id != (resource_id or 0), *where)
    return unique_handle(base, session.execute(stmt).scalars())


def assign(
    resource: SQLModel,
    values: dict[str, Any],
    names: Sequence[str] = (),
    nullable: Sequence[str] = (),
) -> None:
    """Copy the given attributes: `names` store "" for null, `nullable` store None for ""."""
    for name in names:
        if name in values:
            setattr(resource, name, values[name] if values[name] is not None else "")
    for name in nullable:
        if name in values:
            setattr(resource, name, values[name] if values[name] not in ("", None) else None)


def apply_publishing(resource: Any, values: dict[str, Any], now: datetime) -> None:
    """`published_at` wins over `published`; `published: true` keeps an earlier date."""
    if "published_at" in values:
        resource.published_at = values["published_at"]
    elif values.get("published") is True:
        resource.published_at = resource.published_at or now
    elif values.get("published") is False:
        resource.published_at = None
