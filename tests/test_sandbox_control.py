"""The control API: reset, inject, clock, config, the admin token and the off switch."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API, MakeClient


def _count(client: TestClient, query: str = "") -> int:
    response = client.get(f"{API}/events/count.json{query}")
    assert response.status_code == 200
    count: int = response.json()["count"]
    return count


def _event(**overrides: Any) -> dict[str, Any]:
    return {"subject_type": "Order", "subject_id": 7, "verb": "placed", **overrides}


def test_reset_empties_the_shop(client: TestClient) -> None:
    assert _count(client) == 5
    response = client.post("/_sandbox/reset")
    assert response.status_code == 200
    assert response.json() == {"events": 0}
    assert _count(client) == 0


def test_reset_reloads_a_named_fixture(client: TestClient) -> None:
    client.post("/_sandbox/events", json=_event())
    assert _count(client) == 6
    response = client.post("/_sandbox/reset", json={"fixture": "docs-shop-wide"})
    assert response.json() == {"events": 3}
    assert _count(client) == 3


def test_reset_with_an_unknown_fixture_is_404_and_keeps_the_shop(client: TestClient) -> None:
    response = client.post("/_sandbox/reset", json={"fixture": "no-such-shop"})
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}
    assert _count(client) == 5


def test_inject_one_event_assigns_the_next_id(client: TestClient) -> None:
    response = client.post("/_sandbox/events", json=_event(message="Order placed"))
    assert response.status_code == 201
    [event] = response.json()["events"]
    assert event["id"] == 852065042  # one past the fixture's highest id
    assert event["subject_type"] == "Order" and event["message"] == "Order placed"
    assert client.get(f"{API}/events/{event['id']}.json").json()["event"] == event


def test_inject_accepts_a_list_and_an_envelope_with_pinned_ids(client: TestClient) -> None:
    listed = client.post("/_sandbox/events", json=[_event(), _event(verb="closed")])
    assert [e["verb"] for e in listed.json()["events"]] == ["placed", "closed"]
    wrapped = client.post(
        "/_sandbox/events",
        json={"events": [_event(id=900000000, created_at="2020-01-01T00:00:00-05:00")]},
    )
    [event] = wrapped.json()["events"]
    assert event["id"] == 900000000
    assert event["created_at"] == "2020-01-01T00:00:00-05:00"
    after = client.post("/_sandbox/events", json=_event()).json()["events"][0]
    assert after["id"] == 900000001  # ids stay strictly increasing


def test_inject_with_one_bad_row_writes_nothing(client: TestClient) -> None:
    response = client.post("/_sandbox/events", json=[_event(), _event(verb="", subject_id=-1)])
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["events[1].verb"] == ["can't be blank"]
    assert "events[1].subject_id" in errors
    assert _count(client) == 5


def test_inject_rejects_empty_and_non_json_bodies(client: TestClient) -> None:
    assert client.post("/_sandbox/events", json=[]).status_code == 422
    response = client.post(
        "/_sandbox/events", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "errors" in response.json()
    assert _count(client) == 5


def test_clock_is_real_by_default(client: TestClient) -> None:
    clock = client.get("/_sandbox/clock").json()["clock"]
    assert clock["mode"] == "real"
    assert clock["frozen_at"] is None and clock["offset_seconds"] == 0


def test_frozen_clock_stamps_new_events(client: TestClient) -> None:
    response = client.put("/_sandbox/clock", json={"now": "2030-01-01T12:00:00Z"})
    assert response.status_code == 200
    clock = response.json()["clock"]
    assert clock == {
        "mode": "frozen",
        "now": "2030-01-01T07:00:00-05:00",
        "frozen_at": "2030-01-01T07:00:00-05:00",
        "offset_seconds": 0.0,
    }
    [event] = client.post("/_sandbox/events", json=_event()).json()["events"]
    assert event["created_at"] == "2030-01-01T07:00:00-05:00"
    # created_at windows are now deterministic
    assert _count(client, "?created_at_min=2030-01-01T12:00:00%2B00:00") == 1
    assert _count(client, "?created_at_max=2030-01-01T11:59:59%2B00:00") == 5


def test_clock_advances_offsets_and_returns_to_real(client: TestClient) -> None:
    client.put("/_sandbox/clock", json={"now": "2030-01-01T12:00:00Z"})
    advanced = client.put("/_sandbox/clock", json={"advance_seconds": 90}).json()["clock"]
    assert advanced["now"] == "2030-01-01T07:01:30-05:00"
    offset = client.put("/_sandbox/clock", json={"offset_seconds": 86400}).json()["clock"]
    assert offset["mode"] == "offset" and offset["offset_seconds"] == 86400
    [event] = client.post("/_sandbox/events", json=_event()).json()["events"]
    assert (
        event["created_at"]
        > client.put("/_sandbox/clock", json={"mode": "real"}).json()["clock"]["now"]
    )


def test_clock_rejects_nonsense(client: TestClient) -> None:
    assert client.put("/_sandbox/clock", json={"now": "yesterday"}).status_code == 422
    assert client.put("/_sandbox/clock", json={}).status_code == 422
    assert client.put("/_sandbox/clock", json={"mode": "sideways"}).status_code == 422
    assert client.get("/_sandbox/clock").json()["clock"]["mode"] == "real"


def test_config_put_merges_sections_and_get_shows_the_effect(client: TestClient) -> None:
    response = client.put("/_sandbox/config", json={"faults": {"rate": 0.25}, "seed": 9})
    assert response.status_code == 200
    config = client.get("/_sandbox/config").json()["config"]
    assert config["faults"] == {"rate": 0.25, "kinds": ["429", "500", "503", "drop"]}
    assert config["seed"] == 9
    client.put("/_sandbox/config", json={"rate_limit": {"plan": "advanced"}})
    config = client.get("/_sandbox/config").json()["config"]
    assert config["rate_limit"] == {"plan": "advanced", "bucket_size": 80, "leak_rate": 4.0}
    assert config["faults"]["rate"] == 0.25  # untouched sections stay


def test_config_put_rejects_bad_values_and_changes_nothing(client: TestClient) -> None:
    before = client.get("/_sandbox/config").json()
    for body in (
        {"faults": {"rate": 1.5}},
        {"faults": {"kinds": ["teapot"]}},
        {"rate_limit": {"plan": "gold"}},
        {"latency": {"ms": -1}},
        {"surprise": True},
    ):
        response = client.put("/_sandbox/config", json=body)
        assert response.status_code == 422, body
        assert "errors" in response.json()
    assert client.get("/_sandbox/config").json() == before


def test_access_tokens_switch_at_run_time(client: TestClient) -> None:
    assert client.get(f"{API}/events.json").status_code == 200
    client.put("/_sandbox/config", json={"access_tokens": ["shpat_other"]})
    refused = client.get(f"{API}/events.json")
    assert refused.status_code == 401
    ok = client.get(f"{API}/events.json", headers={"X-Shopify-Access-Token": "shpat_other"})
    assert ok.status_code == 200
    client.put("/_sandbox/config", json={"access_tokens": []})
    assert client.get(f"{API}/events.json").status_code == 200


def test_admin_token_protects_the_control_api(make_client: MakeClient) -> None:
    client = make_client("docs", sandbox_admin_token="s3cret")
    for method, path in (("GET", "/_sandbox/config"), ("POST", "/_sandbox/reset")):
        response = client.request(method, path)
        assert response.status_code == 401
        assert response.json() == {"errors": "[Sandbox] Invalid or missing X-Sandbox-Admin-Token"}
        wrong = client.request(method, path, headers={"X-Sandbox-Admin-Token": "guess"})
        assert wrong.status_code == 401
    assert _count(client) == 5
    good = client.get("/_sandbox/config", headers={"X-Sandbox-Admin-Token": "s3cret"})
    assert good.status_code == 200


def test_control_api_can_be_switched_off(make_client: MakeClient) -> None:
    client = make_client("docs", sandbox_api=False)
    for method, path in (("POST", "/_sandbox/reset"), ("GET", "/_sandbox/clock")):
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"errors": "Not Found"}
    assert _count(client) == 5


def test_frozen_clock_stamps_sandbox_resources_and_their_events(empty_client: TestClient) -> None:
    empty_client.put("/_sandbox/clock", json={"now": "2031-07-04T16:00:00Z"})
    response = empty_client.post(f"{API}/products.json", json={"product": {"title": "Clockwork"}})
    assert response.status_code == 201
    product = response.json()["product"]
    assert product["created_at"] == "2031-07-04T12:00:00-04:00"
    events = empty_client.get(f"{API}/products/{product['id']}/events.json").json()["events"]
    assert [e["created_at"] for e in events] == ["2031-07-04T12:00:00-04:00"]
