"""Reads shared by the sandbox resources: one row by id (or 404), a page by id, a count.

Shopify's resource lists take `limit` (1-250, default 50), `since_id` and `ids`; they are
ordered by id and paged like the events: keyset on id in both directions, `page_info` cursors
carrying the first request's filters, a `Link` header (app/routers/paging.py). The same
`where` conditions build the list and its count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, func, select
from sqlmodel import Session, SQLModel

from app.errors import NotFound, invalid_param
from app.pagination import MAX_CURSOR_ID, Cursor
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


@dataclass(frozen=True)
class PageRequest:
    """A list request: its filters (the request's own, or those a page_info cursor carries),
    its page size and the cursor (None on a first page)."""

    params: dict[str, str]
    limit: int
    cursor: Cursor | None = None


@dataclass
class ResourcePage(Generic[M]):
    rows: list[M]
    previous: Cursor | None
    next: Cursor | None


def list_rows(
    session: Session,
    model: type[M],
    request: PageRequest,
    where: Sequence[ColumnElement[bool]] = (),
) -> ResourcePage[M]:
    """One page of `model` by keyset on id, in either direction (never OFFSET)."""
    conds = [*list_conditions(model, request.params), *where]
    return keyset_page(session, model, conds, request)


def keyset_page(
    session: Session, model: type[M], conds: list[ColumnElement[bool]], request: PageRequest
) -> ResourcePage[M]:
    column: Any = model.id  # type: ignore[attr-defined]
    limit, cursor = request.limit, request.cursor

    def fetch(*extra: ColumnElement[bool], newest_first: bool = False) -> list[M]:
        order = column.desc() if newest_first else column.asc()
        stmt = select(model).where(*conds, *extra).order_by(order).limit(limit + 1)
        return list(session.execute(stmt).scalars().all())

    def any_row(*extra: ColumnElement[bool]) -> bool:
        return session.execute(select(column).where(*conds, *extra).limit(1)).first() is not None

    if cursor is not None and cursor.direction == "prev":
        rows = fetch(column < cursor.last_id, newest_first=True)
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        if not rows:
            return ResourcePage([], None, Cursor("next", max(cursor.last_id - 1, 0)))
        has_next = any_row(column > rows[-1].id)  # type: ignore[attr-defined]
    else:
        rows = fetch(column > cursor.last_id) if cursor is not None else fetch()
        has_next = len(rows) > limit
        rows = rows[:limit]
        if cursor is None:
            if not rows:
                return ResourcePage([], None, None)
            has_previous = False
        elif not rows:
            return ResourcePage([], Cursor("prev", min(cursor.last_id + 1, MAX_CURSOR_ID)), None)
        else:
            has_previous = any_row(column < rows[0].id)  # type: ignore[attr-defined]
    first, last = rows[0].id, rows[-1].id  # type: ignore[attr-defined]
    return ResourcePage(
        rows,
        Cursor("prev", first) if has_previous else None,
        Cursor("next", last) if has_next else None,
    )


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
