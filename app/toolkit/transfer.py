"""`export` and `import`: a shop's events as Shopify JSON, for sharing fixtures between teams.

json
    `{"events": [...]}`: each event exactly as `GET /admin/api/{version}/events.json` renders it
    (timestamps in the shop's time zone). Such a file is also a valid `seed/` fixture.
ndjson
    One event object per line, in id order; streams any size of shop.

`import` reads either form (and a bare JSON list), validates every row, and writes them all in
one transaction (nothing on the first bad row), keeping the given ids and timestamps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, Literal
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.bulk_render import FIELDS
from app.models.event import events_table
from app.services.event_import import import_events
from app.services.events import render_row

ExportFormat = Literal["json", "ndjson"]
_BATCH = 5_000
T = events_table.c


def iter_events(engine: Engine, tz: ZoneInfo) -> Iterator[dict[str, Any]]:
    """Every event in id order, read in keyset batches."""
    columns = [T[name] for name in FIELDS]
    last = 0
    with Session(engine) as session:
        while True:
            stmt = select(*columns).where(T.id > last).order_by(T.id).limit(_BATCH)
            rows = session.execute(stmt).all()
            if not rows:
                return
            for row in rows:
                yield render_row(row, tz, None)
            last = rows[-1].id


def export_events(engine: Engine, tz: ZoneInfo, out: BinaryIO, fmt: ExportFormat) -> int:
    count = 0
    if fmt == "ndjson":
        for event in iter_events(engine, tz):
            out.write(orjson.dumps(event) + b"\n")
            count += 1
        return count
    out.write(b'{"events": [\n')
    for event in iter_events(engine, tz):
        out.write((b",\n" if count else b"") + orjson.dumps(event))
        count += 1
    out.write(b"\n]}\n")
    return count


def read_events(raw: bytes) -> list[Any]:
    """The rows of a json (`{"events": [...]}` or `[...]`) or ndjson export."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        rows: list[Any] = data["events"]
        return rows
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "subject_type" in data:
        return [data]  # ndjson with a single line
    rows = []
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(orjson.loads(line))
        except orjson.JSONDecodeError:
            raise ValueError(f"line {number}: not JSON") from None
    return rows


def import_into(engine: Engine, rows: list[Any], tz: ZoneInfo) -> int:
    """Validate and write all rows in one transaction (UnprocessableEntity: nothing written)."""
    with Session(engine) as session:
        created = import_events(session, rows, tz)
        session.commit()
        return len(created)
