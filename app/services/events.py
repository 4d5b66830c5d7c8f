"""The event READ side: one filter builder for list, count, nested and cursor routes.

`EventFilters` holds every filter Shopify accepts (and the nested route's subject);
`conditions()` turns it into SQL; `list_page()` and `count()` both use it, so a list and its
count can never disagree. The same filters ride inside page_info (`to_cursor`/`from_cursor`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    LargeBinary,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlmodel import Session

from app.bulk_render import FIELDS
from app.errors import ShopifyError, invalid_param
from app.models.event import SubjectType, events_table
from app.pagination import MAX_CURSOR_ID, Cursor
from app.services.event_counts import Span, summary_count
from app.services.reader import EventReader
from app.timeparse import (
    cursor_timestamp,
    minute_cache,
    parse_timestamp,
    timestamp_renderer,
)

T = events_table.c

# created_at and arguments are read as the driver returns them (no per-row type processing):
# render_row parses SQLite's text (C-speed fromisoformat and orjson).
_RAW = {"created_at", "arguments"}
_COLUMNS = {n: type_coerce(T[n], String) if n in _RAW else T[n] for n in FIELDS}
_COLUMNS["rendered"] = T.rendered
# A `fields` page's created_at where the stored renderings are in this server's zone
# (`page_columns`): the stored text (app/services/rendered.py), else, in a row without one,
# UNRENDERED and the stored UTC time as text, which `_field_maker` renders as before.
STORED_CREATED_AT = "rendered_created_at"
UNRENDERED = " "  # no rendered timestamp starts so
_UTC_TEXT: dict[str, ColumnElement[str]] = {
    "sqlite": type_coerce(T.created_at, String),  # as stored: `2008-01-10 13:00:00.000000`
    "postgresql": func.to_char(T.created_at, literal_column("'YYYY-MM-DD HH24:MI:SS'")),
}
# A page read from the stored renderings (app/services/rendered.py): the id and the rest.
STORED = ("id", "rendered")
_SUBJECT_TYPES = {s.value.lower(): s.value for s in SubjectType}
_MAX_ID = 2**63 - 1
# ASCII digits only: str.isdigit() also admits "²" (which int() refuses) and "٣" (which it reads).
_ID = re.compile(r"[0-9]{1,19}")
# What a page_info cursor may carry, and the JSON type of each (anything else: 400).
_CURSOR_KEYS: dict[str, type] = {
    "created_at_min": str,
    "created_at_max": str,
    "filter": str,
    "verb": str,
    "since_id": int,
    "subject_type": str,
    "subject_id": int,
}


@dataclass(slots=True)
class EventFilters:
    """Not frozen: a frozen dataclass sets each of these seven fields through
    `object.__setattr__`, which made building one (every request builds one or two) cost
    about three times as much (13,500 against 4,100 instructions)."""

    subject_types: tuple[str, ...] | None = None
    verb: str | None = None
    since_id: int | None = None
    created_at_min: datetime | None = None
    created_at_max: datetime | None = None
    subject_type: str | None = None  # nested routes: /orders/{id}/events.json
    subject_id: int | None = None

    @classmethod
    def from_params(cls, params: dict[str, str], tz: ZoneInfo) -> EventFilters:
        return cls(
            subject_types=_parse_filter(params.get("filter")),
            verb=_parse_verb(params.get("verb")),
            since_id=_parse_id(params.get("since_id"), "since_id"),
            created_at_min=_parse_time(params.get("created_at_min"), "created_at_min", tz),
            created_at_max=_parse_time(params.get("created_at_max"), "created_at_max", tz),
        )

    def scoped(self, subject_type: str, subject_id: int) -> EventFilters:
        return EventFilters(
            self.subject_types,
            self.verb,
            self.since_id,
            self.created_at_min,
            self.created_at_max,
            subject_type,
            subject_id,
        )

    def to_cursor(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.created_at_min is not None:
            out["created_at_min"] = cursor_timestamp(self.created_at_min)
        if self.created_at_max is not None:
            out["created_at_max"] = cursor_timestamp(self.created_at_max)
        if self.subject_types is not None:
            out["filter"] = ",".join(self.subject_types)
        if self.verb is not None:
            out["verb"] = self.verb
        if self.since_id is not None:
            out["since_id"] = self.since_id
        if self.subject_type is not None:
            out["subject_type"] = self.subject_type
            out["subject_id"] = self.subject_id
        return out

    @classmethod
    def from_cursor(cls, data: dict[str, Any]) -> EventFilters:
        """The filters a page_info carries. Signed, but still checked: a wrong key or type,
        or a value the query string would refuse, is an invalid page_info."""
        if any(type(v) is not _CURSOR_KEYS.get(k) for k, v in data.items()):
            raise invalid_param("page_info")
        try:
            filters = cls.from_params(
                {k: str(v) for k, v in data.items() if k not in ("subject_type", "subject_id")},
                ZoneInfo("UTC"),
            )
        except ShopifyError:
            raise invalid_param("page_info") from None
        subject_type = data.get("subject_type")
        subject_id = data.get("subject_id")
        if subject_type is None and subject_id is None:
            return filters
        if not isinstance(subject_type, str) or subject_type not in _SUBJECT_TYPES.values():
            raise invalid_param("page_info")
        if not isinstance(subject_id, int) or not 0 < subject_id <= _MAX_ID:
            raise invalid_param("page_info")
        return filters.scoped(subject_type, subject_id)

    def params(self) -> dict[str, Any]:
        """The values `conditions()` binds, by parameter name; the names alone are its shape."""
        out: dict[str, Any] = {}
        if self.subject_type is not None:
            out["scope_type"] = self.subject_type
            out["scope_id"] = self.subject_id
        if self.subject_types is not None:
            for i, name in enumerate(self.subject_types):
                out[f"type_{i}"] = name
        if self.verb is not None:
            out["verb"] = self.verb
        if self.since_id is not None:
            out["since_id"] = self.since_id
        if self.created_at_min is not None:
            out["created_at_min"] = self.created_at_min
        if self.created_at_max is not None:
            out["created_at_max"] = self.created_at_max
        return out

    def conditions(self) -> list[ColumnElement[bool]]:
        return conditions(self.params())


def conditions(params: dict[str, Any]) -> list[ColumnElement[bool]]:
    """The WHERE terms for `EventFilters.params()` (plus `hidden_*` ids): one builder for all."""
    out: list[ColumnElement[bool]] = []
    types = [_bind(n, v, "subject_type") for n, v in params.items() if n.startswith("type_")]
    hidden = [_bind(n, v, "id") for n, v in params.items() if n.startswith("hidden_")]
    for name, value in params.items():
        if name == "type_0":
            out.append(T.subject_type == types[0] if len(types) == 1 else T.subject_type.in_(types))
        elif name in _PARAM_TERMS:
            column, compare = _PARAM_TERMS[name]
            out.append(compare(T[column], _bind(name, value, column)))
    if hidden:
        out.append(T.id.not_in(hidden))
    return out


def _bind(name: str, value: Any, column: str) -> BindParameter[Any]:
    return bindparam(name, value, type_=T[column].type)


_PARAM_TERMS: dict[str, tuple[str, Callable[[Any, Any], ColumnElement[bool]]]] = {
    "scope_type": ("subject_type", operator.eq),
    "scope_id": ("subject_id", operator.eq),
    "verb": ("verb", operator.eq),
    "since_id": ("id", operator.gt),
    "created_at_min": ("created_at", operator.ge),
    "created_at_max": ("created_at", operator.le),
}


# No subject type or verb holds a control character, and PostgreSQL refuses NUL in a string
# parameter outright: such a value is refused before it reaches SQL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _parse_filter(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    if _CONTROL.search(raw.strip()):
        raise invalid_param("filter")
    names = [p.strip() for p in raw.split(",") if p.strip()]
    if not names:
        return None
    # Known types are matched case-insensitively; an unknown one simply matches no event.
    return tuple(dict.fromkeys(_SUBJECT_TYPES.get(n.lower(), n[:64]) for n in names))


def _parse_verb(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if _CONTROL.search(raw.strip()):
        raise invalid_param("verb")
    return raw.strip()[:64]


def _parse_id(raw: str | None, name: str) -> int | None:
    if raw is None or raw.strip() == "":
        return None
    value = parse_event_id(raw.strip())
    if value is None:
        raise invalid_param(name)
    return value


def _parse_time(raw: str | None, name: str, tz: ZoneInfo) -> datetime | None:
    if raw is None or raw.strip() == "":
        return None
    value = parse_timestamp(raw, tz)
    if value is None:
        raise invalid_param(name)
    return value


def parse_event_id(raw: str) -> int | None:
    """A 64-bit id in ASCII digits, else None."""
    if not _ID.fullmatch(raw) or int(raw) > _MAX_ID:
        return None
    return int(raw)


@lru_cache(maxsize=256)
def parse_fields(raw: str | None) -> tuple[str, ...] | None:
    """Known names in canonical order; unknown names are ignored (none known: every field).
    Remembered: a client sends the same list on every page."""
    if raw is None:
        return None
    wanted = {p.strip() for p in raw.split(",")}
    chosen = tuple(f for f in FIELDS if f in wanted)
    return chosen or None


# ---- rendering -------------------------------------------------------------------------


def render_row(row: Any, tz: ZoneInfo, fields: tuple[str, ...] | None) -> dict[str, Any]:
    """One event in Shopify's key order; `row` is a result row or an Event."""
    return render_rows([tuple(getattr(row, name) for name in FIELDS)], tz, fields)[0]


