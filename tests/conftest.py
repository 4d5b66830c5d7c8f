"""Shared fixtures: a fresh SQLite file per test, loaded through the real seed loader."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.db import make_engine, open_session
from app.main import create_app
from app.seed import load_fixture

TOKEN = "shpat_test_token"
API = "/admin/api/2026-10"

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    clients: list[TestClient] = []

    def _make(fixture: str | None = "docs", **overrides: Any) -> TestClient:
        db = tmp_path / f"shop{len(clients)}.sqlite3"
        settings = Settings(database_url=f"sqlite:///{db}", seed="none", **overrides)
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
