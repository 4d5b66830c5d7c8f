"""Faults and latency: forced per request (X-Sandbox-Fault / X-Sandbox-Latency) or seeded."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.toolkit.config import Latency, parse_latency
from app.toolkit.middleware import ToolkitMiddleware
from app.toolkit.server import SandboxServer
from tests.conftest import API, MakeClient


@pytest.fixture
def backend() -> str:
    """Behaviour of the middleware, not of the database: SQLite only (the control API and
    its state table run on both backends in test_sandbox_control.py)."""
    return "sqlite"


def test_forced_500_is_shopifys_unexpected_error(client: TestClient) -> None:
    response = client.get(f"{API}/events.json", headers={"X-Sandbox-Fault": "500"})
    assert response.status_code == 500
    assert response.text == '{"errors":"An unexpected error occurred"}'
    assert response.headers["X-Shopify-API-Version"] == "2026-10"
    assert client.get(f"{API}/events.json").status_code == 200  # only that request


def test_forced_503(client: TestClient) -> None:
    response = client.get(f"{API}/events/count.json", headers={"X-Sandbox-Fault": "503"})
    assert response.status_code == 503
    assert response.json() == {"errors": "Service Unavailable"}
    assert response.headers["Retry-After"] == "1.0"


def test_forced_429_follows_the_plan_even_when_limiting_is_off(client: TestClient) -> None:
    response = client.get(f"{API}/events.json", headers={"X-Sandbox-Fault": "429"})
    assert response.status_code == 429
    assert response.json()["errors"].startswith("Exceeded 2 calls per second for api client.")
    assert response.headers["Retry-After"] == "2.0"
    client.put("/_sandbox/config", json={"rate_limit": {"plan": "advanced"}})
    response = client.get(f"{API}/events.json", headers={"X-Sandbox-Fault": "429"})
    assert response.headers["Retry-After"] == "4.0"


def test_unknown_fault_header_is_ignored(client: TestClient) -> None:
    response = client.get(f"{API}/events.json", headers={"X-Sandbox-Fault": "teapot"})
    assert response.status_code == 200


def _statuses(client: TestClient, n: int) -> list[int]:
    return [client.get(f"{API}/events/count.json").status_code for _ in range(n)]


def test_random_faults_are_reproducible_with_a_seed(client: TestClient) -> None:
    body = {"faults": {"rate": 0.5, "kinds": ["500", "503", "429"]}, "seed": 42}
    client.put("/_sandbox/config", json=body)
    first = _statuses(client, 24)
    client.put("/_sandbox/config", json=body)  # a PUT restarts the seeded sequence
    assert _statuses(client, 24) == first
    assert {200, 500, 503, 429} == set(first)
    client.put("/_sandbox/config", json={**body, "seed": 43})
    assert _statuses(client, 24) != first


def test_fault_rate_one_fails_every_admin_request_but_not_the_control_api(
    make_client: MakeClient,
) -> None:
    client = make_client("docs", fault_rate=1.0, fault_kinds="500")
    assert _statuses(client, 5) == [500] * 5
    assert client.get("/_sandbox/config").status_code == 200
    client.put("/_sandbox/config", json={"faults": {"rate": 0}})
    assert _statuses(client, 3) == [200] * 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Latency()),
        ("50", Latency(ms=50)),
        ("20-200", Latency(distribution="uniform", ms=110, jitter_ms=90)),
        ("normal:100,30", Latency(distribution="normal", ms=100, jitter_ms=30)),
    ],
)
def test_latency_text(text: str, expected: Latency) -> None:
    assert parse_latency(text) == expected


def test_seeded_latency_is_reproducible_and_within_its_range(client: TestClient) -> None:
    toolkit = client.app.state.toolkit  # type: ignore[attr-defined]
    body = {"latency": {"distribution": "uniform", "ms": 110, "jitter_ms": 90}, "seed": 5}
    client.put("/_sandbox/config", json=body)
    first = [toolkit.draw_latency() for _ in range(50)]
    client.put("/_sandbox/config", json=body)
    assert [toolkit.draw_latency() for _ in range(50)] == first
    assert all(0.02 <= s <= 0.2 for s in first)
    assert len(set(first)) > 40


@pytest.fixture(scope="module")
def shop() -> SandboxServer:
    with SandboxServer() as server:
        yield server  # type: ignore[misc]


def test_forced_drop_breaks_the_connection(shop: SandboxServer) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        shop.client.get("events.json", headers={"X-Sandbox-Fault": "drop"})
    assert shop.client.get("events.json").status_code == 200


def test_lost_response_the_action_happened_but_the_client_never_heard(
    shop: SandboxServer,
) -> None:
    products = shop.client.get("products/count.json").json()["count"]
    with pytest.raises(httpx.RemoteProtocolError):
        shop.client.post(
            "products.json",
            json={"product": {"title": "Lost and found"}},
            headers={"X-Sandbox-Fault": "lost"},
        )
    assert shop.client.get("products/count.json").json()["count"] == products + 1
    titles = [p["title"] for p in shop.client.get("products.json").json()["products"]]
    assert "Lost and found" in titles


def _run_middleware(client: TestClient, method: str, fault: bytes) -> tuple[bool, list[Message]]:
    """Drive the toolkit middleware around a recording app, as a server would."""
    served = False

    async def action(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal served
        served = True
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b'{"product":{}}'})

    toolkit = client.app.state.toolkit  # type: ignore[attr-defined]
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {
        "type": "http",
        "method": method,
        "path": f"{API}/products.json",
        "headers": [(b"x-shopify-access-token", b"t"), (b"x-sandbox-fault", fault)],
    }
    asyncio.run(ToolkitMiddleware(action, toolkit)(scope, receive, send))
    return served, sent


def test_lost_runs_the_action_and_never_sends_its_response(client: TestClient) -> None:
    served, sent = _run_middleware(client, "POST", b"lost")
    assert served
    assert [m["type"] for m in sent] == ["http.response.start"]  # no body: the server closes
    assert all(b"product" not in m.get("body", b"") for m in sent)


def test_drop_never_runs_the_action(client: TestClient) -> None:
    served, sent = _run_middleware(client, "POST", b"drop")
    assert not served
    assert [m["type"] for m in sent] == ["http.response.start"]


def test_random_lost_on_a_read_is_a_drop(client: TestClient) -> None:
    toolkit = client.app.state.toolkit  # type: ignore[attr-defined]
    client.put("/_sandbox/config", json={"faults": {"rate": 1, "kinds": ["lost"]}})
    assert toolkit.draw_fault("GET") == "drop"
    assert toolkit.draw_fault("POST") == "lost"


def test_forced_latency_delays_the_response(shop: SandboxServer) -> None:
    started = time.perf_counter()
    response = shop.client.get("events/count.json", headers={"X-Sandbox-Latency": "250"})
    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.25
