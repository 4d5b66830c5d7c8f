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
# (zone, quarter-hour since the epoch) -> that quarter's UTC offset and its text. Zones change
# offset only on quarter-hour boundaries, so one lookup serves every event in the quarter.
_OFFSETS: dict[tuple[str, int], tuple[timedelta, str]] = {}
_OFFSETS_MAX = 200_000


def render_timestamp(value: datetime, tz: ZoneInfo) -> str:
    """Naive UTC -> `2008-01-10T08:00:00-05:00` in the shop's zone (the read path's hot spot)."""
    offset, suffix = _quarter_offset(value, tz)
    return (value + offset).isoformat(timespec="seconds") + suffix


def _quarter_offset(value: datetime, tz: ZoneInfo) -> tuple[timedelta, str]:
    """The zone's UTC offset and its text during the quarter-hour holding `value`."""
    key = (tz.key, (value - _EPOCH) // _QUARTER_HOUR)
    found = _OFFSETS.get(key)
    if found is None:
        local = value.replace(tzinfo=UTC).astimezone(tz)
        found = (local.utcoffset() or timedelta(0), local.isoformat(timespec="seconds")[19:])
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
            offset, suffix = _quarter_offset(value, tz)
            low = _EPOCH + (value - _EPOCH) // _QUARTER_HOUR * _QUARTER_HOUR
            high = low + _QUARTER_HOUR
        return (value + offset).isoformat(timespec="seconds") + suffix

    return render


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
