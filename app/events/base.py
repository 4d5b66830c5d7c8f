"""What every recorder shares: the verb vocabulary, admin links and the Event row itself."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from app.clock import utcnow
from app.config import Settings, get_settings
from app.models.event import Event, SubjectType
from app.services.rendered import rendering_zone, store_renderings

DEFAULT_AUTHOR = "Shopify"
# `session.info[EVENT_SINK]`: a list that takes the recorded events instead of the session
# (the bulk generator's batch mode, app/generate.py: the same recorders, no unit of work).
EVENT_SINK = "event_sink"
_TAG = re.compile(r"<[^>]+>")


class Verb(StrEnum):
    """Every verb of the documentation's tables (Shopify's literals)."""

    CREATE = "create"
    UPDATE = "update"
    DESTROY = "destroy"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    AUTHORIZATION_FAILURE = "authorization_failure"
    AUTHORIZATION_PENDING = "authorization_pending"
    AUTHORIZATION_SUCCESS = "authorization_success"
    CANCELLED = "cancelled"
    CAPTURE_FAILURE = "capture_failure"
    CAPTURE_PENDING = "capture_pending"
    CAPTURE_SUCCESS = "capture_success"
    CLOSED = "closed"
    CONFIRMED = "confirmed"
    FULFILLMENT_CANCELLED = "fulfillment_cancelled"
    FULFILLMENT_PENDING = "fulfillment_pending"
    FULFILLMENT_SUCCESS = "fulfillment_success"
    MAIL_SENT = "mail_sent"
    PLACED = "placed"
    RE_OPENED = "re_opened"
    REFUND_FAILURE = "refund_failure"
    REFUND_PENDING = "refund_pending"
    REFUND_SUCCESS = "refund_success"
    RESTOCK_LINE_ITEMS = "restock_line_items"
    SALE_FAILURE = "sale_failure"
    SALE_PENDING = "sale_pending"
    SALE_SUCCESS = "sale_success"
    VOID_FAILURE = "void_failure"
    VOID_PENDING = "void_pending"
    VOID_SUCCESS = "void_success"


def settings_of(session: Session) -> Settings:
    """The settings of the app that opened this session (see app.db.get_session)."""
    settings = session.info.get("settings")
    return settings if isinstance(settings, Settings) else get_settings()


def admin_url(session: Session, path: str) -> str:
    """An absolute admin link on the configured shop domain: `admin_url(s, "orders/1")`."""
    return f"https://{settings_of(session).shop_domain}/admin/{path}"


def link(url: str, text: str) -> str:
    return f'<a href="{url}">{html.escape(text, quote=False)}</a>'


def plain(text: str) -> str:
    """Text placed in a message without a link (escaped, so the description gives it back)."""
    return html.escape(text, quote=False)


def strip_html(message: str) -> str:
    """The description: the message without its HTML."""
    return html.unescape(_TAG.sub("", message))


def record_event(
    session: Session,
    *,
    subject_type: SubjectType,
    subject_id: int,
    verb: Verb,
    message: str,
    arguments: Sequence[object] = (),
    path: str | None = None,
    author: str | None = None,
    body: str | None = None,
    created_at: datetime | None = None,
) -> Event:
    values: dict[str, Any] = {
        "subject_id": subject_id,
        "created_at": created_at or utcnow(),
        # `_value_`, the member's plain attribute: `.value` is a property, ~1.6k instructions a
        # read (3% of generate's walk).
        "subject_type": subject_type._value_,
        "verb": verb._value_,
        "arguments": [str(a) for a in arguments],
        "body": body,
        "message": message,
        "author": author or DEFAULT_AUTHOR,
        "description": strip_html(message),
        "path": path,
    }
    sink = session.info.get(EVENT_SINK)
    if sink is not None:
        # Batch mode: a plain Event (unvalidated, never attached), stored by the batch writer.
        event = object.__new__(Event)
        event.__dict__.update(values)
        sink.append(event)
        return event
    event = Event(**values)
    zone = rendering_zone(session)
    if zone is not None:
        store_renderings(event, zone)
    session.add(event)
    return event