def render_rows(
    rows: Sequence[Sequence[Any]], tz: ZoneInfo, fields: tuple[str, ...] | None
) -> list[dict[str, Any]]:
    """Events in Shopify's key order from rows of FIELDS' values (the read path's hot loop)."""
    stamp = timestamp_renderer(tz)
    minutes = minute_cache(tz)
    loads = orjson.loads
    out = []
    for r in rows:
        arguments = r[5]
        created_at = r[2]
        # timestamp_renderer's cache hit, inlined: one dict lookup per event.
        cached = minutes.get(created_at[:16]) if type(created_at) is str else None
        if cached is not None and len(created_at) >= 19:
            created_at = f"{cached[0]}{created_at[16:19]}{cached[1]}"
        else:
            created_at = stamp(created_at)
        out.append(
            {
                "id": r[0],
                "subject_id": r[1],
                "created_at": created_at,
                "subject_type": r[3],
                "verb": r[4],
                "arguments": loads(arguments) if isinstance(arguments, str) else arguments,
                "body": r[6],
                "message": r[7],
                "author": r[8],
                "description": r[9],
                "path": r[10],
            }
        )
    if fields is None:
        return out
    return [{f: event[f] for f in fields} for event in out]


def stored_json(rows: Sequence[Sequence[Any]]) -> str | None:
    """`[event,...]` from rows of STORED; None if a row has no stored rendering."""
    parts = []
    for event_id, rendered in rows:
        if rendered is None:
            return None
        parts.append(whole(event_id, rendered))
    return "[" + ",".join(parts) + "]"


