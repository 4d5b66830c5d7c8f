"""Shared fixtures: a fresh database per test, loaded through the real seed loader.

`make_client` (and so every test built on it) runs on a fresh SQLite file and, when the
PostgreSQL server is reachable, again on a freshly created PostgreSQL database (tests/pg.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine, open_session
from app.main import create_app
from app.seed import load_fixture
from tests.pg import fresh_database, pg_available

TOKEN = "shpat_test_token"
API = "/admin/api/2026-10"

MakeClient = Callable[..., TestClient]

BACKENDS = ["sqlite", "postgresql"] if pg_available() else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of fresh database URLs on this test's backend."""
    with ExitStack() as stack:
        counter = iter(range(1_000))

        def _new() -> str:
            if backend == "postgresql":
                return stack.enter_context(fresh_database())
            return f"sqlite:///{tmp_path / f'shop{next(counter)}.sqlite3'}"

        yield _new


@pytest.fixture
def make_client(database_url: Callable[[], str]) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def _make(fixture: str | None = "docs", **overrides: Any) -> TestClient:
        settings = Settings(database_url=database_url(), seed="none", **overrides)
        engine = make_engine(settings.database_url)
        app = create_app(settings, engine)
        if fixture is not None:
            with open_session(engine, settings) as session:
                load_fixture(session, fixture, settings.tz)
        client = TestClient(app, headers={"X-Shopify-Access-Token": TOKEN})
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client("docs")


@pytest.fixture
def empty_client(make_client: MakeClient) -> TestClient:
    return make_client(None)


def engine_of(client: TestClient) -> Any:
    return client.app.state.engine  # type: ignore[attr-defined]


def session_of(client: TestClient) -> Session:
    return Session(engine_of(client))
