"""One app's sandbox state: its run-time config, its clock, its buckets and its seeded dice.

Config and clock are stored in the shop's database (table `sandbox_state`), so every process
serving that shop follows them: a change made through one process is seen by the others within
`REFRESH_SECONDS`. The process that made it sees it at once.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.clock import Clock
from app.config import Settings
from app.models.event import events_table
from app.models.sandbox_state import sandbox_state_table
from app.toolkit.config import FaultKind, SandboxConfig, config_from_settings
from app.toolkit.ratelimit import Buckets

REFRESH_SECONDS = 1.0
_CONFIG = "config"
_CLOCK = "clock"
S = sandbox_state_table.c
E = events_table.c


def _clock_from(data: dict[str, Any] | None) -> Clock:
    if not data:
        return Clock()
    return Clock(
        data.get("mode", "real"), float(data.get("frozen_at", 0)), float(data.get("offset", 0))
    )


def _clock_data(clock: Clock) -> dict[str, Any]:
    return {"mode": clock.mode, "frozen_at": clock.frozen_at, "offset": clock.offset}


def _read(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.execute(select(S.name, S.value)).all()
    return {row.name: row.value for row in rows}


def _write(session: Session, name: str, value: dict[str, Any]) -> None:
    if session.execute(select(S.name).where(S.name == name)).first() is None:
        session.execute(sandbox_state_table.insert().values(name=name, value=value))
    else:
        session.execute(sandbox_state_table.update().where(S.name == name).values(value=value))


def initialise_state(engine: Engine, settings: Settings, *, overwrite: bool) -> None:
    """Store the settings' config and a real clock (only where nothing is stored, unless
    `overwrite`: `serve` starts every run from its flags)."""
    with Session(engine) as session:
        stored = _read(session)
        if overwrite or _CONFIG not in stored:
            _write(session, _CONFIG, config_from_settings(settings).model_dump())
        if overwrite or _CLOCK not in stored:
            _write(session, _CLOCK, _clock_data(Clock()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another process starting on the same shop stored it first


class Toolkit:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.config = SandboxConfig()
        self.clock = Clock()
        self.buckets = Buckets()
        self._fault_dice = random.Random(0)
        self._latency_dice = random.Random(0)
        self._loaded_at = 0.0
        self.load()

    # ---- persistence -----------------------------------------------------------------

    def load(self) -> None:
        with Session(self.engine) as session:
            stored = _read(session)
        config = SandboxConfig.model_validate(stored.get(_CONFIG, {}))
        if config != self.config:
            self._apply(config)
        self.clock = _clock_from(stored.get(_CLOCK))
        self._loaded_at = time.monotonic()

    @property
    def fresh_until(self) -> float:
        """Until this `time.monotonic()`, the state in memory is recent enough."""
        return self._loaded_at + REFRESH_SECONDS

    async def refresh(self) -> None:
        self._loaded_at = time.monotonic()  # one refresh at a time
        await anyio.to_thread.run_sync(self.load)

    def _apply(self, config: SandboxConfig) -> None:
        self.config = config
        self._fault_dice = random.Random(f"faults:{config.seed}")
        self._latency_dice = random.Random(f"latency:{config.seed}")

    def save_config(self, config: SandboxConfig) -> None:
        with Session(self.engine) as session:
            _write(session, _CONFIG, config.model_dump())
            session.commit()
        self._apply(config)  # reseeds the dice: a PUT starts a reproducible sequence

    def save_clock(self, clock: Clock) -> None:
        with Session(self.engine) as session:
            _write(session, _CLOCK, _clock_data(clock))
            session.commit()
        self.clock = clock

    # ---- dice --------------------------------------------------------------------------

    def draw_fault(self, method: str) -> FaultKind | None:
        faults = self.config.faults
        if faults.rate <= 0 or self._fault_dice.random() >= faults.rate:
            return None
        kind = self._fault_dice.choice(faults.kinds)
        if kind == "lost" and method in ("GET", "HEAD"):
            return "drop"  # nothing to lose on a read: the connection simply drops
        return kind

    def draw_latency(self) -> float:
        """Seconds to wait before serving this request."""
        latency = self.config.latency
        ms = latency.ms
        if latency.distribution == "uniform":
            ms = self._latency_dice.uniform(ms - latency.jitter_ms, ms + latency.jitter_ms)
        elif latency.distribution == "normal":
            ms = self._latency_dice.gauss(ms, latency.jitter_ms)
        return max(0.0, ms) / 1000

    # ---- visibility lag ----------------------------------------------------------------

    def lag_of(self, event_id: int) -> float:
        """This event's lag in seconds: fixed per event by the seed, the same in every process."""
        lag = self.config.lag
        digest = hashlib.blake2b(f"{self.config.seed}:{event_id}".encode(), digest_size=8)
        unit = int.from_bytes(digest.digest(), "big") / 2**64
        return lag.min_seconds + (lag.max_seconds - lag.min_seconds) * unit

    def hidden_event_ids(self, session: Session) -> Sequence[int]:
        """Ids of the events created too recently to be visible yet (none without a lag)."""
        lag = self.config.lag
        if not lag.active:
            return ()
        now = self.clock.timestamp()
        since = datetime.fromtimestamp(now - lag.max_seconds - 1, UTC).replace(tzinfo=None)
        rows = session.execute(select(E.id, E.created_at).where(E.created_at >= since)).all()
        return [
            row.id
            for row in rows
            if row.created_at.replace(tzinfo=UTC).timestamp() + self.lag_of(row.id) > now
        ]