def whole(event_id: int, rendered: str) -> str:
    """A stored rendering as the event's JSON object: as stored when whole, else after its
    `{"id":<id>` (app/services/rendered.py)."""
    return rendered if rendered[:1] == "{" else f'{{"id":{event_id}{rendered}'


def render_fields(
    rows: Sequence[Sequence[Any]],
    tz: ZoneInfo,
    fields: tuple[str, ...],
    stored_created_at: bool = False,
) -> list[dict[str, Any]]:
    """Events holding only `fields`, from rows of `page_columns(fields, stored_created_at)`:
    the fields in order, after the id when the id is not one of them."""
    make = _field_maker(fields, stored_created_at)
    return make(rows, minute_cache(tz).get, timestamp_renderer(tz), orjson.loads)


# (rows, the zone's minute cache's get, its timestamp renderer, orjson.loads) -> events
FieldMaker = Callable[
    [Sequence[Sequence[Any]], Callable[[str], Any], Callable[[Any], str], Callable[[Any], Any]],
    list[dict[str, Any]],
]
_FIELD_MAKERS: dict[tuple[tuple[str, ...], bool], FieldMaker] = {}
# `created_at` as render_rows renders it: the minute cache's hit inlined (SQLite's text),
# else the renderer (a new minute, an offset with seconds, PostgreSQL's datetime).
_CREATED_AT = (
    "(f'{c[0]}{v[16:19]}{c[1]}' if type(v := %s) is str and len(v) >= 19"
    " and (c := get(v[:16])) is not None else stamp(v))"
)
# ...or as stored (STORED_CREATED_AT), where it was.
_STORED_CREATED_AT = f"(v if (v := %s)[0] != {UNRENDERED!r} else stamp(v[1:]))"
_ARGUMENTS = "(loads(a) if type(a := %s) is str else a)"


