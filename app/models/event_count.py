"""Event counts kept beside the events, so that a count never walks a million rows.

Table `event_counts`, one row per (kind, subject_type, verb, level, bucket, part):

- `kind` says which filters the row answers: 0 per (subject_type, verb), 1 per subject_type
  (verb ''), 2 per verb (subject_type ''), 3 every event (both '').
- `bucket` is the events' `created_at` hour, counted from 0001-01-01 00:00 UTC, divided by
  the level's size: 1 (level 0, hours), 24 (level 1, days) or 768 (level 2, 32-day blocks).
- `n` counts the row's events; every id among them lies in [`min_id`, `max_id`] (a deleted
  event leaves the bounds as they were: wider than needed, never wrong).
- `part` is 0 on SQLite (one writer at a time: rows are updated in place). On PostgreSQL each
  writing transaction adds its own rows (`part` = its transaction id, `n` < 0 for deletions),
  so concurrent writers never wait on one another's count rows; `compact_event_counts` folds
  them into part 0.
- The marker row (kind 3, level -1) is there while the rows are exact and the triggers that
  keep them so are installed. Without it (a bulk load under way, a database from before this
  table), counts use the exact query.

Triggers on `events` keep the rows exact for every writer (ORM, Core, raw SQL, COPY): per row
on SQLite, per statement with transition tables on PostgreSQL. A SQLite trigger costs ~12 µs
per inserted row whatever it does, so a bulk writer calls `suspend_event_counts` first and
`rebuild_event_counts` after (each in its own transaction).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

KINDS = (0, 1, 2, 3)
LEVEL_SIZES = (1, 24, 768)  # hours per bucket at levels 0, 1, 2
MARKER_LEVEL = -1
# Seconds from 0001-01-01 to 1970-01-01: hours counted from year 1 are never negative, so
# integer division is floor division in both databases.
EPOCH_OFFSET = 62_135_596_800

event_counts_table = Table(
    "event_counts",
    SQLModel.metadata,
    Column("kind", Integer, primary_key=True, autoincrement=False),
    Column("subject_type", String(64), primary_key=True),
    Column("verb", String(64), primary_key=True),
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("bucket", BigInteger, primary_key=True, autoincrement=False),
    Column("part", BigInteger, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
    Column("min_id", BigInteger, nullable=False),
    Column("max_id", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)
# PostgreSQL's per-transaction rows, found without reading the others (empty on SQLite).
# Partial on both; PostgreSQL's `where` is given by `prepare_metadata` when a PostgreSQL
# database is used: naming it here loaded SQLAlchemy's PostgreSQL dialect (and its asyncpg
# module) into every process, ~0.13 billion instructions of a SQLite server's start-up.
_PARTS = Index("ix_event_counts_parts", event_counts_table.c.part)
_PARTS.dialect_options["sqlite"]["where"] = event_counts_table.c.part != 0


def prepare_metadata(dialect: str) -> None:
    """What the schema needs for `dialect` before it is created (see `_PARTS`)."""
    if dialect == "postgresql":
        _PARTS.dialect_options["postgresql"]["where"] = event_counts_table.c.part != 0


_COLUMNS = "(kind, subject_type, verb, level, bucket, part, n, min_id, max_id)"
_INSERT = "INSERT INTO event_counts " + _COLUMNS + " "

# ---- SQLite: row triggers ------------------------------------------------------------------

_SQLITE_HOUR = (
    "(CAST(strftime('%s', substr({row}.created_at, 1, 13) || ':00:00') AS INTEGER)"
    " + 62135596800) / 3600"
)
_KEYS = (
    "(SELECT 0 AS kind UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3) k, "
    "(SELECT 0 AS level, 1 AS size UNION ALL SELECT 1, 24 UNION ALL SELECT 2, 768) l"
)


def _sqlite_rows(row: str) -> str:
    """The 12 count rows one event belongs to: (kind, subject_type, verb, level, bucket)."""
    hour = _SQLITE_HOUR.replace("{row}", row)
    return (
        (
            "SELECT k.kind, CASE WHEN k.kind IN (0, 1) THEN ROW.subject_type ELSE '' END, "
            "CASE WHEN k.kind IN (0, 2) THEN ROW.verb ELSE '' END, l.level, (HOUR) / l.size "
            "FROM KEYS"
        )
        .replace("ROW", row)
        .replace("HOUR", hour)
        .replace("KEYS", _KEYS)
    )


_SQLITE_ADD = (
    _INSERT + "SELECT *, 0, 1, NEW.id, NEW.id FROM (ROWS) WHERE true "
    "ON CONFLICT DO UPDATE SET n = n + 1, min_id = min(min_id, excluded.min_id), "
    "max_id = max(max_id, excluded.max_id);"
).replace("ROWS", _sqlite_rows("NEW"))
_SQLITE_REMOVE = (
    "UPDATE event_counts SET n = n - 1 WHERE part = 0 "
    "AND (kind, subject_type, verb, level, bucket) IN (ROWS);"
).replace("ROWS", _sqlite_rows("OLD"))

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS event_counts_insert AFTER INSERT ON events BEGIN "
    + _SQLITE_ADD
    + " END",
    "CREATE TRIGGER IF NOT EXISTS event_counts_delete AFTER DELETE ON events BEGIN "
    + _SQLITE_REMOVE
    + " END",
    "CREATE TRIGGER IF NOT EXISTS event_counts_update "
    "AFTER UPDATE OF id, subject_type, verb, created_at ON events BEGIN "
    + _SQLITE_REMOVE
    + " "
    + _SQLITE_ADD
    + " END",
)
_SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS event_counts_insert",
    "DROP TRIGGER IF EXISTS event_counts_delete",
    "DROP TRIGGER IF EXISTS event_counts_update",
)

# ---- SQLite: a bulk writer's own rows ---------------------------------------------------

# A bulk writer that counts its events itself (app/sqlite_bulk.py) adds its rows with this,
# each row the sum of many events: (kind, subject_type, verb, level, bucket, n, min_id, max_id).
SQLITE_COUNTS_UPSERT = (
    _INSERT + "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) "
    "ON CONFLICT DO UPDATE SET n = n + excluded.n, min_id = min(min_id, excluded.min_id), "
    "max_id = max(max_id, excluded.max_id)"
)

# ---- PostgreSQL: statement triggers with transition tables ------------------------------------

_PG_HOUR = "(extract(epoch FROM date_trunc('hour', created_at))::bigint + 62135596800) / 3600"
_PG_KEYS = (
    "CROSS JOIN (VALUES (0), (1), (2), (3)) AS k(kind) "
    "CROSS JOIN (VALUES (0, 1), (1, 24), (2, 768)) AS l(level, size)"
)


def _pg_delta(rows: str, sign: str) -> str:
    """Add `rows` (a transition table) to this transaction's own count rows."""
    return (
        (
            "INSERT INTO event_counts AS c "
            "(kind, subject_type, verb, level, bucket, part, n, min_id, max_id) "
            "SELECT k.kind, CASE WHEN k.kind IN (0, 1) THEN r.subject_type ELSE '' END, "
            "CASE WHEN k.kind IN (0, 2) THEN r.verb ELSE '' END, l.level, r.hour / l.size, "
            "txid_current(), SIGN sum(r.n), min(r.min_id), max(r.max_id) "
            "FROM (SELECT subject_type, verb, HOUR AS hour, count(*) AS n, min(id) AS min_id, "
            "max(id) AS max_id FROM ROWS GROUP BY 1, 2, 3) r KEYS "
            "GROUP BY 1, 2, 3, 4, 5 "
            "ON CONFLICT (kind, subject_type, verb, level, bucket, part) DO UPDATE "
            "SET n = c.n + excluded.n, min_id = least(c.min_id, excluded.min_id), "
            "max_id = greatest(c.max_id, excluded.max_id);"
        )
        .replace("SIGN", sign)
        .replace("HOUR", _PG_HOUR)
        .replace("ROWS", rows)
        .replace("KEYS", _PG_KEYS)
    )


