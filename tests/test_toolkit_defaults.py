"""Everything in the toolkit is off by default: `make run` is a calm, fast shop."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from app.config import Settings
from app.toolkit.config import SandboxConfig, config_from_settings
from tests.conftest import API

DEFAULT_CONFIG = {
    "rate_limit": {"plan": "off", "bucket_size": 40, "leak_rate": 2.0},
    "latency": {"distribution": "fixed", "ms": 0.0, "jitter_ms": 0.0},
    "faults": {"rate": 0.0, "kinds": ["429", "500", "503", "drop"]},
    "lag": {"min_seconds": 0.0, "max_seconds": 0.0},
    "seed": 0,
    "access_tokens": [],
}


def test_settings_start_everything_off() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert config_from_settings(settings) == SandboxConfig()
    assert SandboxConfig().model_dump() == DEFAULT_CONFIG
    assert settings.sandbox_api is True and settings.sandbox_admin_token is None
    assert settings.api_deprecation_months == 0 and settings.request_log is False


def test_default_app_is_calm(client: TestClient) -> None:
    assert client.get("/_sandbox/config").json() == {"config": DEFAULT_CONFIG}
    assert client.get("/_sandbox/clock").json()["clock"]["mode"] == "real"
    limits = []
    for _ in range(60):
        response = client.get(f"{API}/events/count.json")
        assert response.status_code == 200  # never throttled, never faulted
        assert "X-Shopify-API-Deprecated-Reason" not in response.headers
        limits.append(response.headers["X-Shopify-Shop-Api-Call-Limit"])
    # the header still reports a standard bucket
    assert limits[0] == "1/40" and limits[-1] == "40/40"
    assert all(limit.endswith("/40") for limit in limits)


def test_default_events_are_visible_at_once_and_stamped_in_real_time(client: TestClient) -> None:
    body = {"subject_type": "Order", "subject_id": 1, "verb": "placed"}
    [event] = client.post("/_sandbox/events", json=body).json()["events"]
    assert client.get(f"{API}/events/{event['id']}.json").status_code == 200
    assert client.get(f"{API}/events/count.json").json() == {"count": 6}
    stamped = datetime.fromisoformat(event["created_at"])
    assert abs((datetime.now(UTC) - stamped).total_seconds()) < 60