def _field_maker(fields: tuple[str, ...], stored_created_at: bool) -> FieldMaker:
    """The page's events for these fields as one list comprehension of dict displays, made
    once per fields tuple: no call per event, and a third of `dict(zip(fields, row))`'s time.
    Its source is made of FIELDS' own names and row indices only: `parse_fields` admits no
    other name, and this refuses one (tests/test_render_fields.py checks every subset)."""
    make = _FIELD_MAKERS.get((fields, stored_created_at))
    if make is None:
        if not fields or not set(fields) <= set(FIELDS):
            raise ValueError(f"not event fields: {fields!r}")
        skip = 0 if fields[0] == "id" else 1
        created_at = _STORED_CREATED_AT if stored_created_at else _CREATED_AT
        shapes = {"created_at": created_at, "arguments": _ARGUMENTS}
        items = []
        for i, name in enumerate(fields):
            at = f"r[{i + skip}]"
            items.append(f"{name!r}: {shapes[name] % at if name in shapes else at}")
        source = f"lambda rows, get, stamp, loads: [{{{', '.join(items)}}} for r in rows]"
        make = _FIELD_MAKERS[fields, stored_created_at] = eval(source, {})
    return make


# ---- queries ---------------------------------------------------------------------------


@dataclass(slots=True)
class Page:
    rows: list[tuple[Any, ...]]
    previous: Cursor | None
    next: Cursor | None


# Keyset edges of a page: rows after or before a pivot id.
_EDGES: dict[str, Callable[[Any, Any], ColumnElement[bool]]] = {
    "after": operator.gt,
    "before": operator.lt,
    "through": operator.le,
    "from": operator.ge,
}
# An edge's far side, its pivot included: where the events beyond a page's cursor are.
_BEYOND = {"after": "through", "before": "from"}


def _far_side(values: dict[str, Any], edge: str) -> ColumnElement[bool]:
    """The ids on the far side of `edge`, bound to the edge's own parameter (one value in
    the statement for both the page and the check beyond it)."""
    pivot = bindparam(edge, values[edge], type_=T.id.type)
    return _EDGES[_BEYOND[edge]](T.id, pivot)


def hidden_ids(session: Session) -> Sequence[int]:
    """Events still inside the sandbox's visibility lag (none without a lag)."""
    hidden = session.info.get("hidden_events")
    return hidden(session) if hidden is not None else ()


def visibility(session: Session) -> list[ColumnElement[bool]]:
    """Hide events still inside the sandbox's visibility lag (no condition without a lag).

    Applied by list, count and single alike, so they always agree.
    """
    ids = hidden_ids(session)
    return [T.id.not_in(ids)] if ids else []


