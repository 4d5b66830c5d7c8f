"""Comment actions: create (the only documented comment verb) and the reads.

A comment is created on an article (`article_id`, and optionally `blog_id`, in the body, as
Shopify's REST API takes them). Its status follows the blog's `commentable`: `yes` publishes it
at once, otherwise it awaits moderation (`unapproved`).
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.clock import utcnow
from app.errors import NotFound, UnprocessableEntity
from app.events.base import settings_of
from app.events.comments import comment_created_event
from app.models.article import Article
from app.models.blog import Blog
from app.models.comment import Comment, comments_table
from app.services.resources import (
    PageRequest,
    ResourcePage,
    count_rows,
    get_or_404,
    list_rows,
    parse_id,
    ts,
)
from app.services.validation import INVALID, Form, envelope, given


def render_comment(comment: Comment, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": comment.id,
        "body": comment.body,
        "body_html": f"<p>{html.escape(comment.body, quote=False)}</p>",
        "author": comment.author,
        "email": comment.email,
        "status": comment.status,
        "article_id": comment.article_id,
        "blog_id": comment.blog_id,
        "created_at": ts(comment.created_at, tz),
        "updated_at": ts(comment.updated_at, tz),
        "ip": comment.ip,
        "user_agent": comment.user_agent,
        "published_at": ts(comment.published_at, tz),
    }


def _scope(params: dict[str, str]) -> list[Any]:
    c = comments_table.c
    out: list[Any] = []
    for name, column in (("article_id", c.article_id), ("blog_id", c.blog_id)):
        if params.get(name, "").strip():
            out.append(column == parse_id(params[name].strip()))
    return out


def get_comment(session: Session, comment_id: str | int) -> Comment:
    return get_or_404(session, Comment, comment_id)


def list_comments(session: Session, request: PageRequest) -> ResourcePage[Comment]:
    return list_rows(session, Comment, request, _scope(request.params))


def count_comments(session: Session, params: dict[str, str]) -> int:
    return count_rows(session, Comment, params, _scope(params))


def _read(data: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    form = Form(data, tz)
    values = {
        "body": form.text("body", required=True, max_length=65_535),
        "author": form.text("author", required=True),
        "email": form.text("email", required=True),
        "ip": form.text("ip", max_length=64),
        "user_agent": form.text("user_agent", max_length=512),
        "article_id": form.integer("article_id", minimum=1),
        "blog_id": form.integer("blog_id", minimum=1),
    }
    email = values["email"]
    if isinstance(email, str) and "@" not in email.strip("@"):
        form.error("email", INVALID)
    article_id = values["article_id"]
    if (article_id is None or not given(article_id)) and "article_id" not in form.errors:
        form.error("article_id", "can't be blank")
    form.check()
    return {k: v for k, v in values.items() if given(v)}


def build_comment(
    session: Session,
    data: dict[str, Any],
    *,
    author: str | None = None,
    now: datetime | None = None,
    record: bool = True,
) -> Comment:
    """Validate, add and (when `record`) record `create`; no commit. An unknown article (or a
    blog that does not hold it) is a 404, like a missing parent on Shopify."""
    values = _read(data, settings_of(session).tz)
    article = session.get(Article, values["article_id"])
    if article is None:
        raise NotFound()
    if values.get("blog_id") not in (None, article.blog_id):
        raise NotFound()
    blog = session.get(Blog, article.blog_id)
    if blog is None:  # pragma: no cover - the foreign key keeps articles in a blog
        raise UnprocessableEntity({"blog_id": [INVALID]})
    now = now or utcnow()
    published = blog.commentable == "yes"
    assert article.id is not None
    comment = Comment(
        article_id=article.id,
        blog_id=article.blog_id,
        body=values["body"],
        author=values["author"],
        email=values["email"].strip(),
        ip=values.get("ip"),
        user_agent=values.get("user_agent"),
        status="published" if published else "unapproved",
        published_at=now if published else None,
        created_at=now,
        updated_at=now,
    )
    session.add(comment)
    session.flush()
    if record:
        comment_created_event(session, comment=comment, article=article, author=author)
    return comment


def create_comment(session: Session, body: Any, *, author: str | None = None) -> Comment:
    comment = build_comment(session, envelope(body, "comment"), author=author)
    session.commit()
    return comment
