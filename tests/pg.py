"""PostgreSQL for the test matrix: one freshly created database per test.

Several people share the server (127.0.0.1:5432, user postgres, trust), so a test never uses
the `test` database for tables: it creates `sem_<uuid>` from it and drops it afterwards.
`PG_ADMIN_URL` overrides where the server is.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import psycopg

ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


@cache
def pg_available() -> bool:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new empty database; yields its SQLAlchemy URL, drops it (and its sessions) after."""
    name = f"sem_{uuid.uuid4().hex[:16]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
