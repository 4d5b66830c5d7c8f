"""Counting events from the `event_counts` rows (their format: app/models/event_count.py).

A count is the sum of the whole buckets inside its `created_at` window, the largest that fit
first (32-day blocks, then days, then hours), plus an exact, indexed count of the at most two
hours the window cuts. With `since_id`, a bucket part whose ids all lie above it counts whole,
one whose ids all lie at or below it not at all, and a bucket with a part in between is split
into its smaller buckets; an hour in between is counted exactly. Ids follow time, so that is
about one bucket per level.

`summary_count` answers None when the rows cannot answer (no marker: a bulk load under way or
an older database; or a shop whose ids do not follow time at all): the caller counts exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal, select, union_all

from app.models.event_count import LEVEL_SIZES, MARKER_LEVEL, event_counts_table

C = event_counts_table.c
_EPOCH = datetime(1, 1, 1)
_US_PER_HOUR = 3_600_000_000
_ONE_US = timedelta(microseconds=1)
_HOUR = timedelta(hours=1)
# Beyond these, counting the events exactly is cheaper than assembling the pieces.
_MAX_RANGES = 64
_MAX_EXACT_HOURS = 16
SUMMED = -2  # the level of the one row that sums whole buckets (no since_id to judge)

# (level, first bucket, end bucket): whole buckets [first, end) of one level; None is open.
Range = tuple[int, int | None, int | None]
# One span per hour to count exactly: the filtered events created in [start, last] whose ids
# lie in [low, high] (every such event's id does: the bounds make it a narrow id range).
Span = tuple[datetime, datetime, int, int]
# The exact count of the filtered events over all the spans (one statement).
ExactCount = Callable[[list[Span]], int]
# Runs the statement of a shape (built by the callable the first time) with these values:
# `EventReader.fetch` (app/services/reader.py), which compiles each shape once.
Fetch = Callable[[Hashable, Callable[[], Any], Mapping[str, Any]], Sequence[Sequence[Any]]]


def hour_span(hour: int) -> tuple[datetime, datetime]:
    """The first and last instants of an hour counted from year 1."""
    start = _EPOCH + timedelta(hours=hour)
    return start, start + (_HOUR - _ONE_US)  # 9999-12-31 23:59:59.999999 at most


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // _ONE_US


def whole_hours(
    t_min: datetime | None, t_max: datetime | None
) -> tuple[int | None, int | None, list[int]]:
    """The whole hours [lo, hi) inside the window (None: unbounded) and the hours it cuts."""
    cut: list[int] = []
    lo = hi = None
    if t_min is not None:
        us = _micros(t_min)
        lo = -(-us // _US_PER_HOUR)
        if us % _US_PER_HOUR:
            cut.append(us // _US_PER_HOUR)
    if t_max is not None:
        us = _micros(t_max) + 1  # created_at <= t_max: up to, not including, t_max + 1 µs
        hi = us // _US_PER_HOUR
        if us % _US_PER_HOUR and hi not in cut:
            cut.append(hi)
    return lo, hi, cut


def cover(lo: int | None, hi: int | None, level: int = len(LEVEL_SIZES) - 1) -> list[Range]:
    """The fewest buckets, largest first, that exactly tile the hours [lo, hi)."""
    if lo is not None and hi is not None and lo >= hi:
        return []
    if level == 0:
        return [(0, lo, hi)]
    size = LEVEL_SIZES[level]
    first = None if lo is None else -(-lo // size)
    end = None if hi is None else hi // size
    if first is not None and end is not None and first >= end:
        return cover(lo, hi, level - 1)
    out: list[Range] = []
    if lo is not None and first is not None:
        out += cover(lo, first * size, level - 1)
    out.append((level, first, end))
    if hi is not None and end is not None:
        out += cover(end * size, hi, level - 1)
    return out


# The statements differ only in their shape (which filters, how many ranges, how many types):
# one is built per shape and kept, so a count pays for binding values, not for building SQL.
Shape = tuple[int, int, bool, tuple[tuple[int, bool, bool], ...], int]


def _kind(subject_types: tuple[str, ...] | None, verb: str | None) -> int:
    if subject_types:
        return 0 if verb is not None else 1
    return 2 if verb is not None else 3


_MARKER = [
    C.kind == 3,
    C.subject_type == "",
    C.verb == "",
    C.level == MARKER_LEVEL,
    C.bucket == 0,
]


@lru_cache(maxsize=512)
def _statement(shape: Shape) -> Select[Any]:
    """One UNION ALL: the marker row, one primary-key range per range (role 0), and the
    hours to count exactly (role 1: their id bounds make that count an id-range search)."""
    kind, types, since, ranges, cut = shape
    key = [C.kind == kind]
    if types == 0:
        key.append(C.subject_type == "")
    elif types == 1:
        key.append(C.subject_type == bindparam("type", None))
    else:  # one bound value per type (the shape has the number): nothing to expand per call
        key.append(C.subject_type.in_([bindparam(f"type{i}", None) for i in range(types)]))
    key.append(C.verb == bindparam("verb", None))
    if since:
        key.append(C.max_id > bindparam("since", None))
    columns = (C.level, C.bucket, C.n, C.min_id, C.max_id)
    parts = [select(literal(0), *columns).where(*_MARKER)]
    whole = []
    for index, (level, has_first, has_end) in enumerate(ranges):
        conds = [*key, C.level == level]
        if has_first:
            conds.append(C.bucket >= bindparam(f"first{index}", None))
        if has_end:
            conds.append(C.bucket < bindparam(f"end{index}", None))
        whole.append(select(literal(0), *columns).where(and_(*conds)))
    if since or not whole:
        parts += whole  # each row is judged against since_id
    else:  # one row: their sum (level SUMMED)
        n = union_all(*whole).subquery().c.n
        summed = (
            literal(SUMMED),
            literal(0),
            func.coalesce(func.sum(n), 0),
            literal(0),
            literal(0),
        )
        parts.append(select(literal(0), *summed))
    for index in range(cut):  # the hours a window cuts (at most two), each an equality
        where = [*key, C.level == 0, C.bucket == bindparam(f"cut{index}", None)]
        parts.append(select(literal(1), *columns).where(and_(*where)))
    return select(union_all(*parts).subquery())


def _rows(
    fetch: Fetch,
    subject_types: tuple[str, ...] | None,
    verb: str | None,
    since_id: int | None,
    ranges: list[Range],
    cut: list[int],
) -> Any:
    types = len(subject_types) if subject_types else 0
    shape_ranges = tuple(
        (level, first is not None, end is not None) for level, first, end in ranges
    )
    shape = (_kind(subject_types, verb), types, since_id is not None, shape_ranges, len(cut))
    params: dict[str, Any] = {"verb": verb if verb is not None else "", "since": since_id}
    for index, subject_type in enumerate(subject_types or ()):
        params[f"type{index}"] = subject_type
    params["type"] = subject_types[0] if subject_types else None
    for index, (_level, first, end) in enumerate(ranges):
        params[f"first{index}"] = first
        params[f"end{index}"] = end
    for index, hour in enumerate(cut):
        params[f"cut{index}"] = hour
    return fetch(("summary", shape), lambda: _statement(shape), params)


def summary_count(
    fetch: Fetch,
    subject_types: tuple[str, ...] | None,
    verb: str | None,
    since_id: int | None,
    t_min: datetime | None,
    t_max: datetime | None,
    exact: ExactCount,
) -> int | None:
    """The count of events matching these filters, or None if the rows cannot tell."""
    lo, hi, cut = whole_hours(t_min, t_max)
    ranges = cover(lo, hi)
    total = 0
    exact_hours: dict[int, tuple[int, int]] = {}  # hour -> bounds of the key's ids in it
    first = True
    while ranges or first:
        if len(ranges) > _MAX_RANGES:
            return None
        whole: dict[tuple[int, int], int] = {}
        split: set[tuple[int, int]] = set()
        hour_ids: dict[int, tuple[int, int]] = {}
        found = False
        for role, level, bucket, n, min_id, max_id in _rows(
            fetch, subject_types, verb, since_id, ranges, cut
        ):
            if level == MARKER_LEVEL:
                found = True
                continue
            if level == SUMMED:
                total += int(n)  # PostgreSQL sums bigints as numeric
                continue
            if level == 0:
                ids = exact_hours if role == 1 else hour_ids
                low, high = ids.get(bucket, (min_id, max_id))
                ids[bucket] = (min(low, min_id), max(high, max_id))
            if role == 1:
                continue
            if since_id is None or min_id > since_id:
                whole[(level, bucket)] = whole.get((level, bucket), 0) + n
            else:
                split.add((level, bucket))
        if first and not found:
            return None
        first = False
        cut = []
        total += sum(n for bucket, n in whole.items() if bucket not in split)
        ranges = []
        for level, bucket in sorted(split):
            if level == 0:
                exact_hours[bucket] = hour_ids[bucket]
            else:
                ratio = LEVEL_SIZES[level] // LEVEL_SIZES[level - 1]
                ranges.append((level - 1, bucket * ratio, (bucket + 1) * ratio))
    if len(exact_hours) > _MAX_EXACT_HOURS:
        return None
    spans = []
    for hour, (low, high) in sorted(exact_hours.items()):
        start, last = hour_span(hour)
        start = max(start, t_min) if t_min is not None else start
        last = min(last, t_max) if t_max is not None else last
        if start <= last:
            spans.append((start, last, low, high))
    return total + exact(spans) if spans else total
