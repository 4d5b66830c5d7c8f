"""Reading `created_at_min`/`created_at_max` the way Shopify's examples send them.

Accepted: `2014-04-25T16:15:47-04:00`, the space form `2008-01-10 12:30:00+00:00`, a trailing
`Z` or ` UTC`, fractional seconds, a bare date (midnight), and values without an offset, which
are read in the shop's time zone. A `+` that arrived as a space (an unencoded `+00:00` in a query
string) is read as `+`. Everything returns naive UTC, the stored form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_SPACE_OFFSET = re.compile(r"^(.*\d)\s(\d{2}:?\d{2})$")
_MAX_LEN = 64


def parse_timestamp(raw: str, tz: ZoneInfo) -> datetime | None:
    text = raw.strip()
    if not text or len(text) > _MAX_LEN:
        return None
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    match = _SPACE_OFFSET.match(text)
    if match and len(match.group(1)) > 10:
        text = f"{match.group(1)}+{match.group(2)}"
    try:
        if len(text) == 10:
            value = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None


_EPOCH = datetime(1970, 1, 1)
_QUARTER_HOUR = timedelta(minutes=15)
# (zone, quarter-hour since the epoch) -> the UTC offset and its text throughout that quarter,
# or None where the offset changes inside it. Zones mostly change on a quarter-hour, so one
# lookup serves every event in the quarter; but not all: Newfoundland changed at 00:01 local
# until 2011 (03:31 UTC), Moncton and Goose Bay too.
_Offset = tuple[timedelta, str]
_OFFSETS: dict[tuple[str, int], _Offset | None] = {}
_OFFSETS_MAX = 200_000
_LAST_TICK = _QUARTER_HOUR - timedelta(microseconds=1)
_UNKNOWN = (timedelta(0), "unknown")  # a sentinel: not cached yet


def render_timestamp(value: datetime, tz: ZoneInfo) -> str:
    """Naive UTC -> `2008-01-10T08:00:00-05:00` in the shop's zone (the read path's hot spot)."""
    offset, suffix = _quarter_offset(value, tz) or _offset_at(value, tz)
    # [:19] is timespec="seconds" (naive: no offset follows); keyword parsing cost ~1 µs more
    return (value + offset).isoformat()[:19] + suffix


def _offset_at(value: datetime, tz: ZoneInfo) -> _Offset:
    local = value.replace(tzinfo=UTC).astimezone(tz)
    return local.utcoffset() or timedelta(0), local.isoformat(timespec="seconds")[19:]


def _quarter_offset(value: datetime, tz: ZoneInfo) -> _Offset | None:
    """The zone's UTC offset and its text throughout the quarter-hour holding `value`; None if
    it changes inside it (or the quarter reaches beyond datetime's range)."""
    quarter = (value - _EPOCH) // _QUARTER_HOUR
    key = (tz.key, quarter)
    found = _OFFSETS.get(key, _UNKNOWN)
    if found is _UNKNOWN:
        start = _EPOCH + quarter * _QUARTER_HOUR
        try:
            first = _offset_at(start, tz)
            found = first if _offset_at(start + _LAST_TICK, tz) == first else None
        except OverflowError:
            found = None
        if len(_OFFSETS) >= _OFFSETS_MAX:
            _OFFSETS.clear()
        _OFFSETS[key] = found
    return found


def sequential_renderer(tz: ZoneInfo) -> Callable[[datetime], str]:
    """`render_timestamp` for datetimes that mostly come in time order (a bulk writer's): the
    last quarter-hour's offset is kept, so most values cost a comparison and an isoformat."""
    low = high = _EPOCH
    offset, suffix = timedelta(0), ""

    def render(value: datetime) -> str:
        nonlocal low, high, offset, suffix
        if not low <= value < high:
            found = _quarter_offset(value, tz)
            if found is None:  # not one offset throughout its quarter
                return render_timestamp(value, tz)
            offset, suffix = found
            low = _EPOCH + (value - _EPOCH) // _QUARTER_HOUR * _QUARTER_HOUR
            high = low + _QUARTER_HOUR
        return (value + offset).isoformat()[:19] + suffix  # as render_timestamp's

    return render


_HOURS_MAX = 100_000
_HOUR = timedelta(hours=1)


def iso_renderer(tz: ZoneInfo) -> Callable[[str], str]:
    """`render_timestamp` for naive UTC values written as ISO text to the second
    (`2025-01-01T00:02:37`, as orjson writes a datetime: a bulk writer's batch).

    An hour that keeps one offset of whole hours throughout renders as its local hour followed
    by the text's own minutes and seconds (cached per hour: a 1M-event year has ~114 events
    an hour); any other value is parsed and goes through `sequential_renderer`. Each hour is
    judged once: one that cannot be rendered so is remembered as None."""
    hours: dict[str, tuple[str, str] | None] = {}
    full = sequential_renderer(tz)
    parse = datetime.fromisoformat

    def render(text: str) -> str:
        whole = len(text) == 19 and text[13] == ":"
        key = text[:13]
        found = hours.get(key, _UNKNOWN)
        if found is not None and found is not _UNKNOWN and whole:
            return f"{found[0]}{text[13:]}{found[1]}"
        value = parse(text)
        if found is _UNKNOWN and whole:
            if len(hours) >= _HOURS_MAX:
                hours.clear()
            hours[key] = _whole_hour(value.replace(minute=0, second=0), tz)
        return full(value)

    return render


def _whole_hour(hour: datetime, tz: ZoneInfo) -> tuple[str, str] | None:
    """(local hour text `YYYY-MM-DDTHH`, offset text) of a UTC hour that keeps one offset of
    whole hours throughout; else None."""
    try:
        offsets = {_quarter_offset(hour + q * _QUARTER_HOUR, tz) for q in range(4)}
        if len(offsets) == 1 and (same := offsets.pop()) is not None:
            offset, suffix = same
            if offset % _HOUR == timedelta(0):
                return (hour + offset).isoformat()[:13], suffix
    except OverflowError:
        pass  # the hour's end is beyond datetime's range
    return None


def cursor_timestamp(value: datetime) -> str:
    """How Shopify writes a filter time inside page_info: `2023-10-17 16:29:30 UTC`."""
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


# zone -> stored minute (`2008-01-10 13:00`) -> (local text up to the minute, offset text).
_MINUTES: dict[ZoneInfo, dict[str, tuple[str, str]]] = {}
_MINUTES_MAX = 100_000


def minute_cache(tz: ZoneInfo) -> dict[str, tuple[str, str]]:
    """The zone's cache of `timestamp_renderer`: stored minute -> (local minute, offset)."""
    return _MINUTES.setdefault(tz, {})


def timestamp_renderer(tz: ZoneInfo) -> Callable[[str | datetime], str]:
    """`render_timestamp` for values as the database returns them, one lookup per event.

    SQLite returns `created_at` as stored text (`2008-01-10 13:00:00.000000`): every second of a
    minute renders with the same local minute and offset, so those two parts are cached per
    minute and the seconds copied. Offsets with seconds (old local mean times) and datetimes
    (PostgreSQL) take the full conversion.
    """
    minutes = minute_cache(tz)

    def render(value: str | datetime) -> str:
        if not isinstance(value, str):
            return render_timestamp(value, tz)
        found = minutes.get(value[:16])
        if found is not None and len(value) >= 19:
            return f"{found[0]}{value[16:19]}{found[1]}"
        parsed = datetime.fromisoformat(value)
        if len(value) >= 19 and value[16] == ":":
            # Cached only when the whole minute renders alike (no offset change inside it).
            start = render_timestamp(parsed.replace(second=0, microsecond=0), tz)
            end = render_timestamp(parsed.replace(second=59, microsecond=0), tz)
            if start[:17] == end[:17] and start[16:19] == ":00" and start[19:] == end[19:]:
                if len(minutes) >= _MINUTES_MAX:
                    minutes.clear()
                minutes[value[:16]] = (start[:16], start[19:])
        return render_timestamp(parsed, tz)

    return render
