"""`fields=` pages are rendered by a made-per-fields dict display (app/services/events.py,
`_field_maker`): every subset of the fields must render as `dict(zip(...))` of the row did,
from the columns and from the stored created_at text (STORED_CREATED_AT) alike."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from app.bulk_render import FIELDS
from app.services.events import (
    STORED_CREATED_AT,
    UNRENDERED,
    page_columns,
    render_fields,
    render_rows,
)

TZ = ZoneInfo("America/New_York")
ROWS: list[tuple[Any, ...]] = [
    # As SQLite returns them (created_at and arguments as text) and as PostgreSQL does.
    (677313116, 921728736, "2008-01-10 13:00:00.000000", "Product", "create",
     '["IPod Touch 8GB"]', None, "Product was created: <a>x</a>.", "Shopify", "Product was",
     "/admin/products/921728736"),
    (677313117, 450789469, datetime(2025, 3, 9, 6, 59, 59), "Order", "placed",
     ["#1001", "2"], "a body", "Order was placed.", "Bob Norman", "Order was placed.", None),
    # New York's local mean time (an offset with seconds, never cached), and a second of the
    # first row's minute (the cache's hit, once the first row has filled it).
    (677313118, 1, "1850-06-01 12:00:00.000000", "Page", "create", "[]", None, "", "", "", None),
    (677313119, 2, "2008-01-10 13:00:42.000000", "Page", "create", "[1]", None, "", "", "", None),
]  # fmt: skip


def _expected(fields: tuple[str, ...]) -> list[dict[str, Any]]:
    full = render_rows(ROWS, TZ, None)
    return [{f: event[f] for f in fields} for event in full]


def _stored_created_at(i: int, row: tuple[Any, ...]) -> str:
    """STORED_CREATED_AT as the page reads it: the stored text (every other row), else
    UNRENDERED and the UTC time as each database writes it out (SQLite's own text,
    PostgreSQL's `to_char`)."""
    if i % 2 == 0:
        rendered: str = render_rows([row], TZ, None)[0]["created_at"]
        return rendered
    at = row[FIELDS.index("created_at")]
    return UNRENDERED + (at if isinstance(at, str) else at.strftime("%Y-%m-%d %H:%M:%S"))


def _value(i: int, row: tuple[Any, ...], column: str) -> Any:
    if column == STORED_CREATED_AT:
        return _stored_created_at(i, row)
    return row[FIELDS.index(column)]


@pytest.mark.parametrize("stored_created_at", [False, True])
@pytest.mark.parametrize("size", range(1, len(FIELDS) + 1))
def test_every_subset_of_fields_renders_as_the_full_event_does(
    size: int, stored_created_at: bool
) -> None:
    for fields in combinations(FIELDS, size):
        columns = page_columns(fields, stored_created_at)
        assert (STORED_CREATED_AT in columns) == (stored_created_at and "created_at" in fields)
        rows = [tuple(_value(i, row, c) for c in columns) for i, row in enumerate(ROWS)]
        rendered = render_fields(rows, TZ, fields, stored_created_at)
        assert rendered == _expected(fields), fields
        assert [list(event) for event in rendered] == [list(fields)] * len(ROWS)  # key order
        assert orjson.dumps(rendered) == orjson.dumps(_expected(fields))


def test_no_other_name_makes_a_renderer() -> None:
    with pytest.raises(ValueError):
        render_fields([(1, "x")], TZ, ("id", "__import__('os')"))