_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION event_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP = 'TRUNCATE' THEN DELETE FROM event_counts WHERE level >= 0; RETURN NULL; END IF; "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN " + _pg_delta("old_rows", "-") + " END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN " + _pg_delta("new_rows", "") + " END IF; "
    "RETURN NULL; "
    "END $$"
)
_PG_TRIGGERS = (
    _PG_FUNCTION,
    "CREATE OR REPLACE TRIGGER event_counts_insert AFTER INSERT ON events "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_counts_changed()",
    "CREATE OR REPLACE TRIGGER event_counts_delete AFTER DELETE ON events "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION event_counts_changed()",
    "CREATE OR REPLACE TRIGGER event_counts_update AFTER UPDATE ON events "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION event_counts_changed()",
    "CREATE OR REPLACE TRIGGER event_counts_truncate AFTER TRUNCATE ON events "
    "FOR EACH STATEMENT EXECUTE FUNCTION event_counts_changed()",
)
_PG_DROP = (
    "DROP TRIGGER IF EXISTS event_counts_insert ON events",
    "DROP TRIGGER IF EXISTS event_counts_delete ON events",
    "DROP TRIGGER IF EXISTS event_counts_update ON events",
    "DROP TRIGGER IF EXISTS event_counts_truncate ON events",
)

