"""Collection events (custom and smart collections): create, update, published, unpublished
(shown as "hidden"), destroy. `collection_url` is the title linked to the admin page."""

from __future__ import annotations

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, record_event
from app.models.collection import Collection
from app.models.event import Event, SubjectType


def _record(
    session: Session, collection: Collection, verb: Verb, template: str, author: str | None
) -> Event:
    assert collection.id is not None, "flush the collection before recording its events"
    url = link(admin_url(session, f"collections/{collection.id}"), collection.title)
    return record_event(
        session,
        subject_type=SubjectType.COLLECTION,
        subject_id=collection.id,
        verb=verb,
        message=template.format(collection_url=url),
        arguments=[collection.title],
        path=f"/admin/collections/{collection.id}",
        author=author,
        created_at=collection.created_at if verb is Verb.CREATE else collection.updated_at,
    )


def collection_created_event(
    session: Session, *, collection: Collection, author: str | None = None
) -> Event:
    return _record(
        session, collection, Verb.CREATE, "New collection created: {collection_url}", author
    )


def collection_updated_event(
    session: Session, *, collection: Collection, author: str | None = None
) -> Event:
    return _record(session, collection, Verb.UPDATE, "{collection_url} was updated.", author)


def collection_published_event(
    session: Session, *, collection: Collection, author: str | None = None
) -> Event:
    return _record(session, collection, Verb.PUBLISHED, "{collection_url} was published.", author)


def collection_unpublished_event(
    session: Session, *, collection: Collection, author: str | None = None
) -> Event:
    return _record(session, collection, Verb.UNPUBLISHED, "{collection_url} was hidden.", author)


def collection_destroyed_event(
    session: Session, *, collection: Collection, author: str | None = None
) -> Event:
    return _record(session, collection, Verb.DESTROY, "{collection_url} was destroyed.", author)
