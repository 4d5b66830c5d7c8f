"""Writing events given as Shopify JSON (fixtures, injection, import), validated first.

Rows may carry `id` and `created_at`; missing ids are assigned after the current maximum, so
ids stay strictly increasing. Every row is validated before anything is written: one bad row
means nothing is written (422 `{"errors": {"events[3].verb": ["can't be blank"]}}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from app.clock import utcnow
from app.db import reserve_ids, sync_id_sequences
from app.errors import UnprocessableEntity
from app.models.event import Event, SubjectType, events_table
from app.services.rendered import rendering_zone, store_renderings
from app.timeparse import parse_timestamp

_MAX_ID = 2**63 - 1
_TEXT_FIELDS = ("message", "author", "description")


def _problems(item: Any, tz: ZoneInfo) -> dict[str, str]:
    if not isinstance(item, dict):
        return {"base": "must be an object"}
    out: dict[str, str] = {}
    if "id" in item and item["id"] is not None:
        value = item["id"]
        if type(value) is not int or not 0 < value <= _MAX_ID:
            out["id"] = "must be a positive integer"
    sid = item.get("subject_id")
    if type(sid) is not int or not 0 < sid <= _MAX_ID:
        out["subject_id"] = "must be a positive integer"
    if item.get("subject_type") not in {s.value for s in SubjectType}:
        out["subject_type"] = "is not included in the list"
    verb = item.get("verb")
    if not isinstance(verb, str) or not verb.strip() or len(verb) > 64:
        out["verb"] = "can't be blank" if not verb else "is invalid"
    created = item.get("created_at")
    if created is not None and (
        not isinstance(created, str) or parse_timestamp(created, tz) is None
    ):
        out["created_at"] = "is invalid"
    args = item.get("arguments", [])
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        out["arguments"] = "must be a list of strings"
    for name in (*_TEXT_FIELDS, "body", "path"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            out[name] = "must be a string"
    return out


def import_events(session: Session, items: Sequence[Any], tz: ZoneInfo) -> list[Event]:
    """Validate all, then add all (no commit: the caller's transaction decides)."""
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        for name, problem in _problems(item, tz).items():
            errors.setdefault(f"events[{index}].{name}", []).append(problem)
    given = [item["id"] for item in items if isinstance(item, dict) and item.get("id")]
    if len(given) != len(set(given)):
        errors.setdefault("id", []).append("has already been taken")
    if given:
        ids = events_table.c.id
        clash = session.execute(select(ids).where(ids.in_(given))).first()
        if clash is not None:
            errors.setdefault("id", []).append(f"{clash[0]} has already been taken")
    if errors:
        raise UnprocessableEntity(errors)
    missing = sum(1 for item in items if not item.get("id"))
    fresh = iter(reserve_ids(session, events_table, missing, max(given, default=0)))
    now = utcnow()
    zone = rendering_zone(session)
    out: list[Event] = []
    for item in items:
        event_id = item.get("id") or next(fresh)
        created = item.get("created_at")
        event = Event(
            id=event_id,
            subject_id=item["subject_id"],
            created_at=parse_timestamp(created, tz) if created else now,  # type: ignore[arg-type]
            subject_type=item["subject_type"],
            verb=item["verb"].strip(),
            arguments=[str(a) for a in item.get("arguments", [])],
            body=item.get("body"),
            message=item.get("message") or "",
            author=item.get("author") or "Shopify",
            description=item.get("description") or "",
            path=item.get("path"),
        )
        if zone is not None:
            store_renderings(event, zone)
        session.add(event)
        out.append(event)
    session.flush()
    sync_id_sequences(session)
    return out
