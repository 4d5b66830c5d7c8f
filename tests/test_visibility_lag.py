"""Visibility lag: a new event reaches list, count, single and nested routes only after its lag."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import API


def _ids(client: TestClient, path: str = "events.json") -> list[int]:
    return [e["id"] for e in client.get(f"{API}/{path}").json()["events"]]


def _count(client: TestClient, path: str = "events/count.json") -> int:
    count: int = client.get(f"{API}/{path}").json()["count"]
    return count


def _order_event(client: TestClient) -> int:
    body = {"subject_type": "Order", "subject_id": 450789469, "verb": "placed"}
    event_id: int = client.post("/_sandbox/events", json=body).json()["events"][0]["id"]
    return event_id


def test_lagged_event_appears_everywhere_at_once_when_its_lag_passes(client: TestClient) -> None:
    client.put("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    client.put("/_sandbox/config", json={"lag": {"min_seconds": 5, "max_seconds": 5}})
    event_id = _order_event(client)
    nested = "orders/450789469/events"
    before = (_count(client), _count(client, f"{nested}/count.json"), len(_ids(client)))
    assert event_id not in _ids(client)
    assert event_id not in _ids(client, f"{nested}.json")
    assert client.get(f"{API}/events/{event_id}.json").status_code == 404
    assert _ids(client, f"events.json?since_id={event_id - 1}") == []
    client.put("/_sandbox/clock", json={"advance_seconds": 4})
    assert client.get(f"{API}/events/{event_id}.json").status_code == 404
    client.put("/_sandbox/clock", json={"advance_seconds": 1})
    assert client.get(f"{API}/events/{event_id}.json").status_code == 200
    assert _ids(client, f"events.json?since_id={event_id - 1}") == [event_id]
    assert event_id in _ids(client, f"{nested}.json")
    after = (_count(client), _count(client, f"{nested}/count.json"), len(_ids(client)))
    assert after == tuple(n + 1 for n in before)


def test_old_events_are_not_lagged(client: TestClient) -> None:
    client.put("/_sandbox/config", json={"lag": {"min_seconds": 60, "max_seconds": 60}})
    assert _count(client) == 5
    assert len(_ids(client)) == 5


def test_seeded_lags_differ_per_event_and_are_reproducible(client: TestClient) -> None:
    toolkit = client.app.state.toolkit  # type: ignore[attr-defined]
    client.put("/_sandbox/config", json={"lag": {"min_seconds": 1, "max_seconds": 9}, "seed": 3})
    lags = [toolkit.lag_of(i) for i in range(1, 200)]
    assert all(1 <= lag <= 9 for lag in lags)
    assert len({round(lag, 3) for lag in lags}) > 150
    assert [toolkit.lag_of(i) for i in range(1, 200)] == lags
    client.put("/_sandbox/config", json={"seed": 4})
    assert [toolkit.lag_of(i) for i in range(1, 200)] != lags


def test_a_polling_client_sees_every_event_exactly_once(client: TestClient) -> None:
    """since_id polling with a random lag: events surface out of order, as on Shopify."""
    client.put("/_sandbox/clock", json={"now": "2030-01-01T00:00:00Z"})
    client.put("/_sandbox/config", json={"lag": {"min_seconds": 0, "max_seconds": 10}, "seed": 1})
    created = [_order_event(client) for _ in range(6)]
    seen: list[int] = []
    for _ in range(12):
        seen += [i for i in _ids(client, "events.json?limit=250") if i in created and i not in seen]
        client.put("/_sandbox/clock", json={"advance_seconds": 1})
    assert sorted(seen) == created


@pytest.mark.parametrize("lag", [{"min_seconds": -1}, {"max_seconds": 10**6}])
def test_bad_lag_is_refused(client: TestClient, lag: dict[str, float]) -> None:
    assert client.put("/_sandbox/config", json={"lag": lag}).status_code == 422
