"""Shopify API versions: `YYYY-01|04|07|10` or `unstable`.

Shopify releases a stable version every quarter (on the first day of January, April, July and
October) and supports each one for 12 months; the next quarter's version is available as a
release candidate before its release. A request to a retired but well-formed version is served
by the oldest supported stable version (and `X-Shopify-API-Version` says so); a request without
a version (`/admin/events.json`) is served the same way. A malformed version, or one newer than
the release candidate, is a 404.

Deprecation window (`API_DEPRECATION_MONTHS`, 0 = off): a stable version whose 12 months of
support end within that many months, or a retired one, is answered with
`X-Shopify-API-Deprecated-Reason`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

VERSION_RE = re.compile(r"^(\d{4})-(01|04|07|10)$")
UNSTABLE = "unstable"
DEPRECATED_REASON = "https://shopify.dev/docs/api/usage/versioning#deprecation-practices"


def _quarter_start(d: date) -> tuple[int, int]:
    return d.year, ((d.month - 1) // 3) * 3 + 1


def _shift(year: int, month: int, quarters: int) -> tuple[int, int]:
    index = year * 4 + (month - 1) // 3 + quarters
    return index // 4, (index % 4) * 3 + 1


def _name(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class VersionWindow:
    oldest: str
    newest_stable: str
    release_candidate: str

    @classmethod
    def for_date(
        cls, today: date, oldest: str | None = None, newest: str | None = None
    ) -> VersionWindow:
        year, month = _quarter_start(today)
        newest_stable = newest or _name(year, month)
        ny, nm = (int(p) for p in newest_stable.split("-"))
        release_candidate = _name(*_shift(ny, nm, 1))
        # Versions released in the last 12 months are supported: the newest and the three before.
        oldest_supported = oldest or _name(*_shift(ny, nm, -3))
        return cls(oldest_supported, newest_stable, release_candidate)

    @property
    def supported(self) -> list[str]:
        out: list[str] = []
        y, m = (int(p) for p in self.oldest.split("-"))
        while _name(y, m) <= self.release_candidate:
            out.append(_name(y, m))
            y, m = _shift(y, m, 1)
        return [*out, UNSTABLE]

    def resolve(self, requested: str | None) -> str | None:
        """The version that serves a request, or None for a 404."""
        if requested is None:
            return self.oldest
        if requested == UNSTABLE:
            return UNSTABLE
        if not VERSION_RE.match(requested):
            return None
        if requested > self.release_candidate:
            return None
        return max(requested, self.oldest)

    def deprecated(self, requested: str | None, today: date, months: int) -> bool:
        """Is this stable version retired, or retiring within `months` months of `today`?"""
        if months <= 0 or requested is None or not VERSION_RE.match(requested):
            return False
        if requested < self.oldest:
            return True
        year, month = (int(p) for p in requested.split("-"))
        retires = _shift(year, month, 4)  # supported for 12 months after its release
        ty, tm = today.year, today.month
        months_left = (retires[0] - ty) * 12 + retires[1] - tm
        return months_left <= months
