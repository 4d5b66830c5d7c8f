"""Bulk writers' stored renderings: each event's JSON made from its column values.

What app/services/rendered.py describes (the `rendered` column, stored *whole* here, id
included, and `rendered_created_at`), made many events at a time. It imports nothing of the
app but app.timeparse, so `generate`'s SQLite writer process (app/sqlite_bulk.py) renders
there, off the generating process: that process is the slower of the two
(docs/decisions.md).

tests/test_stored_rendering.py checks that what this makes is what the list's own renderer
(`services.events.render_row`) makes, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from app.timeparse import iso_renderer, sequential_renderer

# An event's fields, in the order the API renders them (and the events table holds them).
FIELDS = (
    "id",
    "subject_id",
    "created_at",
    "subject_type",
    "verb",
    "arguments",
    "body",
    "message",
    "author",
    "description",
    "path",
)


# `render(row)` -> the row's stored renderings: `rendered` and `rendered_created_at`.
Renderings = tuple[str | None, str]


def stored_renderer(
    zone: ZoneInfo, keys: Sequence[str] | None = None
) -> Callable[[Any], Renderings]:
    """`render(row)`: the event's whole JSON, created_at in `zone` (None where JSON can't hold
    a value, a lone surrogate: that row is then rendered from its columns when read), and
    that created_at's text.

    A row is a mapping of the columns (`keys` None) or a sequence of their values in `keys`
    order. Its created_at is a naive UTC datetime (`sequential_renderer`) or its ISO text as
    orjson writes one (`iso_renderer`); either mostly comes in time order."""
    # Where each field is in a row: its key, or its index in `keys`.
    where: Sequence[Any] = FIELDS if keys is None else [list(keys).index(f) for f in FIELDS]
    (
        ident,
        subject_id,
        at,
        subject_type,
        verb,
        arguments,
        body,
        message,
        author,
        description,
        path,
    ) = where
    by_text = iso_renderer(zone)
    by_value = sequential_renderer(zone)
    dumps = orjson.dumps

    def render(row: Any) -> Renderings:
        created = row[at]
        created = by_text(created) if type(created) is str else by_value(created)
        event = {  # FIELDS, in order: a dict display, 1.9 µs an event faster than dict(zip())
            "id": row[ident],
            "subject_id": row[subject_id],
            "created_at": created,
            "subject_type": row[subject_type],
            "verb": row[verb],
            "arguments": row[arguments],
            "body": row[body],
            "message": row[message],
            "author": row[author],
            "description": row[description],
            "path": row[path],
        }
        try:
            return dumps(event).decode(), created
        except orjson.JSONEncodeError:
            return None, created

    return render
