"""Each event's JSON, made once when the event is written and stored beside its columns.

A list page is then its rows' stored texts joined (`services.events.stored_json`), not
eleven columns a row turned into Python objects, a dict and JSON again: on a 1M-event shop
that was half of a page's in-process cost (263 -> 130 us).

The stored text (`events.rendered`) is the event's JSON object exactly as the list renders it.
A writer that knows the id (the bulk generator, which reserves its ids first:
app/bulk_render.py) stores it *whole*; one that renders before the database assigns the id
(the ORM writers) stores it without its leading `{"id":<id>`:

    {"id":1,"subject_id":450789469,"created_at":"2008-01-10T08:00:00-05:00",...}   whole
    ,"subject_id":450789469,"created_at":"2008-01-10T08:00:00-05:00",...}          the rest

Readers take both (`services.events.stored_json`). A page whose rows are all whole is
concatenated by SQLite itself (`services.events.stored_page`): no Python string per row.

`events.rendered_created_at` is the same text's `created_at` alone (`2008-01-10T08:00:00-05:00`),
for the pages that `fields` trims: they are made from the columns, by SQLite itself where it
can (`services.events.fields_page`), else from rows in Python, and either way this column
spares them rendering each event's timestamp again (a deep `fields=id,verb,created_at`
request, in-process: 854k -> 720k instructions read by rows, 594k written by SQLite). Every
writer of `rendered` writes it too, and it is never NULL where `rendered` is not (a row whose
JSON could not be stored still has its timestamp).

`created_at` in it is in the shop's *rendering zone*: the SHOP_TIMEZONE of the process that
created the database, kept in `sandbox_state` and never changed afterwards, so every process
sharing the database writes the same text. A server started with another SHOP_TIMEZONE (and
any row whose `rendered` is NULL: events written before the column existed, or by a writer
that does not make it) is rendered from the columns, as before: an answer never depends on
which process wrote an event, only its speed does.
"""

from __future__ import annotations

import weakref
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models.event import Event
from app.models.sandbox_state import sandbox_state_table
from app.services.events import render_row

RENDERING = "rendering"  # sandbox_state's row: {"timezone": "<IANA name>"}
_S = sandbox_state_table.c
# Engine -> its database's rendering zone, once read (it never changes once recorded).
_ZONES: weakref.WeakKeyDictionary[Engine, ZoneInfo] = weakref.WeakKeyDictionary()


def store_renderings(event: Event, zone: ZoneInfo) -> None:
    """Fill in the event's stored renderings, made by the list's own renderer (`render_row`,
    so never a byte apart): `rendered` minus its leading `{"id":<id>` (the id is null before
    the insert; it holds no comma), and `rendered_created_at`.

    `rendered` stays None where JSON can't hold a value (a lone surrogate): that row is
    rendered from its columns, which answers as it always did."""
    fields = render_row(event, zone, None)
    event.rendered_created_at = fields["created_at"]
    try:
        text = orjson.dumps(fields)
    except orjson.JSONEncodeError:
        event.rendered = None
        return
    event.rendered = text[text.index(b",") :].decode()


def record_rendering_zone(engine: Engine, timezone: str) -> str:
    """The database's rendering zone: `timezone` if none is recorded yet (the first process
    to create the shop decides), else the recorded one."""
    with Session(engine) as session:
        found = _read_zone(session.connection())
        if found is not None:
            return found
        try:
            session.execute(
                sandbox_state_table.insert().values(name=RENDERING, value={"timezone": timezone})
            )
            session.commit()
        except IntegrityError:
            session.rollback()  # another process creating the same shop recorded it first
        found = _read_zone(session.connection())
    return found or timezone


def rendering_zone(session: Session) -> ZoneInfo | None:
    """The zone a writer renders in (None: not recorded, the writer leaves `rendered` NULL)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    zone = _ZONES.get(engine)
    if zone is None:
        name = _read_zone(session.connection())
        if name is None:
            return None
        zone = _ZONES.setdefault(engine, ZoneInfo(name))
    return zone


def _read_zone(conn: Connection) -> str | None:
    value = conn.execute(select(_S.value).where(_S.name == RENDERING)).scalar()
    name = value.get("timezone") if isinstance(value, dict) else None
    return name if isinstance(name, str) else None
