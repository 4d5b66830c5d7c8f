"""`serve` with the toolkit's flags (a real process), and `export` / `import`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
from typer.testing import CliRunner

from app.cli import cli
from tests.server import free_port, running_server

API = "/admin/api/2026-10"


def test_serve_flags_reach_the_server(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    flags = ["--rate-limit", "3/1", "--access-token", "shpat_a", "--access-token", "shpat_b"]
    flags += ["--admin-token", "s3cret", "--lag", "2", "--latency", "1", "--fault-rate", "0"]
    with running_server(db, *flags) as base:
        refused = httpx.get(f"{base}{API}/events.json", headers={"X-Shopify-Access-Token": "x"})
        assert refused.status_code == 401
        for token in ("shpat_a", "shpat_b"):
            ok = httpx.get(
                f"{base}{API}/events/count.json", headers={"X-Shopify-Access-Token": token}
            )
            assert ok.status_code == 200
            assert ok.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/3"
        assert httpx.get(f"{base}/_sandbox/config").status_code == 401
        admin = {"X-Sandbox-Admin-Token": "s3cret"}
        config = httpx.get(f"{base}/_sandbox/config", headers=admin).json()["config"]
        assert config["rate_limit"] == {"plan": "custom", "bucket_size": 3, "leak_rate": 1.0}
        assert config["lag"] == {"min_seconds": 2.0, "max_seconds": 2.0}
        assert config["latency"]["ms"] == 1.0
        assert config["access_tokens"] == ["[redacted]", "[redacted]"]  # shown redacted
        # on the wire, in Shopify's case (h11 keeps it; httptools would lowercase it)
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(
                f"GET {API}/events/count.json HTTP/1.1\r\nHost: x\r\n"
                "X-Shopify-Access-Token: shpat_a\r\nConnection: close\r\n\r\n".encode()
            )
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        assert re.search(rb"\r\nX-Shopify-Shop-Api-Call-Limit: \d/3\r\n", raw)


def test_serve_rejects_a_bad_flag(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--rate-limit", "gold", "--database-url", f"sqlite:///{tmp_path}/x.db"]
    )
    assert result.exit_code == 2
    assert "rate limit" in result.output


def test_serve_logs_one_line_per_request_unless_quiet(tmp_path: Path) -> None:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("shopify-events-mock")),
        "serve", "--port", str(port), "--database-url", f"sqlite:///{tmp_path / 's.db'}",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_sandbox/clock", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        httpx.get(f"{base}{API}/events/count.json", headers={"X-Shopify-Access-Token": "t"})
    finally:
        process.terminate()
        out = process.communicate(timeout=10)[0].decode()
    lines = [line for line in out.splitlines() if "/events/count.json" in line]
    assert len(lines) == 1
    assert lines[0].endswith("ms")
    assert f"GET {API}/events/count.json 200 " in lines[0]


def test_workers_share_the_clock_through_the_database(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    with running_server(db, "--workers", "2") as base:
        response = httpx.put(f"{base}/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
        assert response.status_code == 200
        time.sleep(1.2)  # the other worker re-reads the shared state within a second
        stamps = set()
        for n in range(8):  # a new connection each time: the kernel spreads them over workers
            body = {"subject_type": "Order", "subject_id": n + 1, "verb": "placed"}
            created = httpx.post(f"{base}/_sandbox/events", json=body).json()["events"][0]
            stamps.add(created["created_at"])
        assert stamps == {"2029-12-31T19:00:00-05:00"}


def test_export_then_import_round_trips_a_shop(tmp_path: Path) -> None:
    runner = CliRunner()
    source = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    from app.config import Settings
    from app.db import create_schema, make_engine, open_session
    from app.seed import load_fixture

    settings = Settings(database_url=source, seed="none")
    engine = make_engine(source)
    create_schema(engine)
    with open_session(engine, settings) as session:
        load_fixture(session, "docs", settings.tz)
    engine.dispose()

    for fmt in ("json", "ndjson"):
        out = tmp_path / f"events.{fmt}"
        result = runner.invoke(
            cli, ["export", "--format", fmt, "-o", str(out), "--database-url", source]
        )
        assert result.exit_code == 0, result.output
        assert "exported 5 events" in result.output
    data = orjson.loads((tmp_path / "events.json").read_bytes())
    lines = (tmp_path / "events.ndjson").read_bytes().splitlines()
    assert [orjson.loads(line) for line in lines] == data["events"]
    assert data["events"][0]["created_at"].endswith("-05:00")

    result = runner.invoke(
        cli, ["import", str(tmp_path / "events.ndjson"), "--database-url", target]
    )
    assert result.exit_code == 0, result.output
    assert "imported 5 events" in result.output
    again = runner.invoke(
        cli,
        ["export", "--format", "json", "-o", str(tmp_path / "t.json"), "--database-url", target],
    )
    assert again.exit_code == 0
    assert orjson.loads((tmp_path / "t.json").read_bytes()) == data

    # importing the same ids again is refused and writes nothing
    clash = runner.invoke(cli, ["import", str(tmp_path / "events.json"), "--database-url", target])
    assert clash.exit_code == 1
    assert "has already been taken" in clash.output


def test_import_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"subject_type": "Order", "subject_id": 1, "verb": "placed"}\nnot json\n')
    result = CliRunner().invoke(
        cli, ["import", str(bad), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}"]
    )
    assert result.exit_code == 1
    assert "line 2: not JSON" in result.output


def test_reload_watches_seed_and_each_start_reloads_the_fixture(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from app.seed import SEED_DIR
    from app.toolkit.cli import reload_options

    assert reload_options(True)["reload_dirs"] == [str(SEED_DIR)]
    assert reload_options(True)["reload_includes"] == ["*.json"]
    assert reload_options(False) == {}
    url = f"sqlite:///{tmp_path / 'shop.sqlite3'}"
    headers = {"X-Shopify-Access-Token": "t"}
    first = TestClient(create_app(Settings(database_url=url, seed="none")), headers=headers)
    first.post("/_sandbox/events", json={"subject_type": "Order", "subject_id": 1, "verb": "x"})
    assert first.get(f"{API}/events/count.json").json() == {"count": 1}
    # what a restart under --reload does: empty the shop and load SEED again
    restarted = create_app(Settings(database_url=url, seed="docs", reseed_on_start=True))
    second = TestClient(restarted, headers=headers)
    assert second.get(f"{API}/events/count.json").json() == {"count": 5}
