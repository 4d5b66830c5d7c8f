"""Run the event read side's statements on a plain DBAPI connection, each compiled once.

The statements are still built by SQLAlchemy (from `EventFilters.conditions()`), but only the
first time a *shape* is seen: the shape is the set of bound parameter names, so a second request
with the same filters (other values) reuses the compiled SQL string and skips building,
compiling, caching lookups and result processing, which cost more than the query itself.

Rows come back as the driver returns them (tuples; on SQLite `created_at` and `arguments` as
text). Reads need no transaction: SQLite reads outside one see the latest commit (WAL), and the
PostgreSQL connection is in autocommit, so a long-lived connection never holds a snapshot.

On PostgreSQL a read is a round trip to another process, which held the event loop while the
database worked. The fast path (app/fastpath.py) therefore runs its reads in a greenlet
(SQLAlchemy's `greenlet_spawn`, as its own asyncio layer does): there `fetch` awaits the
statement on an asyncio psycopg connection of a small pool, and the loop serves other requests
meanwhile (a deep page at 16 connections: +10-60% requests/s in alternating runs, p99 halved;
docs/decisions.md).
Anywhere else (FastAPI's routes, in their threads) it runs on the one blocking connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util.concurrency import await_only, in_greenlet

_MAX_SHAPES = 512
ASYNC_CONNECTIONS = 8  # PostgreSQL: at most this many reads in flight at once (per process)

Statement = ClauseElement
Listener = Callable[[str, Any], None]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # parameter order for qmark/format drivers
    defaults: dict[str, Any]  # values SQLAlchemy adds itself (e.g. SQLite's OFFSET)
    processors: dict[str, Callable[[Any], Any]]  # e.g. datetime -> SQLite's stored text

    def arguments(self, values: Mapping[str, Any]) -> Any:
        merged = {**self.defaults, **values} if self.defaults else dict(values)
        for name, process in self.processors.items():
            if merged.get(name) is not None:
                merged[name] = process(merged[name])
        if self.positional is None:
            return merged
        return tuple(merged[name] for name in self.positional)


class EventReader:
    """One app's read connection and its compiled statements (safe across threads: a lock)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self.listeners: list[Listener] = []  # tests see the SQL sent (tests/test_query_plans.py)
        # The zone of the events' stored renderings (app/services/rendered.py), set by the app.
        self.rendering_zone: str | None = None
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()
        self._connection: Any = None
        # PostgreSQL's asyncio connections not in use, opened in `_generation` (`close` starts
        # a new one: an older connection is closed when its read ends), and the slots.
        self._async_idle: list[Any] = []
        self._generation = 0
        self._async_slots: asyncio.Semaphore | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        # In-memory SQLite lives in one connection per pool: borrow it for each read instead.
        self._persistent = not isinstance(engine.pool, StaticPool | SingletonThreadPool)
        # Whether a read in a greenlet awaits its statement (PostgreSQL); the fast path asks.
        self.awaits = self._persistent and engine.dialect.name == "postgresql"
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def fetch(
        self, key: Hashable, build: Callable[[], Statement], values: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of the statement `build()` makes for this shape, with these values."""
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(key, build())
        arguments = compiled.arguments(values)
        for listener in self.listeners:
            listener(compiled.sql, arguments)
        if self.awaits and in_greenlet():
            rows: list[tuple[Any, ...]] = await_only(self._fetch_async(compiled.sql, arguments))
            return rows
        with self._lock:
            if not self._persistent:
                return self._fetch_once(compiled.sql, arguments)
            connection = self._connection or self._connect()
            try:
                cursor = connection.cursor()
                cursor.execute(compiled.sql, arguments)
                rows = cursor.fetchall()
                cursor.close()
            except Exception:
                self._discard()  # a broken connection is not reused; the next read reconnects
                raise
            return rows

    async def _fetch_async(self, sql: str, arguments: Any) -> list[tuple[Any, ...]]:
        loop = asyncio.get_running_loop()
        if self._async_slots is None or self._async_loop is not loop:
            # A semaphore waits on one loop (a test client runs a loop per request; a server,
            # one). The connections are not bound to a loop: each serves one read at a time.
            self._async_loop, self._async_slots = loop, asyncio.Semaphore(ASYNC_CONNECTIONS)
        async with self._async_slots:
            generation = self._generation
            if self._async_idle:
                generation, connection = self._async_idle.pop()
            else:
                connection = await self._connect_async()
            try:
                cursor = connection.cursor()
                await cursor.execute(sql, arguments)
                rows: list[tuple[Any, ...]] = await cursor.fetchall()
                await cursor.close()
            except BaseException:
                _finish(connection)  # not reused (broken, or its read cancelled midway)
                raise
            if generation == self._generation:
                self._async_idle.append((generation, connection))
            else:
                _finish(connection)
            return rows

    async def _connect_async(self) -> Any:
        import psycopg  # only a PostgreSQL reader gets here

        # What the engine's own connections are opened with (host, database, options, and
        # SQLAlchemy's adapters).
        cargs, cparams = self.dialect.create_connect_args(self.engine.url)
        return await psycopg.AsyncConnection.connect(*cargs, **{**cparams, "autocommit": True})

    def _fetch_once(self, sql: str, arguments: Any) -> list[tuple[Any, ...]]:
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, arguments)
            rows: list[tuple[Any, ...]] = list(cursor.fetchall())
            cursor.close()
            connection.rollback()
            return rows
        finally:
            connection.close()

    def _compile(self, key: Hashable, statement: Statement) -> _Compiled:
        compiled = cast(SQLCompiler, statement.compile(dialect=self.dialect))
        processors: dict[str, Callable[[Any], Any]] = {}
        for bind, name in compiled.bind_names.items():
            process = bind.type.dialect_impl(self.dialect).bind_processor(self.dialect)
            if process is not None:
                processors[name] = process
        positional = tuple(compiled.positiontup) if compiled.positiontup is not None else None
        params = dict(compiled.construct_params() or {})
        result = _Compiled(str(compiled), positional, params, processors)
        if len(self._compiled) >= _MAX_SHAPES:
            self._compiled.clear()
        self._compiled[key] = result
        return result

    def _connect(self) -> Any:
        # Detached: the pool forgets it (and its reset-on-return); this reader owns and closes it.
        fairy = self.engine.raw_connection()
        fairy.detach()
        connection: Any = fairy.dbapi_connection
        if self.dialect.name == "postgresql":
            connection.rollback()
            connection.autocommit = True
        self._connection = connection
        return connection

    def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # it is being thrown away
                connection.close()

    def close(self) -> None:
        with self._lock:
            self._discard()
            idle, self._async_idle = self._async_idle, []
            self._generation += 1
        for _generation, connection in idle:
            _finish(connection)


def _finish(connection: Any) -> None:
    """Close an asyncio psycopg connection from sync code: its libpq end, which is all its
    `close()` coroutine closes (it is then `closed`)."""
    with contextlib.suppress(Exception):  # it is being thrown away
        connection.pgconn.finish()
