"""`fields=` pages are rendered by a made-per-fields dict display (app/services/events.py,
`_field_maker`): every subset of the fields must render as `dict(zip(...))` of the row did."""

from __future__ import annotations

from datetime import datetime
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pytest

from app.bulk_render import FIELDS
from app.services.events import page_columns, render_fields, render_rows

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


@pytest.mark.parametrize("size", range(1, len(FIELDS) + 1))
def test_every_subset_of_fields_renders_as_the_full_event_does(size: int) -> None:
    for fields in combinations(FIELDS, size):
        columns = page_columns(fields)
        rows = [tuple(row[FIELDS.index(c)] for c in columns) for row in ROWS]
        rendered = render_fields(rows, TZ, fields)
        assert rendered == _expected(fields), fields
        assert [list(event) for event in rendered] == [list(fields)] * len(ROWS)  # key order
        assert orjson.dumps(rendered) == orjson.dumps(_expected(fields))


def test_no_other_name_makes_a_renderer() -> None:
    with pytest.raises(ValueError):
        render_fields([(1, "x")], TZ, ("id", "__import__('os')"))