# ---- rebuild (both) ----------------------------------------------------------------------

_REBUILD_HOURS = {
    # Hours first (kind 0, level 0); SQLite groups on the stored text's hour prefix.
    "sqlite": (
        _INSERT
        + "SELECT 0, subject_type, verb, 0, (CAST(strftime('%s', h || ':00:00') AS INTEGER) "
        "+ 62135596800) / 3600, 0, n, lo, hi FROM (SELECT subject_type, verb, "
        "substr(created_at, 1, 13) AS h, count(*) AS n, min(id) AS lo, max(id) AS hi "
        "FROM events GROUP BY 3, 1, 2)"
    ),
    "postgresql": (
        _INSERT
        + "SELECT 0, subject_type, verb, 0, "
        + _PG_HOUR
        + ", 0, count(*), min(id), max(id) "
        "FROM events GROUP BY 2, 3, 5"
    ),
}
_REBUILD_KINDS = (
    _INSERT + "SELECT k.kind, CASE WHEN k.kind = 1 THEN c.subject_type ELSE '' END, "
    "CASE WHEN k.kind = 2 THEN c.verb ELSE '' END, 0, c.bucket, 0, sum(c.n), min(c.min_id), "
    "max(c.max_id) FROM event_counts c, "
    "(SELECT 1 AS kind UNION ALL SELECT 2 UNION ALL SELECT 3) k "
    "WHERE c.kind = 0 AND c.level = 0 GROUP BY 1, 2, 3, 5"
)
_REBUILD_LEVELS = (
    _INSERT + "SELECT c.kind, c.subject_type, c.verb, l.level, c.bucket / l.size, 0, sum(c.n), "
    "min(c.min_id), max(c.max_id) FROM event_counts c, "
    "(SELECT 1 AS level, 24 AS size UNION ALL SELECT 2, 768) l "
    "WHERE c.level = 0 GROUP BY 1, 2, 3, 4, 5"
)
# The table's unique constraints (its primary key), then its other indexes: how to drop each
# and how to make it again.
_PG_INDEXES = (
    "SELECT 'ALTER TABLE event_counts DROP CONSTRAINT ' || quote_ident(conname), "
    "'ALTER TABLE event_counts ADD CONSTRAINT ' || quote_ident(conname) || ' ' "
    "|| pg_get_constraintdef(oid) "
    "FROM pg_constraint WHERE conrelid = 'event_counts'::regclass AND contype IN ('p', 'u') "
    "UNION ALL "
    "SELECT 'DROP INDEX ' || quote_ident(n.nspname) || '.' || quote_ident(i.relname), "
    "pg_get_indexdef(i.oid) "
    "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
    "JOIN pg_namespace n ON n.oid = i.relnamespace "
    "WHERE x.indrelid = 'event_counts'::regclass "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
)
_MARKER = _INSERT + "VALUES (3, '', '', -1, 0, 0, 0, 0, 0)"
_MARKED = "kind = 3 AND subject_type = '' AND verb = '' AND level = -1 AND bucket = 0"
_IS_MARKED = "SELECT 1 FROM event_counts WHERE " + _MARKED
_UNMARK = "DELETE FROM event_counts WHERE " + _MARKED
_COMPACT = (
    "WITH moved AS (DELETE FROM event_counts WHERE part <> 0 RETURNING *) "
    "INSERT INTO event_counts AS c "
    "(kind, subject_type, verb, level, bucket, part, n, min_id, max_id) "
    "SELECT kind, subject_type, verb, level, bucket, 0, sum(n), min(min_id), max(max_id) "
    "FROM moved GROUP BY 1, 2, 3, 4, 5 "
    "ON CONFLICT (kind, subject_type, verb, level, bucket, part) DO UPDATE "
    "SET n = c.n + excluded.n, min_id = least(c.min_id, excluded.min_id), "
    "max_id = greatest(c.max_id, excluded.max_id)"
)


def _run(conn: Connection, statements: tuple[str, ...] | list[str]) -> None:
    for statement in statements:
        conn.execute(text(statement))


def _postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def counts_are_maintained(conn: Connection) -> bool:
    """Whether the marker row is there (the count rows are exact and kept so)."""
    return conn.execute(text(_IS_MARKED)).first() is not None


