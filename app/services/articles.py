"""Article actions (articles live in a blog): create, update, publish / unpublish (through
`published` or `published_at`), destroy. As the documentation's table says, `update` is recorded
for a change that leaves the published state alone; a PUT that publishes or hides the article
records `published` or `unpublished` only. Destroying an article deletes its comments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session

from app.clock import utcnow
from app.errors import NotFound
from app.events.articles import (
    article_created_event,
    article_destroyed_event,
    article_published_event,
    article_unpublished_event,
    article_updated_event,
)
from app.events.base import DEFAULT_AUTHOR, settings_of
from app.models.article import Article, articles_table
from app.models.blog import Blog
from app.models.comment import comments_table
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


def render_article(article: Article, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "created_at": ts(article.created_at, tz),
        "body_html": article.body_html,
        "blog_id": article.blog_id,
        "author": article.author,
        "user_id": article.user_id,
        "published_at": ts(article.published_at, tz),
        "updated_at": ts(article.updated_at, tz),
        "summary_html": article.summary_html,
        "template_suffix": article.template_suffix,
        "handle": article.handle,
        "tags": article.tags,
        "admin_graphql_api_id": gid("OnlineStoreArticle", article.id),
    }


def get_article(session: Session, blog: Blog, article_id: str | int) -> Article:
    article = get_or_404(session, Article, article_id)
    if article.blog_id != blog.id:
        raise NotFound()
    return article


def list_articles(session: Session, blog: Blog, request: PageRequest) -> ResourcePage[Article]:
    return list_rows(session, Article, request, [articles_table.c.blog_id == blog.id])


def count_articles(session: Session, blog: Blog, params: dict[str, str]) -> int:
    return count_rows(session, Article, params, [articles_table.c.blog_id == blog.id])


def _read(data: dict[str, Any], tz: ZoneInfo, *, creating: bool) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "title": form.text("title", required=creating or form.has("title")),
        "author": form.text("author"),
        "body_html": form.text("body_html", max_length=None),
        "summary_html": form.text("summary_html", max_length=None),
        "handle": form.text("handle"),
        "tags": form.tags(),
        "template_suffix": form.text("template_suffix"),
        "user_id": form.integer("user_id", minimum=1),
        "published": form.boolean("published"),
        "published_at": form.timestamp("published_at"),
    }
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def _apply(session: Session, article: Article, values: dict[str, Any], now: datetime) -> bool:
    before = article.model_dump()
    nullable = ("body_html", "summary_html", "template_suffix", "user_id")
    assign(article, values, ("title", "author", "tags"), nullable=nullable)
    if values.get("handle") or not article.handle:
        wanted = values.get("handle") or article.title
        same_blog = [articles_table.c.blog_id == article.blog_id]
        article.handle = free_handle(
            session, articles_table, wanted, article.id, same_blog, fallback="article"
        )
    apply_publishing(article, values, now)
    return article.model_dump() != before


def build_article(
    session: Session,
    blog: Blog,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> Article:
    """Validate, add and (when `record`) record `create`; no commit. The article's author
    defaults to the acting staff member (or "Shopify")."""
    now = now or utcnow()
    values = _read(data, settings_of(session).tz, creating=True)
    values.setdefault("published", True)
    if not values.get("author"):
        values["author"] = author or DEFAULT_AUTHOR
    assert blog.id is not None
    article = Article(blog_id=blog.id, title="", handle="", created_at=now, updated_at=now)
    _apply(session, article, values, now)
    session.add(article)
    session.flush()
    if record:
        article_created_event(session, article=article, author=author)
    return article


def create_article(
    session: Session, blog: Blog, body: Any, *, author: str | None = None
) -> Article:
    article = build_article(session, blog, envelope(body, "article"), author=author)
    session.commit()
    return article


def update_article(
    session: Session, article: Article, body: Any, *, author: str | None = None
) -> Article:
    values = _read(envelope(body, "article"), settings_of(session).tz, creating=False)
    now = utcnow()
    was_visible = article.visible
    changed = _apply(session, article, values, now)
    if changed:
        article.updated_at = now
    if article.visible and not was_visible:
        article_published_event(session, article=article, author=author)
    elif was_visible and not article.visible:
        article_unpublished_event(session, article=article, author=author)
    elif changed:
        article_updated_event(session, article=article, author=author)
    session.commit()
    return article


def destroy_article(session: Session, article: Article, *, author: str | None = None) -> None:
    article.updated_at = utcnow()
    article_destroyed_event(session, article=article, author=author)
    session.execute(delete(comments_table).where(comments_table.c.article_id == article.id))
    session.delete(article)
    session.commit()