def _values(filters: EventFilters, hidden: Sequence[int]) -> dict[str, Any]:
    values = filters.params()
    for i, event_id in enumerate(hidden):
        values[f"hidden_{i}"] = event_id
    return values


def _edge(values: dict[str, Any], edge: str | None) -> list[ColumnElement[bool]]:
    if edge is None:
        return []
    return [_EDGES[edge](T.id, bindparam(edge, values[edge], type_=T.id.type))]


def _page_rows(
    reader: EventReader,
    values: dict[str, Any],
    edge: str | None,
    limit: int,
    names: tuple[str, ...],
) -> tuple[list[tuple[Any, ...]], bool]:
    """Rows of these columns (the id first: the keyset needs it), and whether an event matches
    on the edge's far side (`_BEYOND`; False without an edge).

    On PostgreSQL that is one statement, a round trip saved: the page, then a row holding only
    the flag, -2 (some) or -1 (none) in the id column (ids are positive); PostgreSQL does not
    promise a UNION ALL's order, so the rows are sorted again. On SQLite, where a statement
    costs no round trip, the UNION ALL costs more than a second statement does."""
    shape = tuple(values)
    arguments = {**values, "limit": limit}

    def page() -> Select[Any]:
        where = [*conditions(values), *_edge(values, edge)]
        order = T.id.desc() if edge == "before" else T.id.asc()
        return (
            select(*(_column(n, reader.dialect.name).label(n) for n in names))
            .where(and_(True, *where))
            .order_by(order)
            .limit(bindparam("limit", limit, type_=Integer()))
        )

    if edge is None:
        return reader.fetch(("page", shape, names), page, arguments), False
    if reader.dialect.name == "sqlite":
        rows = reader.fetch(("page", shape, names), page, arguments)
        far = {k: v for k, v in values.items() if k != edge}
        far[_BEYOND[edge]] = values[edge]
        return rows, _exists(reader, far, _BEYOND[edge])

    def folded() -> Any:
        far = exists().where(and_(True, *conditions(values), _far_side(values, edge)))
        flag = select(case((far, -2), else_=-1), *(null() for _ in names[1:]))
        return union_all(select(*page().subquery("page").c), flag)

    rows = reader.fetch(("page and beyond", shape, names), folded, arguments)
    flags = [row for row in rows if row[0] < 0]
    rows = [row for row in rows if row[0] >= 0]
    rows.sort(key=itemgetter(0), reverse=edge == "before")
    return rows, flags[0][0] == -2


def page_columns(
    fields: tuple[str, ...] | None, stored_created_at: bool = False
) -> tuple[str, ...]:
    """The columns a page reads: every field, or the id and the fields asked for (with
    STORED_CREATED_AT for created_at, where `stored_created_at`)."""
    if fields is None:
        return FIELDS
    names = ("id", *(f for f in fields if f != "id"))
    if stored_created_at and "created_at" in names:
        return tuple(STORED_CREATED_AT if n == "created_at" else n for n in names)
    return names


def _column(name: str, dialect: str) -> ColumnElement[Any]:
    if name == STORED_CREATED_AT:
        unrendered = literal_column(repr(UNRENDERED), String).concat(_UTC_TEXT[dialect])
        return func.coalesce(T.rendered_created_at, unrendered)
    return _COLUMNS[name]


def _exists(reader: EventReader, values: dict[str, Any], edge: str | None = None) -> bool:
    def build() -> Select[Any]:
        return select(exists().where(and_(True, *conditions(values), *_edge(values, edge))))

    return bool(reader.fetch(("exists", tuple(values)), build, values)[0][0])