def suspend_event_counts(conn: Connection) -> bool:
    """Before a bulk write: drop the triggers and the marker (counts read the events exactly
    until `rebuild_event_counts` or `resume_event_counts`). Runs in the caller's transaction.
    Returns whether the rows were exact (the marker was there)."""
    if _postgres(conn):
        conn.execute(text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))
    # First: on SQLite this DELETE opens the transaction the DROPs then run in.
    exact = conn.execute(text(_UNMARK)).rowcount > 0
    _run(conn, _PG_DROP if _postgres(conn) else _SQLITE_DROP)
    return exact


def resume_event_counts(conn: Connection) -> bool:
    """After a SQLite bulk write that counted its own events (`SQLITE_COUNTS_UPSERT`, on rows
    that were exact when suspended): install the triggers and the marker, if the rows still add
    up to the events, per (subject_type, verb) (~0.5 s per 1M events, against ~5 s for a
    recount). False (nothing done) if they do not, e.g. another process wrote events meanwhile,
    or on PostgreSQL: the caller rebuilds."""
    if _postgres(conn):
        return False
    pairs = "SELECT subject_type, verb, count(*) FROM events GROUP BY 1, 2 ORDER BY 1, 2"
    counted = (
        "SELECT subject_type, verb, sum(n) FROM event_counts WHERE kind = 0 AND level = 2 "
        "GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2"
    )
    top = "SELECT coalesce(max(id), 0) FROM events"
    top_counted = "SELECT coalesce(max(max_id), 0) FROM event_counts WHERE kind = 3 AND level = 2"
    if [tuple(r) for r in conn.execute(text(pairs))] != [
        tuple(r) for r in conn.execute(text(counted))
    ] or conn.execute(text(top)).scalar_one() != conn.execute(text(top_counted)).scalar_one():
        return False
    # Another bulk writer (a sandbox reset) may have resumed them meanwhile: one marker.
    _run(conn, (_UNMARK, _MARKER, *_SQLITE_TRIGGERS))
    return True


def rebuild_event_counts(conn: Connection) -> None:
    """Recount every event, install the triggers and the marker, in the caller's transaction.

    Call it after a bulk write (and `suspend_event_counts` before it). On PostgreSQL other
    writers wait for it (the triggers are installed before the events are read, so no write
    is missed); readers do not.
    """
    postgres = _postgres(conn)
    if postgres:
        conn.execute(text("LOCK TABLE events IN SHARE ROW EXCLUSIVE MODE"))
        _run(conn, _PG_TRIGGERS)
    # On SQLite this DELETE opens the transaction (and takes the write lock): no other
    # writer can add an event between the recount and the triggers. On PostgreSQL, inserting
    # keys deleted in the same transaction costs a heap visit each: TRUNCATE (readers of the
    # counts wait for the rebuild, as writers already do).
    conn.execute(text("TRUNCATE event_counts" if postgres else "DELETE FROM event_counts"))
    if postgres:
        # The hour groups of 1M events hashed in memory, not spilled in batches to disk; the
        # indexes built once from the new rows, not kept up row by row (1M events: 12.3-13.3 s
        # -> 8.3-8.8 s). Only this transaction sees the table meanwhile (TRUNCATE locked it).
        conn.execute(text("SET LOCAL work_mem = '256MB'"))
        indexes = [tuple(row) for row in conn.execute(text(_PG_INDEXES))]
        _run(conn, [drop for drop, _create in indexes])
    _run(conn, (_REBUILD_HOURS[conn.dialect.name], _REBUILD_KINDS, _REBUILD_LEVELS, _MARKER))
    if postgres:
        _run(conn, [create for _drop, create in indexes])
        # A bulk load leaves the planner's statistics stale (or absent, for a new table).
        conn.execute(text("ANALYZE events"))
        conn.execute(text("ANALYZE event_counts"))
    else:
        _run(conn, _SQLITE_TRIGGERS)


def compact_event_counts(conn: Connection) -> None:
    """Fold PostgreSQL's per-transaction count rows into part 0 (SQLite has none)."""
    if _postgres(conn):
        # Self-exclusive, but writers (ROW EXCLUSIVE) go on: two compactions never interleave.
        conn.execute(text("LOCK TABLE event_counts IN SHARE UPDATE EXCLUSIVE MODE"))
        conn.execute(text(_COMPACT))


def ensure_event_counts(conn: Connection) -> None:
    """At start-up: rebuild when the marker is missing (a new or older database), else
    compact. Cheap when there is nothing to do."""
    if counts_are_maintained(conn):
        compact_event_counts(conn)
    else:
        rebuild_event_counts(conn)
