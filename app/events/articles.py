"""Article events: create, update (when the published state did not change), published,
unpublished, destroy. `article_url` is the article title linked to its admin page."""

from __future__ import annotations

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, record_event
from app.models.article import Article
from app.models.event import Event, SubjectType


def _record(
    session: Session, article: Article, verb: Verb, template: str, author: str | None
) -> Event:
    assert article.id is not None, "flush the article before recording its events"
    url = link(admin_url(session, f"articles/{article.id}"), article.title)
    return record_event(
        session,
        subject_type=SubjectType.ARTICLE,
        subject_id=article.id,
        verb=verb,
        message=template.format(article_url=url),
        arguments=[article.title],
        path=f"/admin/articles/{article.id}",
        author=author,
        created_at=article.created_at if verb is Verb.CREATE else article.updated_at,
    )


def article_created_event(
    session: Session, *, article: Article, author: str | None = None
) -> Event:
    return _record(session, article, Verb.CREATE, "New article created: {article_url}", author)


def article_updated_event(
    session: Session, *, article: Article, author: str | None = None
) -> Event:
    return _record(session, article, Verb.UPDATE, "{article_url} was updated.", author)


def article_published_event(
    session: Session, *, article: Article, author: str | None = None
) -> Event:
    return _record(session, article, Verb.PUBLISHED, "{article_url} was published.", author)


def article_unpublished_event(
    session: Session, *, article: Article, author: str | None = None
) -> Event:
    return _record(session, article, Verb.UNPUBLISHED, "{article_url} was unpublished.", author)


def article_destroyed_event(
    session: Session, *, article: Article, author: str | None = None
) -> Event:
    return _record(session, article, Verb.DESTROY, "{article_url} was destroyed.", author)
