"""Comment events: create, `New comment for <article_url>: <comment_excerpt>`.

The excerpt is the comment body with its whitespace collapsed, cut at a word boundary to at
most 50 characters (ending in `...` when cut).
"""

from __future__ import annotations

import textwrap

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, plain, record_event
from app.models.article import Article
from app.models.comment import Comment
from app.models.event import Event, SubjectType

EXCERPT_LENGTH = 50


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return textwrap.shorten(text, EXCERPT_LENGTH, placeholder="...") or text[:EXCERPT_LENGTH]


def comment_created_event(
    session: Session, *, comment: Comment, article: Article, author: str | None = None
) -> Event:
    assert comment.id is not None, "flush the comment before recording its events"
    excerpt = _excerpt(comment.body)
    url = link(admin_url(session, f"articles/{article.id}"), article.title)
    return record_event(
        session,
        subject_type=SubjectType.COMMENT,
        subject_id=comment.id,
        verb=Verb.CREATE,
        message=f"New comment for {url}: {plain(excerpt)}",
        arguments=[article.title, excerpt],
        path=f"/admin/comments/{comment.id}",
        author=author,
        created_at=comment.created_at,
    )
