"""Page actions: create, update, publish / unpublish (through `published` or `published_at`),
destroy. A PUT that changes the published state records `published` or `unpublished` only;
any other change records `update`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.events.base import settings_of
from app.events.pages import (
    page_created_event,
    page_destroyed_event,
    page_published_event,
    page_unpublished_event,
    page_updated_event,
)
from app.models.page import Page, pages_table
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


def render_page(page: Page, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": page.id,
        "title": page.title,
        "handle": page.handle,
        "body_html": page.body_html,
        "author": page.author,
        "created_at": ts(page.created_at, tz),
        "updated_at": ts(page.updated_at, tz),
        "published_at": ts(page.published_at, tz),
        "template_suffix": page.template_suffix,
        "admin_graphql_api_id": gid("OnlineStorePage", page.id),
    }


def get_page(session: Session, page_id: str | int) -> Page:
    return get_or_404(session, Page, page_id)


def list_pages(session: Session, request: PageRequest) -> ResourcePage[Page]:
    return list_rows(session, Page, request)


def count_pages(session: Session, params: dict[str, str]) -> int:
    return count_rows(session, Page, params)


def _read(data: dict[str, Any], tz: ZoneInfo, *, creating: bool) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "title": form.text("title", required=creating or form.has("title")),
        "body_html": form.text("body_html", max_length=None),
        "author": form.text("author"),
        "handle": form.text("handle"),
        "template_suffix": form.text("template_suffix"),
        "published": form.boolean("published"),
        "published_at": form.timestamp("published_at"),
    }
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def _apply(session: Session, page: Page, values: dict[str, Any], now: datetime) -> bool:
    before = page.model_dump()
    assign(page, values, ("title",), nullable=("body_html", "author", "template_suffix"))
    if values.get("handle") or not page.handle:
        wanted = values.get("handle") or page.title
        page.handle = free_handle(session, pages_table, wanted, page.id, fallback="page")
    apply_publishing(page, values, now)
    return page.model_dump() != before


def build_page(
    session: Session,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> Page:
    """Validate, add and (when `record`) record `create`; no commit."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz, creating=True)
    values.setdefault("published", True)
    page = Page(title="", handle="", created_at=now, updated_at=now)
    _apply(session, page, values, now)
    session.add(page)
    session.flush()
    if record:
        page_created_event(session, page=page, author=author)
    return page


def create_page(session: Session, body: Any, *, author: str | None = None) -> Page:
    page = build_page(session, envelope(body, "page"), author=author)
    session.commit()
    return page


def update_page(session: Session, page: Page, body: Any, *, author: str | None = None) -> Page:
    values = _read(envelope(body, "page"), settings_of(session).tz, creating=False)
    now = utcnow()
    was_visible = page.visible
    changed = _apply(session, page, values, now)
    if changed:
        page.updated_at = now
    if page.visible and not was_visible:
        page_published_event(session, page=page, author=author)
    elif was_visible and not page.visible:
        page_unpublished_event(session, page=page, author=author)
    elif changed:
        page_updated_event(session, page=page, author=author)
    session.commit()
    return page


def destroy_page(session: Session, page: Page, *, author: str | None = None) -> None:
    page.updated_at = utcnow()
    page_destroyed_event(session, page=page, author=author)
    session.delete(page)
    session.commit()