def list_page(
    reader: EventReader,
    filters: EventFilters,
    limit: int,
    cursor: Cursor | None,
    hidden: Sequence[int] = (),
    fields: tuple[str, ...] | None = None,
    stored: bool = False,
    stored_created_at: bool = False,
) -> Page:
    """One page by keyset on id, in either direction; never OFFSET.

    Its rows hold `page_columns(fields, stored_created_at)` (all FIELDS when `fields` is
    None), or STORED."""
    names = STORED if stored else page_columns(fields, stored_created_at)
    values = _values(filters, hidden)
    state = filters.to_cursor()
    # The far side of the cursor (`_page_rows`' flag) holds the events beyond the page
    # there: none of the page's matching events lie between the cursor and the page.
    if cursor is not None and cursor.direction == "prev":
        rows, has_next = _page_rows(
            reader, {**values, "before": cursor.last_id}, "before", limit + 1, names
        )
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        if not rows:
            return Page([], None, Cursor("next", max(cursor.last_id - 1, 0), state))
    else:
        if cursor is not None:
            rows, has_previous = _page_rows(
                reader, {**values, "after": cursor.last_id}, "after", limit + 1, names
            )
        else:
            rows, has_previous = _page_rows(reader, values, None, limit + 1, names)
        has_next = len(rows) > limit
        rows = rows[:limit]
        if cursor is not None and not rows:
            return Page([], Cursor("prev", min(cursor.last_id + 1, MAX_CURSOR_ID), state), None)
    return Page(
        rows,
        Cursor("prev", rows[0][0], state) if has_previous else None,
        Cursor("next", rows[-1][0], state) if has_next else None,
    )


@dataclass(slots=True)
class StoredPage:
    body: bytes  # `{"events":[...]}`
    previous: Cursor | None
    next: Cursor | None


def stored_page(
    reader: EventReader,
    filters: EventFilters,
    limit: int,
    cursor: Cursor | None,
    hidden: Sequence[int] = (),
) -> StoredPage | None:
    """A page answered from the stored renderings (app/services/rendered.py); None where one
    of its rows has none (the caller renders it from the columns).

    On SQLite, with no cursor or a next one, a page whose rows are all stored whole is put
    together by SQLite itself (`_concatenated`); otherwise its rows are read and joined
    (`list_page(stored=True)`, `stored_json`). Both give the same page, byte for byte."""
    if reader.dialect.name == "sqlite" and (cursor is None or cursor.direction == "next"):
        page = _concatenated(reader, filters, limit, cursor, hidden)
        if page is not None:
            return page
    rows = list_page(reader, filters, limit, cursor, hidden, stored=True)
    stored = stored_json(rows.rows)
    if stored is None:
        return None
    return StoredPage(f'{{"events":{stored}}}'.encode(), rows.previous, rows.next)


def fields_page(
    reader: EventReader,
    filters: EventFilters,
    limit: int,
    cursor: Cursor | None,
    hidden: Sequence[int],
    fields: tuple[str, ...],
) -> StoredPage | None:
    """A `fields` page that SQLite writes itself (`json_object` of the fields, concatenated in
    the page's one statement, as `_concatenated` does the stored renderings); None where it
    cannot (the caller reads the rows): not SQLite, a previous cursor, `arguments` asked for
    (stored as JSON text whose escapes orjson would not write: `json()` keeps them), or a
    row of the page without its stored created_at text.

    Only where the stored renderings are in this server's zone (the caller's check): it reads
    STORED_CREATED_AT. SQLite's JSON strings are escaped as orjson escapes them
    (tests/test_stored_rendering.py: any text); a deep `fields=id,verb,created_at` page's
    read and JSON in-process: 445k -> 303k instructions."""
    if reader.dialect.name != "sqlite" or "arguments" in fields:
        return None
    if cursor is not None and cursor.direction != "next":
        return None
    return _concatenated(reader, filters, limit, cursor, hidden, fields)


_BODY_START = b'{"events":[{"id":'


