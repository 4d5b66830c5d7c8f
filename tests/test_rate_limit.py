"""Shopify's leaky bucket: burst, leak, 429, header values over time (on the test clock)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.toolkit.config import RateLimit, parse_rate_limit
from app.toolkit.ratelimit import Buckets
from tests.conftest import API, MakeClient


@pytest.fixture
def backend() -> str:
    """Behaviour of the middleware, not of the database: SQLite only (the control API and
    its state table run on both backends in test_sandbox_control.py)."""
    return "sqlite"


STANDARD_429 = (
    '{"errors":"Exceeded 2 calls per second for api client. '
    'Reduce request rates to resume uninterrupted service."}'
)


def test_bucket_fills_refuses_and_leaks() -> None:
    limit = RateLimit(plan="standard")
    buckets = Buckets()
    used = [buckets.take(b"tok", 100.0, limit).used for _ in range(40)]
    assert used == list(range(1, 41))
    refused = buckets.take(b"tok", 100.0, limit)
    assert (refused.allowed, refused.header) == (False, b"40/40")
    assert buckets.peek(b"tok", 100.25, limit).used == 40  # half a call leaked: still full
    assert not buckets.take(b"tok", 100.25, limit).allowed
    assert buckets.take(b"tok", 100.5, limit).header == b"40/40"  # one leaked, one taken
    assert buckets.peek(b"tok", 110.5, limit).used == 20  # 2 per second
    assert buckets.peek(b"tok", 200.0, limit).used == 0
    assert buckets.take(b"other", 100.5, limit).header == b"1/40"  # one bucket per token


def test_unenforced_bucket_counts_but_never_refuses() -> None:
    limit = RateLimit(plan="off")
    buckets = Buckets()
    verdicts = [buckets.take(b"tok", 5.0, limit) for _ in range(100)]
    assert all(v.allowed for v in verdicts)
    assert verdicts[0].header == b"1/40" and verdicts[-1].header == b"40/40"


@pytest.mark.parametrize(
    ("text", "size", "leak"),
    [("standard", 40, 2.0), ("advanced", 80, 4.0), ("plus", 400, 20.0), ("10/0.5", 10, 0.5)],
)
def test_plans(text: str, size: int, leak: float) -> None:
    limit = parse_rate_limit(text)
    assert (limit.bucket_size, limit.leak_rate, limit.enforced) == (size, leak, True)


def test_unknown_plan_text_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_rate_limit("gold")


def _frozen(client: TestClient, plan: str) -> None:
    client.put("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert client.put("/_sandbox/config", json={"rate_limit": {"plan": plan}}).status_code == 200


def test_standard_plan_burst_then_429_then_leak(client: TestClient) -> None:
    _frozen(client, "standard")
    for n in range(1, 41):
        response = client.get(f"{API}/events/count.json")
        assert response.status_code == 200
        assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == f"{n}/40"
    throttled = client.get(f"{API}/events.json")
    assert throttled.status_code == 429
    assert throttled.text == STANDARD_429
    assert throttled.headers["Retry-After"] == "2.0"
    assert throttled.headers["X-Shopify-Shop-Api-Call-Limit"] == "40/40"
    assert throttled.headers["content-type"] == "application/json; charset=utf-8"
    # every kind of Admin response is limited, errors included
    assert client.get(f"{API}/events/999.json").status_code == 429
    client.put("/_sandbox/clock", json={"advance_seconds": 0.5})
    response = client.get(f"{API}/events.json")
    assert response.status_code == 200
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "40/40"
    assert client.get(f"{API}/events.json").status_code == 429
    client.put("/_sandbox/clock", json={"advance_seconds": 10})
    response = client.get(f"{API}/events.json")
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "21/40"  # 20 leaked, 1 taken


def test_advanced_plan_message_and_retry_after(client: TestClient) -> None:
    _frozen(client, "advanced")
    for _ in range(80):
        assert client.get(f"{API}/events/count.json").status_code == 200
    throttled = client.get(f"{API}/events/count.json")
    assert throttled.status_code == 429
    assert throttled.json() == {
        "errors": "Exceeded 4 calls per second for api client. "
        "Reduce request rates to resume uninterrupted service."
    }
    assert throttled.headers["Retry-After"] == "4.0"
    assert throttled.headers["X-Shopify-Shop-Api-Call-Limit"] == "80/80"


def test_plus_plan_reports_its_bucket(client: TestClient) -> None:
    _frozen(client, "plus")
    response = client.get(f"{API}/events/count.json")
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/400"


def test_buckets_are_per_token_and_start_from_the_cli_setting(make_client: MakeClient) -> None:
    client = make_client("docs", rate_limit="3/1")
    client.put("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert [client.get(f"{API}/events.json").status_code for _ in range(4)] == [200] * 3 + [429]
    other = {"X-Shopify-Access-Token": "shpat_someone_else"}
    response = client.get(f"{API}/events.json", headers=other)
    assert response.status_code == 200
    assert response.headers["X-Shopify-Shop-Api-Call-Limit"] == "1/3"
    assert client.get(f"{API}/events.json").headers["Retry-After"] == "1.0"


def test_reset_empties_the_buckets(client: TestClient) -> None:
    _frozen(client, "standard")
    for _ in range(40):
        client.get(f"{API}/events/count.json")
    assert client.get(f"{API}/events/count.json").status_code == 429
    client.post("/_sandbox/reset", json={"fixture": "docs"})
    assert client.get(f"{API}/events/count.json").headers["X-Shopify-Shop-Api-Call-Limit"] == "1/40"


def test_control_api_is_not_rate_limited(client: TestClient) -> None:
    _frozen(client, "custom")
    client.put("/_sandbox/config", json={"rate_limit": {"bucket_size": 1, "leak_rate": 1}})
    assert client.get(f"{API}/events.json").status_code == 200
    assert client.get(f"{API}/events.json").status_code == 429
    for _ in range(5):
        response = client.get("/_sandbox/config")
        assert response.status_code == 200
        assert "X-Shopify-Shop-Api-Call-Limit" not in response.headers
