"""Shopify's leaky bucket, one per access token.

Each request adds one call to the token's bucket; the bucket leaks `leak_rate` calls per second.
A request that would overflow it is refused with 429 (and adds nothing). The time comes from the
shop's clock, so a frozen clock freezes the leak and `PUT /_sandbox/clock` can advance it: tests
check the arithmetic without sleeping.

`X-Shopify-Shop-Api-Call-Limit: used/size` reports the level after the request, rounded up.
Buckets live in the serving process (with several workers, each keeps its own).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from app.toolkit.config import RateLimit

CALL_LIMIT_HEADER = b"X-Shopify-Shop-Api-Call-Limit"
_MAX_BUCKETS = 10_000
_EPSILON = 1e-9


class Verdict(NamedTuple):
    allowed: bool
    used: int
    size: int

    @property
    def header(self) -> bytes:
        return b"%d/%d" % (self.used, self.size)


def throttled_message(limit: RateLimit) -> str:
    rate = int(limit.leak_rate) if limit.leak_rate.is_integer() else limit.leak_rate
    return (
        f"Exceeded {rate} calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    )


def retry_after(limit: RateLimit) -> str:
    # Shopify sends a decimal: "2.0" on the standard plan, "4.0" measured on Advanced.
    return f"{limit.leak_rate:.1f}"


class Buckets:
    def __init__(self) -> None:
        # token -> [level, time of the last update]
        self._buckets: dict[bytes, list[float]] = {}

    def clear(self) -> None:
        self._buckets.clear()

    def _level(self, key: bytes, now: float, limit: RateLimit) -> float:
        bucket = self._buckets.get(key)
        if bucket is None:
            return 0.0
        return max(0.0, bucket[0] - max(0.0, now - bucket[1]) * limit.leak_rate)

    def peek(self, key: bytes, now: float, limit: RateLimit) -> Verdict:
        level = self._level(key, now, limit)
        return Verdict(True, _used(level, limit.bucket_size), limit.bucket_size)

    def take(self, key: bytes, now: float, limit: RateLimit) -> Verdict:
        """Add one call, or refuse it when the bucket is full (only when the limit is enforced)."""
        # On the hot path of every Admin request: plain locals, no helpers.
        size = limit.bucket_size
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= _MAX_BUCKETS:
                self._evict(now, limit)
            bucket = self._buckets[key] = [0.0, now]
            level = 0.0
        else:
            elapsed = now - bucket[1]
            level = bucket[0] - elapsed * limit.leak_rate if elapsed > 0 else bucket[0]
            if level < 0:
                level = 0.0
        allowed = True
        if level + 1 > size + _EPSILON:
            if limit.plan != "off":
                allowed = False
            else:
                level = size - 1.0  # unenforced: the bucket stays full, nobody is refused
        if allowed:
            level += 1
        bucket[0] = level
        bucket[1] = now
        return Verdict(allowed, _used(level, size), size)

    def _evict(self, now: float, limit: RateLimit) -> None:
        drained = [k for k in self._buckets if self._level(k, now, limit) <= 0]
        for key in drained or list(self._buckets):
            del self._buckets[key]


def _used(level: float, size: int) -> int:
    used = math.ceil(level - _EPSILON)
    return size if used > size else (used if used > 0 else 0)
