"""Safe to run for a team on a shared host: binding, tokens, SQL, allow-lists, leaks, CORS."""

from __future__ import annotations

import ast
import hmac
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import app.deps
from app import cli
from app.bulk_render import FIELDS
from app.config import Settings, get_settings
from app.db import make_engine, open_session
from app.main import create_app
from app.seed import load_fixture
from app.services.events import EventFilters, parse_fields
from tests.live_server import API, TOKEN, LiveServer

APP_DIR = Path(__file__).resolve().parent.parent / "app"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Any]:
    """`shop(**settings)`: a TestClient on a fresh SQLite file holding the docs shop."""
    clients: list[TestClient] = []

    def _make(**overrides: Any) -> TestClient:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/s{len(clients)}.db", **overrides)
        engine = make_engine(settings.database_url)
        application = create_app(settings, engine)
        with open_session(engine, settings) as session:
            load_fixture(session, "docs", settings.tz)
        client = TestClient(application, raise_server_exceptions=False)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


# ---- binding --------------------------------------------------------------------------------


@pytest.fixture
def serve_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`serve` writes its options into os.environ and caches Settings: keep both to this test."""
    monkeypatch.setattr(os, "environ", dict(os.environ))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_binds_to_loopback_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, serve_env: None
) -> None:
    for name in ("HOST", "ACCESS_TOKENS", "SANDBOX_ADMIN_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().host == "127.0.0.1"
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(cli, "prepare_database", lambda settings: None)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: calls.append(kw))
    result = CliRunner().invoke(cli.cli, ["serve", "--seed", "none"])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1"
    assert calls[0]["server_header"] is False
    assert "warning" not in result.output


def test_warns_when_exposed_without_access_tokens(
    monkeypatch: pytest.MonkeyPatch, serve_env: None
) -> None:
    for name in ("ACCESS_TOKENS", "SANDBOX_ADMIN_TOKEN", "SANDBOX_API"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(cli, "prepare_database", lambda settings: None)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *a, **kw: None)
    exposed = CliRunner().invoke(cli.cli, ["serve", "--host", "0.0.0.0", "--seed", "none"])
    assert exposed.exit_code == 0
    assert "warning: listening on 0.0.0.0" in exposed.output
    assert "ACCESS_TOKENS" in exposed.output
    assert "SANDBOX_ADMIN_TOKEN" in exposed.output
    monkeypatch.setenv("ACCESS_TOKENS", "team-token")
    tokens_only = CliRunner().invoke(cli.cli, ["serve", "--host", "0.0.0.0", "--seed", "none"])
    assert "ACCESS_TOKENS" not in tokens_only.output
    assert "SANDBOX_ADMIN_TOKEN" in tokens_only.output
    monkeypatch.setenv("SANDBOX_ADMIN_TOKEN", "ops-token")
    guarded = CliRunner().invoke(cli.cli, ["serve", "--host", "0.0.0.0", "--seed", "none"])
    assert "warning" not in guarded.output


@pytest.mark.parametrize(
    ("host", "tokens", "warns"),
    [
        ("127.0.0.1", [], False),
        ("127.0.0.2", [], False),
        ("::1", [], False),
        ("[::1]", [], False),
        ("localhost", [], False),
        ("0.0.0.0", [], True),
        ("::", [], True),
        ("192.168.1.20", [], True),
        ("shop.example", [], True),
        ("0.0.0.0", ["tok"], False),
    ],
)
def test_exposure_warning(host: str, tokens: list[str], warns: bool) -> None:
    assert (cli.exposure_warning(host, tokens) is not None) is warns


# ---- access tokens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Shopify-Access-Token": "shpat_right"}, 200),
        ({"X-Shopify-Access-Token": "shpat_other"}, 200),  # the second configured token
        ({"X-Shopify-Access-Token": " shpat_right "}, 200),  # header whitespace is not the token
        ({"X-Shopify-Access-Token": "shpat_righ"}, 401),  # a prefix
        ({"X-Shopify-Access-Token": "shpat_rightt"}, 401),  # an extension
        ({"X-Shopify-Access-Token": "SHPAT_RIGHT"}, 401),  # case matters
        ({"X-Shopify-Access-Token": "shpat_right,shpat_other"}, 401),
        ({"X-Shopify-Access-Token": "\u00e9t\u00e9".encode()}, 401),  # type: ignore[dict-item]
        ({"X-Shopify-Access-Token": ""}, 401),
        ({}, 401),
        ({"Authorization": "Basic a2V5OnNocGF0X3JpZ2h0"}, 200),  # key:shpat_right
        ({"Authorization": "Basic a2V5OnNocGF0X3dyb25n"}, 401),  # key:shpat_wrong
        ({"Authorization": "Basic !!!"}, 401),
        ({"Authorization": "Bearer shpat_right"}, 401),
    ],
)
def test_configured_tokens_accept_and_refuse(
    shop: Any, headers: dict[str, str], status: int
) -> None:
    client = shop(access_tokens=["shpat_right", "shpat_other"])
    response = client.get(f"{API}/events/count.json", headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
        assert "shpat_right" not in response.text


def test_tokens_are_compared_in_constant_time(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(app.deps.hmac, "compare_digest", spy)
    client = shop(access_tokens=["shpat_right", "shpat_other"])
    assert (
        client.get(f"{API}/events/count.json", headers={"X-Shopify-Access-Token": "x"}).status_code
        == 401
    )
    # Every configured token was compared through hmac.compare_digest, none with `==` (the
    # read fast path checks first and hands the refusal on to the app, which checks again).
    assert {b for _, b in seen} == {b"shpat_other", b"shpat_right"}
    assert all(a == b"x" for a, _ in seen)


def test_without_configured_tokens_any_token_is_accepted(shop: Any) -> None:
    client = shop()
    assert (
        client.get(f"{API}/events/count.json", headers={"X-Shopify-Access-Token": "a"}).status_code
        == 200
    )
    assert client.get(f"{API}/events/count.json").status_code == 401


# ---- SQL and allow-lists --------------------------------------------------------------------

SQL_CALLS = {"text", "execute", "executemany", "exec_driver_sql", "executescript", "copy"}
# (file, first characters of the formatted SQL): why each is safe.
JUSTIFIED = {
    # an integer constant of the module, not input
    ("db.py", "PRAGMA busy_timeout="),
    ("sqlite_bulk.py", "PRAGMA busy_timeout="),
    ("sqlite_bulk.py", "PRAGMA cache_size=-"),
    # the app's own table, column and type names (SQLModel.metadata), not input
    ("db.py", "ALTER TABLE {table.name} ADD COLUMN "),
}


def _formatted_sql(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in SQL_CALLS:
            continue
        arg = node.args[0]
        formatted = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
            isinstance(arg, ast.Call) and getattr(arg.func, "attr", "") == "format"
        )
        if formatted:
            yield node.lineno, ast.unparse(arg)


def test_no_sql_is_built_by_string_formatting() -> None:
    found = []
    for path in sorted(APP_DIR.rglob("*.py")):
        for line, source in _formatted_sql(ast.parse(path.read_text())):
            literal = source.lstrip("f").strip("'\"")
            if not any(path.name == f and literal.startswith(p) for f, p in JUSTIFIED):
                found.append(f"{path.relative_to(APP_DIR)}:{line}: {source}")
    assert not found, "SQL built by string formatting:\n" + "\n".join(found)


def test_the_sql_scan_catches_formatting() -> None:
    formatted = [
        'session.execute(text(f"SELECT * FROM {name}"))',
        'conn.execute("DELETE FROM " + name)',
        'conn.exec_driver_sql("SELECT {}".format(name))',
        'cursor.executemany("INSERT INTO %s VALUES (?)" % name, rows)',
    ]
    safe = [
        'session.execute(text("SELECT 1 WHERE id = :id"), {"id": x})',
        "session.execute(select(events_table).where(events_table.c.id == x))",
    ]
    for source in formatted:
        assert len(list(_formatted_sql(ast.parse(source)))) == 1, source
    for source in safe:
        assert not list(_formatted_sql(ast.parse(source))), source


def test_fields_come_only_from_the_allow_list() -> None:
    hostile = "id,__class__,password,sig,1 OR 1=1,subject_type) FROM events --,__dict__,path"
    chosen = parse_fields(hostile)
    assert chosen == ("id", "path")
    assert set(parse_fields(",".join(FIELDS)) or ()) == set(FIELDS)


def test_filters_come_only_from_the_allow_list() -> None:
    from zoneinfo import ZoneInfo

    odd = {
        "subject_id": "1",
        "subject_type": "Order",
        "id": "1",
        "order_by": "message",
        "message": "x",
        "author": "x",
        "sort": "desc",
    }
    assert EventFilters.from_params(odd, ZoneInfo("UTC")) == EventFilters()


def test_unknown_parameters_change_nothing(shop: Any) -> None:
    client = shop()
    headers = {"X-Shopify-Access-Token": TOKEN}
    plain = client.get(f"{API}/events.json", headers=headers)
    odd = client.get(
        f"{API}/events.json?subject_id=1&subject_type=Order&id=1&order_by=message&sort=desc"
        "&author=nobody&message=x",
        headers=headers,
    )
    assert odd.status_code == 200
    assert odd.json() == plain.json()


# ---- what responses never say -----------------------------------------------------------------


def test_unexpected_errors_hide_the_trace_and_paths(shop: Any) -> None:
    client = shop(access_tokens=["shpat_right"], page_info_secret="s3cret-cursor-key")
    application = client.app

    @application.get("/admin/api/{version}/boom.json")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("/work/secret/path.py line 3: password=hunter2")

    response = client.get(f"{API}/boom.json", headers={"X-Shopify-Access-Token": "shpat_right"})
    assert response.status_code == 500
    assert response.json() == {"errors": "An unexpected error occurred"}
    for leak in ("Traceback", "RuntimeError", "/work/", "hunter2", "path.py"):
        assert leak not in response.text


def test_no_response_echoes_a_secret(shop: Any) -> None:
    secret, token = "s3cret-cursor-key", "shpat_right"
    client = shop(access_tokens=[token], page_info_secret=secret)
    config = client.get("/_sandbox/config").json()["config"]
    assert config["access_tokens"] == ["[redacted]"]
    changed = client.put("/_sandbox/config", json={"access_tokens": [token, "shpat_new"]})
    assert changed.json()["config"]["access_tokens"] == ["[redacted]", "[redacted]"]
    assert "shpat_new" not in changed.text
    headers = {"X-Shopify-Access-Token": token}
    responses = [
        client.get(f"{API}/events.json?limit=1", headers=headers),
        client.get(f"{API}/events.json?limit=abc", headers=headers),
        client.get(f"{API}/events.json?page_info=forged", headers=headers),
        client.get(f"{API}/events/1.json", headers=headers),
        client.get(f"{API}/events.json", headers={"X-Shopify-Access-Token": "shpat_wrong"}),
        client.get("/nope", headers=headers),
        client.post(f"{API}/events.json", headers=headers),
        client.get("/_sandbox/config"),
        client.get("/_sandbox/clock"),
    ]
    for response in responses:
        blob = response.text + repr(dict(response.headers))
        assert secret not in blob
        assert token not in blob
        assert "shpat_wrong" not in blob


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("sec") / "shop.sqlite3"
    with LiveServer(f"sqlite:///{db}", env={"ACCESS_TOKENS": TOKEN}) as server:
        yield server


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/nope", 404),
        ("GET", "/docs", 404),
        ("GET", "/redoc", 404),
        ("GET", "/openapi.json", 404),
        ("GET", "/docs/oauth2-redirect", 404),
        ("GET", "/admin/api/2026-10/nope.json", 404),
        ("GET", "/admin/api/nope/events.json", 404),
        ("GET", "/static/../../etc/passwd", 404),
        ("DELETE", f"{API}/events.json", 405),
        ("OPTIONS", f"{API}/events.json", 405),
        ("TRACE", f"{API}/events.json", 405),
        ("GET", f"{API}/events.json?limit=0", 400),
    ],
)
def test_errors_do_not_reveal_the_framework(
    live: LiveServer, method: str, path: str, status: int
) -> None:
    with live.client() as client:
        response = client.request(method, path)
    assert response.status_code == status
    assert "server" not in response.headers
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert list(response.json()) == ["errors"]
    for tell in ("detail", "uvicorn", "starlette", "fastapi", "FastAPI", "Swagger", "Traceback"):
        assert tell not in response.text
        assert tell not in repr(dict(response.headers))


# ---- CORS -------------------------------------------------------------------------------------

PREFLIGHT = {
    "Origin": "http://localhost:3000",
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "x-shopify-access-token",
}


def test_cors_is_off_by_default(shop: Any) -> None:
    client = shop()
    preflight = client.options(f"{API}/events.json", headers=PREFLIGHT)
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.get(
        f"{API}/events.json",
        headers={"Origin": "http://localhost:3000", "X-Shopify-Access-Token": TOKEN},
    )
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allow_list(shop: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "http://localhost:3000, https://app.example")
    assert Settings().cors_allow_origins == ["http://localhost:3000", "https://app.example"]
    client = shop(cors_allow_origins=["http://localhost:3000", "https://app.example"])
    allowed = client.options(f"{API}/events.json", headers=PREFLIGHT)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
    simple = client.get(
        f"{API}/events.json?limit=1",
        headers={"Origin": "https://app.example", "X-Shopify-Access-Token": TOKEN},
    )
    assert simple.headers["access-control-allow-origin"] == "https://app.example"
    assert "link" in simple.headers["access-control-expose-headers"].lower()
    refused = client.options(
        f"{API}/events.json", headers={**PREFLIGHT, "Origin": "https://evil.example"}
    )
    assert refused.status_code == 400
    assert refused.json() == {"errors": "Disallowed CORS origin"}
    assert "access-control-allow-origin" not in refused.headers
    other = client.get(
        f"{API}/events.json",
        headers={"Origin": "https://evil.example", "X-Shopify-Access-Token": TOKEN},
    )
    assert "access-control-allow-origin" not in other.headers
