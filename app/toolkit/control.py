"""What the control API does, apart from HTTP: reset the shop, inject events, move the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import Session, SQLModel

from app.clock import Clock, ClockMode
from app.errors import UnprocessableEntity
from app.models.event import Event
from app.models.event_count import (
    event_counts_table,
    rebuild_event_counts,
    suspend_event_counts,
)
from app.models.sandbox_state import sandbox_state_table
from app.seed import load_fixture, read_fixture
from app.services.event_import import import_events
from app.timeparse import render_timestamp
from app.toolkit.config import SandboxConfig, SandboxConfigUpdate


def reset_shop(session: Session, fixture: str | None, tz: ZoneInfo) -> int:
    """Delete every resource and event (not the sandbox's config and clock), then load
    `fixture`, in one transaction. Returns how many events the shop now has."""
    if fixture is not None:
        read_fixture(fixture)  # 404 for an unknown fixture, before anything is deleted
    # Without the count triggers, deleting every event is one quick statement (a SQLite row
    # trigger per deleted event costs ~1M triggers on a generated shop); then recount: nothing.
    suspend_event_counts(session.connection())
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table not in (sandbox_state_table, event_counts_table):
            session.execute(delete(table))
    rebuild_event_counts(session.connection())
    if fixture is None:
        session.commit()
        return 0
    load_fixture(session, fixture, tz)  # commits
    return len(read_fixture(fixture).get("events", []))


def inject(session: Session, body: Any, tz: ZoneInfo) -> list[Event]:
    """One event, a list of events, or `{"events": [...]}` / `{"event": {...}}`."""
    if isinstance(body, dict) and isinstance(body.get("events"), list):
        items: list[Any] = body["events"]
    elif isinstance(body, dict) and isinstance(body.get("event"), dict):
        items = [body["event"]]
    elif isinstance(body, dict):
        items = [body]
    elif isinstance(body, list):
        items = body
    else:
        raise UnprocessableEntity({"events": ["can't be blank"]})
    if not items:
        raise UnprocessableEntity({"events": ["can't be blank"]})
    created = import_events(session, items, tz)
    session.commit()
    return created


def _naive_utc(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)


def describe_clock(clock: Clock, tz: ZoneInfo) -> dict[str, Any]:
    now = clock.timestamp()
    return {
        "mode": clock.mode,
        "now": render_timestamp(_naive_utc(int(now)), tz),
        "frozen_at": render_timestamp(_naive_utc(clock.frozen_at), tz)
        if clock.mode == "frozen"
        else None,
        "offset_seconds": clock.offset if clock.mode == "offset" else 0.0,
    }


# Every stamp is a datetime: a clock outside these years could never stamp an event (a 500
# on the next write). The upper end leaves a year for an offset clock to run on.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 1, 1, tzinfo=UTC).timestamp()


def _in_range(clock: Clock) -> Clock:
    if not _EARLIEST <= clock.timestamp() <= _LATEST:  # NaN fails too
        raise UnprocessableEntity({"base": ["the clock would leave the years 1 to 9999"]})
    return clock


def next_clock(
    clock: Clock,
    mode: ClockMode | None,
    now: datetime | None,
    offset_seconds: float | None,
    advance_seconds: float | None,
) -> Clock:
    """`{"now": T}` freezes at T; `{"offset_seconds": N}` runs N seconds ahead of real time;
    `{"advance_seconds": N}` moves the current clock; `{"mode": "real"}` releases it."""
    target = now.replace(tzinfo=UTC).timestamp() if now is not None else None
    if mode is None:
        if target is not None:
            mode = "frozen"
        elif offset_seconds is not None:
            mode = "offset"
        elif advance_seconds is not None:
            return _in_range(clock.advanced(advance_seconds))
        else:
            raise UnprocessableEntity(
                {"base": ["give mode, now, offset_seconds or advance_seconds"]}
            )
    if mode == "real":
        result = Clock()
    elif mode == "frozen":
        result = Clock("frozen", frozen_at=target if target is not None else clock.timestamp())
    else:
        real = Clock().timestamp()
        if offset_seconds is not None:
            offset = offset_seconds
        elif target is not None:
            offset = target - real
        else:
            offset = clock.timestamp() - real
        result = Clock("offset", offset=offset)
    return _in_range(result.advanced(advance_seconds) if advance_seconds else result)


def merge_config(config: SandboxConfig, update: SandboxConfigUpdate) -> SandboxConfig:
    changes = update.model_dump(exclude_none=True)
    try:
        return config.merged(changes)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "base"
            errors.setdefault(name, []).append(err["msg"])
        raise UnprocessableEntity(errors) from None
