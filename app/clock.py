"""The shop's "now". Every new event and resource takes its timestamp from here.

A shop's clock is real, frozen at an instant, or offset from real time (`PUT /_sandbox/clock`).
Each app owns a `Clock`; its middleware makes it the current one for the request (a context
variable, so it follows the request into the thread pool), and `utcnow()` reads it.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

ClockMode = Literal["real", "frozen", "offset"]


@dataclass(frozen=True)
class Clock:
    mode: ClockMode = "real"
    frozen_at: float = 0.0  # epoch seconds, when frozen
    offset: float = 0.0  # seconds added to real time, when offset

    def timestamp(self) -> float:
        """Epoch seconds with sub-second precision (the rate limiter's time)."""
        if self.mode == "frozen":
            return self.frozen_at
        if self.mode == "offset":
            return time.time() + self.offset
        return time.time()

    def advanced(self, seconds: float) -> Clock:
        if self.mode == "frozen":
            return Clock("frozen", frozen_at=self.frozen_at + seconds)
        return Clock("offset", offset=self.offset + seconds)


REAL = Clock()
_current: ContextVar[Clock] = ContextVar("shop_clock", default=REAL)


def use_clock(clock: Clock) -> None:
    """Make `clock` the shop's clock for the rest of the current request (or context)."""
    _current.set(clock)


def current_clock() -> Clock:
    return _current.get()


def utcnow() -> datetime:
    """Naive UTC, whole seconds: the precision Shopify stores and renders."""
    stamp = _current.get().timestamp()
    return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None)
