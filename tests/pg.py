"""PostgreSQL for the test matrix: a fresh, empty schema per test.

Several people share the server (127.0.0.1:5432, user postgres, trust), so tests never put
tables in the `test` database: each test run creates its own `sem_<uuid>` database once (from
`test`), each test gets a new schema in it (selected through libpq's `options=-csearch_path=`),
and both are dropped afterwards. A schema costs milliseconds where CREATE DATABASE costs a
second or more, which is what keeps the doubled (SQLite + PostgreSQL) suite fast.
`PG_ADMIN_URL` overrides where the server is.
"""

from __future__ import annotations

import atexit
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
_BASE = ADMIN_URL.rsplit("/", 1)[0]


@cache
def pg_available() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _execute(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@cache
def _run_database() -> str:
    """This test run's own database, created on first use and dropped at exit."""
    name = f"sem_{uuid.uuid4().hex[:16]}"
    _execute(ADMIN_URL, f'CREATE DATABASE "{name}"')
    atexit.register(_execute, ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return name


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new empty schema; yields a SQLAlchemy URL whose connections use only it."""
    database = _run_database()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    _execute(f"{_BASE}/{database}", f'CREATE SCHEMA "{schema}"')
    url = f"{_BASE}/{database}?options=-csearch_path%3D{schema}"
    try:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        _execute(f"{_BASE}/{database}", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
