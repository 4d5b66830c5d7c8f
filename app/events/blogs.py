"""Blog events: create (`new_blog_url`, the linked title), update and destroy (`blog_name`,
the plain title)."""

from __future__ import annotations

from sqlmodel import Session

from app.events.base import Verb, admin_url, link, plain, record_event
from app.models.blog import Blog
from app.models.event import Event, SubjectType


def _record(session: Session, blog: Blog, verb: Verb, message: str, author: str | None) -> Event:
    assert blog.id is not None, "flush the blog before recording its events"
    return record_event(
        session,
        subject_type=SubjectType.BLOG,
        subject_id=blog.id,
        verb=verb,
        message=message,
        arguments=[blog.title],
        path=f"/admin/blogs/{blog.id}",
        author=author,
        created_at=blog.created_at if verb is Verb.CREATE else blog.updated_at,
    )


def blog_created_event(session: Session, *, blog: Blog, author: str | None = None) -> Event:
    url = link(admin_url(session, f"blogs/{blog.id}"), blog.title)
    return _record(session, blog, Verb.CREATE, f"New blog created: {url}", author)


def blog_updated_event(session: Session, *, blog: Blog, author: str | None = None) -> Event:
    return _record(session, blog, Verb.UPDATE, f"{plain(blog.title)} was updated.", author)


def blog_destroyed_event(session: Session, *, blog: Blog, author: str | None = None) -> Event:
    return _record(session, blog, Verb.DESTROY, f"{plain(blog.title)} was destroyed.", author)
