"""The sandbox's run-time configuration (`GET/PUT /_sandbox/config`), all off by default.

```json
{"rate_limit": {"plan": "off", "bucket_size": 40, "leak_rate": 2.0},
 "latency": {"distribution": "fixed", "ms": 0, "jitter_ms": 0},
 "faults": {"rate": 0.0, "kinds": ["429", "500", "503", "drop"]},
 "lag": {"min_seconds": 0, "max_seconds": 0},
 "seed": 0,
 "access_tokens": []}
```
Settings (and so `serve` flags) give the starting values in a compact text form, parsed here.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.config import Settings

PlanName = Literal["off", "standard", "advanced", "plus", "custom"]
FaultKind = Literal["429", "500", "503", "drop", "lost"]

# plan -> (bucket size, leak rate per second), as Shopify documents them
PLANS: dict[str, tuple[int, float]] = {
    "standard": (40, 2.0),
    "advanced": (80, 4.0),
    "plus": (400, 20.0),
}
FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "503", "drop", "lost")
DEFAULT_FAULT_KINDS: tuple[FaultKind, ...] = ("429", "500", "503", "drop")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RateLimit(_Strict):
    """`off` still counts (the header reports a standard bucket) but never answers 429."""

    plan: PlanName = "off"
    bucket_size: int = Field(40, ge=1, le=1_000_000)
    leak_rate: float = Field(2.0, gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _plan_sizes(self) -> RateLimit:
        size, leak = PLANS.get("standard" if self.plan == "off" else self.plan, (0, 0.0))
        if size:
            self.bucket_size, self.leak_rate = size, leak
        return self

    @property
    def enforced(self) -> bool:
        return self.plan != "off"


class Latency(_Strict):
    """Added before the request is served: fixed `ms`, or `ms` +- `jitter_ms` (uniform), or a
    normal distribution of mean `ms` and standard deviation `jitter_ms` (never below 0)."""

    distribution: Literal["fixed", "uniform", "normal"] = "fixed"
    ms: float = Field(0, ge=0, le=60_000)
    jitter_ms: float = Field(0, ge=0, le=60_000)

    @property
    def active(self) -> bool:
        return self.ms > 0 or (self.distribution != "fixed" and self.jitter_ms > 0)


class Faults(_Strict):
    """Each Admin API request fails with probability `rate`, as one of `kinds` (evenly)."""

    rate: float = Field(0.0, ge=0, le=1)
    kinds: list[FaultKind] = Field(default_factory=lambda: list(DEFAULT_FAULT_KINDS))

    @model_validator(mode="after")
    def _some_kind(self) -> Faults:
        if not self.kinds:
            raise ValueError("kinds must name at least one fault")
        return self


class Lag(_Strict):
    """A new event becomes visible between `min_seconds` and `max_seconds` after its
    `created_at` (uniform, fixed per event by the seed)."""

    min_seconds: float = Field(0, ge=0, le=86_400)
    max_seconds: float = Field(0, ge=0, le=86_400)

    @model_validator(mode="after")
    def _ordered(self) -> Lag:
        if self.max_seconds < self.min_seconds:
            self.max_seconds = self.min_seconds
        return self

    @property
    def active(self) -> bool:
        return self.max_seconds > 0


class SandboxConfig(_Strict):
    rate_limit: RateLimit = Field(default_factory=RateLimit)
    latency: Latency = Field(default_factory=Latency)
    faults: Faults = Field(default_factory=Faults)
    lag: Lag = Field(default_factory=Lag)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    # Accepted Admin API access tokens; empty means "any non-empty token".
    access_tokens: list[str] = Field(default_factory=list, max_length=1000)

    def merged(self, update: dict[str, Any]) -> SandboxConfig:
        """A partial update: top-level sections are merged field by field."""
        data = self.model_dump()
        for key, value in update.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return SandboxConfig.model_validate(data)


class SandboxConfigUpdate(_Strict):
    """`PUT /_sandbox/config`: any subset; sections are merged field by field."""

    rate_limit: dict[str, Any] | None = None
    latency: dict[str, Any] | None = None
    faults: dict[str, Any] | None = None
    lag: dict[str, Any] | None = None
    seed: int | None = None
    access_tokens: list[str] | None = None


_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$")
_NORMAL = re.compile(r"^\s*normal\s*:\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$")
_CUSTOM = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*$")


def parse_rate_limit(text: str) -> RateLimit:
    """`off`, `standard`, `advanced`, `plus`, or `SIZE/LEAK` (a custom bucket, e.g. `10/1`)."""
    name = text.strip().lower()
    if name in ("off", *PLANS):
        return RateLimit(plan=name)
    match = _CUSTOM.match(name)
    if match is None:
        raise ValueError(f"rate limit {text!r}: use off, standard, advanced, plus or SIZE/LEAK")
    return RateLimit(plan="custom", bucket_size=int(match[1]), leak_rate=float(match[2]))


def parse_latency(text: str) -> Latency:
    """`50` (fixed ms), `20-200` (uniform ms) or `normal:100,30` (mean, standard deviation)."""
    normal = _NORMAL.match(text)
    if normal:
        return Latency(distribution="normal", ms=float(normal[1]), jitter_ms=float(normal[2]))
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"latency {text!r}: use MS, MIN-MAX or normal:MEAN,STDDEV")
    low = float(match[1])
    if match[2] is None:
        return Latency(ms=low)
    high = max(low, float(match[2]))
    return Latency(distribution="uniform", ms=(low + high) / 2, jitter_ms=(high - low) / 2)


def parse_lag(text: str) -> Lag:
    """`3` (seconds) or `1-5` (uniform per event)."""
    match = _RANGE.match(text)
    if match is None:
        raise ValueError(f"lag {text!r}: use SECONDS or MIN-MAX")
    low = float(match[1])
    return Lag(min_seconds=low, max_seconds=float(match[2]) if match[2] else low)


def parse_fault_kinds(text: str) -> list[FaultKind]:
    kinds = [k.strip().lower() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in FAULT_KINDS]
    if bad or not kinds:
        raise ValueError(f"fault kinds {text!r}: choose from {', '.join(FAULT_KINDS)}")
    return kinds  # type: ignore[return-value]


def config_from_settings(settings: Settings) -> SandboxConfig:
    return SandboxConfig(
        rate_limit=parse_rate_limit(settings.rate_limit),
        latency=parse_latency(settings.latency),
        faults=Faults(rate=settings.fault_rate, kinds=parse_fault_kinds(settings.fault_kinds)),
        lag=parse_lag(settings.lag),
        seed=settings.sandbox_seed,
        access_tokens=list(settings.access_tokens),
    )