def _concatenated(
    reader: EventReader,
    filters: EventFilters,
    limit: int,
    cursor: Cursor | None,
    hidden: Sequence[int],
    fields: tuple[str, ...] | None = None,
) -> StoredPage | None:
    """A page of whole stored renderings that SQLite concatenates itself, in the one statement
    that also finds whether events follow the page and precede it (`_stored_rows`); or, with
    `fields`, of the JSON objects SQLite makes of them (`fields_page`).

    The same keyset and `conditions()` as `list_page`, but one statement instead of two, and
    no Python string per row: a deep 50-event page costs SQLite and Python ~23 µs against
    ~35 µs (1M events; the app's whole request 87 -> 80 µs). A previous cursor reads
    backwards, which a concatenation cannot: the caller does not ask. None where a row of the
    page is not stored whole (NULL, or the rest of an ORM writer's event), or, with `fields`,
    has no stored created_at text where it is asked for."""
    values = _values(filters, hidden)
    if cursor is not None:
        values["after"] = cursor.last_id
    ((first, last, partial, body, more, behind),) = _stored_rows(reader, values, limit, fields)
    if partial:
        return None
    state = filters.to_cursor()
    if last is None:  # no event
        if cursor is None:
            return StoredPage(body, None, None)
        return StoredPage(body, Cursor("prev", min(cursor.last_id + 1, MAX_CURSOR_ID), state), None)
    if first is None:  # a page of stored renderings, which start with their ids
        first = int(body[len(_BODY_START) : body.index(b",", len(_BODY_START))])
    return StoredPage(
        body,
        Cursor("prev", first, state) if behind else None,
        Cursor("next", last, state) if more else None,
    )


def _stored_rows(
    reader: EventReader, values: dict[str, Any], limit: int, fields: tuple[str, ...] | None
) -> list[Any]:
    """One row: (the page's first id (NULL without `fields`: the body starts with it) and last
    id, whether a row is not stored whole, the body as bytes, whether a matching event
    follows the last, whether one is at or before `after`).

    The page is a subquery in id order (the keyset walk of `_page_rows`); SQLite aggregates a
    subquery with ORDER BY and LIMIT in that order, so the concatenation is in id order
    (tests/test_stored_rendering.py compares pages with the rows' own). The EXISTS run once:
    the statement has one row. Each event is its stored rendering, or with `fields` the
    `json_object` of those fields (created_at: STORED_CREATED_AT)."""
    edge = "after" if "after" in values else None

    def build() -> Select[Any]:
        conds = conditions(values)
        names = STORED if fields is None else page_columns(fields, stored_created_at=True)
        page = (
            select(*(_COLUMNS.get(n, T[n]).label(n) for n in names))
            .where(and_(True, *conds, *_edge(values, edge)))
            .order_by(T.id.asc())
            .limit(bindparam("limit", limit, type_=Integer()))
            .subquery("page")
        )
        event: ColumnElement[Any]
        not_whole: ColumnElement[Any]
        first: ColumnElement[Any] = func.min(page.c.id)
        if fields is None:
            first = null()
            event = page.c.rendered
            not_whole = func.ifnull(func.substr(event, 1, 1) != literal_column("'{'"), 1)
        else:
            pairs = [(f, STORED_CREATED_AT if f == "created_at" else f) for f in fields]
            event = func.json_object(*(a for f, n in pairs for a in (_quoted(f), page.c[n])))
            stamped = STORED_CREATED_AT in names
            not_whole = page.c[STORED_CREATED_AT].is_(None) if stamped else literal_column("0")
        events = func.coalesce(func.group_concat(event, literal_column("','")), "")
        body = literal_column("""'{"events":['""").op("||")(events).op("||")(literal_column("']}'"))
        summary = select(
            first.label("first"),
            func.max(page.c.id).label("last"),
            func.max(not_whole).label("partial"),
            cast(body, LargeBinary).label("body"),
        ).subquery("summary")
        more = exists().where(and_(True, *conds, T.id > summary.c.last))
        if edge is None:
            behind: ColumnElement[Any] = literal_column("0")
        else:
            behind = exists().where(and_(True, *conds, _far_side(values, "after")))
        return select(*summary.c, more, behind)

    shape = ("stored page", tuple(values), fields)
    return reader.fetch(shape, build, {**values, "limit": limit})


