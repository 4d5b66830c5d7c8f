"""Page events: create, update, published, unpublished (shown as "hidden"), destroy.
`page_url` is the page title linked to its admin page."""

from __future__ import annotations

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, record_event
from app.models.event import Event, SubjectType
from app.models.page import Page


def _record(session: Session, page: Page, verb: Verb, template: str, author: str | None) -> Event:
    assert page.id is not None, "flush the page before recording its events"
    url = link(admin_url(session, f"pages/{page.id}"), page.title)
    return record_event(
        session,
        subject_type=SubjectType.PAGE,
        subject_id=page.id,
        verb=verb,
        message=template.format(page_url=url),
        arguments=[page.title],
        path=f"/admin/pages/{page.id}",
        author=author,
        created_at=page.created_at if verb is Verb.CREATE else page.updated_at,
    )


def page_created_event(session: Session, *, page: Page, author: str | None = None) -> Event:
    return _record(session, page, Verb.CREATE, "New page created: {page_url}", author)


def page_updated_event(session: Session, *, page: Page, author: str | None = None) -> Event:
    return _record(session, page, Verb.UPDATE, "{page_url} was updated.", author)


def page_published_event(session: Session, *, page: Page, author: str | None = None) -> Event:
    return _record(session, page, Verb.PUBLISHED, "{page_url} was published.", author)


def page_unpublished_event(session: Session, *, page: Page, author: str | None = None) -> Event:
    return _record(session, page, Verb.UNPUBLISHED, "{page_url} was hidden.", author)


def page_destroyed_event(session: Session, *, page: Page, author: str | None = None) -> Event:
    return _record(session, page, Verb.DESTROY, "{page_url} was destroyed.", author)
