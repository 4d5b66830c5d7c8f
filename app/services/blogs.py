"""Blog actions: create, update, destroy. Destroying a blog deletes its articles and their
comments with it; only the blog's `destroy` is recorded (the articles' histories stay)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session

from app.clock import utcnow
from app.events.base import settings_of
from app.events.blogs import blog_created_event, blog_destroyed_event, blog_updated_event
from app.models.article import articles_table
from app.models.blog import Blog, blogs_table
from app.models.comment import comments_table
from app.services.resources import (
    PageRequest,
    ResourcePage,
    assign,
    count_rows,
    free_handle,
    get_or_404,
    gid,
    list_rows,
    ts,
)
from app.services.validation import Form, envelope, given

COMMENTABLE = ("no", "moderate", "yes")


def render_blog(blog: Blog, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": blog.id,
        "handle": blog.handle,
        "title": blog.title,
        "updated_at": ts(blog.updated_at, tz),
        "commentable": blog.commentable,
        "feedburner": blog.feedburner,
        "feedburner_location": blog.feedburner_location,
        "created_at": ts(blog.created_at, tz),
        "template_suffix": blog.template_suffix,
        "tags": blog.tags,
        "admin_graphql_api_id": gid("OnlineStoreBlog", blog.id),
    }


def get_blog(session: Session, blog_id: str | int) -> Blog:
    return get_or_404(session, Blog, blog_id)


def list_blogs(session: Session, request: PageRequest) -> ResourcePage[Blog]:
    return list_rows(session, Blog, request)


def count_blogs(session: Session, params: dict[str, str]) -> int:
    return count_rows(session, Blog, params)


def _read(data: dict[str, Any], tz: ZoneInfo, *, creating: bool) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "title": form.text("title", required=creating or form.has("title")),
        "handle": form.text("handle"),
        "commentable": form.choice("commentable", COMMENTABLE),
        "feedburner": form.text("feedburner"),
        "feedburner_location": form.text("feedburner_location"),
        "template_suffix": form.text("template_suffix"),
    }
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def _apply(session: Session, blog: Blog, values: dict[str, Any]) -> bool:
    before = blog.model_dump()
    nullable = ("feedburner", "feedburner_location", "template_suffix")
    assign(blog, values, ("title", "commentable"), nullable=nullable)
    if values.get("handle") or not blog.handle:
        wanted = values.get("handle") or blog.title
        blog.handle = free_handle(session, blogs_table, wanted, blog.id, fallback="blog")
    return blog.model_dump() != before


def build_blog(
    session: Session,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> Blog:
    """Validate, add and (when `record`) record `create`; no commit."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz, creating=True)
    blog = Blog(title="", handle="", created_at=now, updated_at=now)
    _apply(session, blog, values)
    session.add(blog)
    session.flush()
    if record:
        blog_created_event(session, blog=blog, author=author)
    return blog


def create_blog(session: Session, body: Any, *, author: str | None = None) -> Blog:
    blog = build_blog(session, envelope(body, "blog"), author=author)
    session.commit()
    return blog


def update_blog(session: Session, blog: Blog, body: Any, *, author: str | None = None) -> Blog:
    values = _read(envelope(body, "blog"), settings_of(session).tz, creating=False)
    if _apply(session, blog, values):
        blog.updated_at = utcnow()
        blog_updated_event(session, blog=blog, author=author)
    session.commit()
    return blog


def destroy_blog(session: Session, blog: Blog, *, author: str | None = None) -> None:
    blog.updated_at = utcnow()
    blog_destroyed_event(session, blog=blog, author=author)
    article_ids = select(articles_table.c.id).where(articles_table.c.blog_id == blog.id)
    session.execute(delete(comments_table).where(comments_table.c.article_id.in_(article_ids)))
    session.execute(delete(articles_table).where(articles_table.c.blog_id == blog.id))
    session.delete(blog)
    session.commit()