def _quoted(name: str) -> ColumnElement[Any]:
    """An event field's name as an SQL string literal (FIELDS' names hold no quote)."""
    if name not in FIELDS:
        raise ValueError(f"not an event field: {name!r}")
    return literal_column(f"'{name}'")


def _counted(reader: EventReader, values: dict[str, Any], among: Sequence[int] = ()) -> int:
    """How many events match `conditions(values)` (and, with `among`, have one of those ids),
    by a statement compiled once per shape, as the pages' are."""
    arguments = {**values, **{f"among_{i}": event_id for i, event_id in enumerate(among)}}

    def build() -> Select[Any]:
        conds = conditions(values)
        if among:
            conds.append(T.id.in_([_bind(f"among_{i}", 0, "id") for i in range(len(among))]))
        stmt = select(func.count()).select_from(events_table)
        if conds:  # none: SQLite counts the table without visiting its rows
            stmt = stmt.where(and_(*conds))
        return stmt

    return int(reader.fetch(("count", tuple(arguments)), build, arguments)[0][0])


def count(reader: EventReader, filters: EventFilters, hidden: Sequence[int] = ()) -> int:
    """From the maintained counts (app/services/event_counts.py) where they can answer,
    else one indexed query; both exact, both built from `filters.conditions()`. `hidden`:
    the events still inside the sandbox's visibility lag (`hidden_ids`).

    Every statement is compiled once per shape and run on the reader's connection, as the
    pages' are: built and executed through SQLAlchemy for each request, a count of a
    `created_at` window cost ~2.1M instructions, three quarters of it SQLAlchemy's."""
    if filters.subject_type is None:
        untimed = replace(filters, created_at_min=None, created_at_max=None).params()

        def exact(spans: list[Span]) -> int:
            # One branch per hour, each an indexed range, all in one round trip.
            values = dict(untimed)
            for index, (start, last, low, high) in enumerate(spans):
                values.update({f"start{index}": start, f"last{index}": last})
                values.update({f"low{index}": low, f"high{index}": high})

            def build() -> Any:
                branches = []
                for index in range(len(spans)):
                    bounds = [
                        T.created_at >= bindparam(f"start{index}", None),
                        T.created_at <= bindparam(f"last{index}", None),
                        T.id >= bindparam(f"low{index}", None),
                        T.id <= bindparam(f"high{index}", None),
                    ]
                    where = and_(*conditions(untimed), *bounds)
                    branches.append(
                        select(func.count().label("n")).select_from(events_table).where(where)
                    )
                return union_all(*branches) if len(branches) > 1 else branches[0]

            rows = reader.fetch(("exact count", tuple(untimed), len(spans)), build, values)
            return sum(int(n) for (n,) in rows)

        total = summary_count(
            reader.fetch,
            filters.subject_types,
            filters.verb,
            filters.since_id,
            filters.created_at_min,
            filters.created_at_max,
            exact,
        )
        if total is not None:
            if hidden:  # the events still inside the sandbox's lag: a handful of ids
                total -= _counted(reader, filters.params(), hidden)
            return total
    return _counted(reader, _values(filters, hidden))


def get_one(
    reader: EventReader, event_id: int, hidden: Sequence[int] = (), stored: bool = False
) -> tuple[Any, ...] | None:
    """The event's row of FIELDS, or of STORED."""
    values = {**_values(EventFilters(), hidden), "event_id": event_id}
    names = STORED if stored else FIELDS

    def build() -> Select[Any]:
        where = [*conditions(values), T.id == bindparam("event_id", event_id, type_=T.id.type)]
        return select(*(_COLUMNS[n] for n in names)).where(and_(*where))

    rows = reader.fetch(("one", tuple(values), names), build, values)
    return rows[0] if rows else None


def subject_has_events(reader: EventReader, subject_type: str, subject_id: int) -> bool:
    return _exists(reader, EventFilters().scoped(subject_type, subject_id).params())
