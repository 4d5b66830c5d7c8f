"""Engine, sessions and schema creation.

SQLite (the embedded default) runs in WAL mode with a busy timeout so readers never block the
writer; PostgreSQL is used as-is. The engine lives on `app.state` so each app (and each test)
owns its database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Table, event, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel, create_engine

import app.models  # noqa: F401  (registers the tables)
from app.models.event_count import ensure_event_counts, prepare_metadata
from app.services.rendered import record_rendering_zone

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def create_schema(engine: Engine, timezone: str | None = None) -> str | None:
    """Create what is missing; returns the shop's rendering zone (app/services/rendered.py),
    recording `timezone` as that zone if the database has none yet."""
    _never_reuse_ids()
    prepare_metadata(engine.dialect.name)
    SQLModel.metadata.create_all(engine)
    _add_new_columns(engine)
    with engine.begin() as conn:
        ensure_event_counts(conn)
    return None if timezone is None else record_rendering_zone(engine, timezone)


def _add_new_columns(engine: Engine) -> None:
    """A database made by an earlier version gets the (nullable) columns added since then."""
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in tables:
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            kind = column.type.compile(dialect=engine.dialect)
            try:
                with engine.begin() as conn:
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
            except DBAPIError:
                # Another process starting on the same database added it first.
                present = {c["name"] for c in inspect(engine).get_columns(table.name)}
                if column.name not in present:
                    raise


def _never_reuse_ids() -> None:
    """SQLite gives a new row max(id) + 1, so deleting the newest product let the next one
    take its id (and its event history). AUTOINCREMENT never hands an id out twice, as
    Shopify (and PostgreSQL's sequences) never do. Applies to tables created from now on."""
    for table in SQLModel.metadata.tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto"):
            table.dialect_options["sqlite"]["autoincrement"] = True


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def sync_id_sequences(session: Session) -> None:
    """After rows were inserted with explicit ids, move PostgreSQL's sequences past them.

    Only ever forwards: another process may have taken (uncommitted) values beyond the
    largest id this transaction sees. SQLite's INTEGER PRIMARY KEY already assigns max(id) + 1.
    """
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement:
            continue
        top = session.execute(select(func.max(pk[0]))).scalar()
        if top is not None:
            _advance_sequence(session, table.name, pk[0].name, int(top))


def _advance_sequence(session: Session, table: str, column: str, floor: int) -> None:
    session.execute(
        text(
            "SELECT setval(s, :floor) FROM (SELECT pg_get_serial_sequence(:table, :column) AS s) q "
            "WHERE :floor > COALESCE(pg_sequence_last_value(s::regclass), 0)"
        ),
        {"table": table, "column": column, "floor": floor},
    )


def reserve_ids(session: Session, table: Table, count: int, floor: int = 0) -> list[int]:
    """`count` fresh ascending ids for `table`, all greater than `floor` and than every id in it.

    PostgreSQL takes them from the table's sequence, so concurrent writers in several
    processes never collide; SQLite holds one writer at a time and continues after max(id).
    """
    if count <= 0:
        return []
    (pk,) = table.primary_key.columns
    if session.get_bind().dialect.name == "postgresql":
        _advance_sequence(session, table.name, pk.name, floor)
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, :column)) "
                "FROM generate_series(1, :n)"
            ),
            {"table": table.name, "column": pk.name, "n": count},
        )
        return sorted(int(r[0]) for r in rows)
    start = max(highest_id(session.connection(), table), floor) + 1
    return list(range(start, start + count))


def highest_id(conn: Connection, table: Table) -> int:
    """The highest id `table` has ever handed out: its largest, or a deleted row's above it
    (SQLite's `sqlite_sequence` for an AUTOINCREMENT table, PostgreSQL's sequence), so a
    writer that picks its own ids from here never gives a deleted row's id (and its event
    history) to a new one."""
    (pk,) = table.primary_key.columns
    top = int(conn.execute(select(func.max(pk))).scalar() or 0)
    if conn.dialect.name == "postgresql":
        given = conn.execute(
            text(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(:table, :column)::regclass)"
            ),
            {"table": table.name, "column": pk.name},
        ).scalar()
    elif conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    ).first():
        given = conn.execute(
            text("SELECT seq FROM sqlite_sequence WHERE name = :table"), {"table": table.name}
        ).scalar()
    else:  # no AUTOINCREMENT table (a database from before them): max(id) is all there is
        given = None
    return max(top, int(given or 0))


def open_session(engine: Engine, settings: Any = None) -> Session:
    """A session that knows its app's settings (recorders read the shop domain from it)."""
    session = Session(engine)
    if settings is not None:
        session.info["settings"] = settings
    return session


async def get_session(request: Request) -> AsyncIterator[Session]:
    # async: no worker-thread hop to open and close it (the session itself is used as usual).
    with open_session(request.app.state.engine, request.app.state.settings) as session:
        # The toolkit's visibility lag: a callable(session) -> ids of events not yet visible.
        hidden = getattr(request.app.state, "hidden_events", None)
        if hidden is not None:
            session.info["hidden_events"] = hidden
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
