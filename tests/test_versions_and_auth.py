"""API versions, common headers and access-token auth."""

from __future__ import annotations

import base64
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient

from app.versions import VersionWindow
from tests.conftest import MakeClient

INVALID = "[API] Invalid API key or access token (unrecognized login or wrong password)"


def test_window_follows_shopify_policy() -> None:
    window = VersionWindow.for_date(date(2026, 11, 23))
    assert window.supported == ["2026-01", "2026-04", "2026-07", "2026-10", "2027-01", "unstable"]
    assert VersionWindow.for_date(date(2027, 1, 1)).oldest == "2026-04"


def test_window_can_be_pinned() -> None:
    window = VersionWindow.for_date(date(2026, 11, 23), oldest="2024-10", newest="2025-04")
    assert window.resolve("2024-07") == "2024-10"
    assert window.resolve("2025-07") == "2025-07"  # the release candidate
    assert window.resolve("2025-10") is None


def test_every_response_carries_version_and_request_id(client: TestClient) -> None:
    window = VersionWindow.for_date(date.today())
    response = client.get(f"/admin/api/{window.newest_stable}/events/count.json")
    assert response.headers["x-shopify-api-version"] == window.newest_stable
    uuid.UUID(response.headers["x-request-id"])
    other = client.get(f"/admin/api/{window.newest_stable}/events/count.json")
    assert other.headers["x-request-id"] != response.headers["x-request-id"]


def test_retired_version_is_served_as_the_oldest_supported(client: TestClient) -> None:
    response = client.get("/admin/api/2019-10/events/count.json")
    assert response.status_code == 200
    assert response.headers["x-shopify-api-version"] == VersionWindow.for_date(date.today()).oldest


def test_unversioned_path_is_the_oldest_supported(client: TestClient) -> None:
    response = client.get("/admin/events.json")
    assert response.status_code == 200
    assert len(response.json()["events"]) == 5
    assert response.headers["x-shopify-api-version"] == VersionWindow.for_date(date.today()).oldest
    assert client.get("/admin/events/677313116.json").json()["event"]["id"] == 677313116
    assert client.get("/admin/orders/450789469/events/count.json").json() == {"count": 3}


def test_unstable_is_served_as_unstable(client: TestClient) -> None:
    response = client.get("/admin/api/unstable/events/count.json")
    assert response.headers["x-shopify-api-version"] == "unstable"


@pytest.mark.parametrize("version", ["foo", "2019-13", "2019-02", "20-01", "2999-01", "latest"])
def test_malformed_or_unreleased_version_is_404(client: TestClient, version: str) -> None:
    response = client.get(f"/admin/api/{version}/events.json")
    assert response.status_code == 404
    assert response.json() == {"errors": "Not Found"}


def test_missing_token_is_401_with_shopify_body(client: TestClient) -> None:
    response = client.get("/admin/api/2026-10/events.json", headers={"X-Shopify-Access-Token": ""})
    assert response.status_code == 401
    assert response.text == '{"errors":"' + INVALID.replace('"', '\\"') + '"}'
    assert response.headers["www-authenticate"] == 'Basic Realm="Shopify API Authentication"'


def test_any_token_is_accepted_by_default(client: TestClient) -> None:
    response = client.get("/admin/api/2026-10/events.json", headers={"X-Shopify-Access-Token": "x"})
    assert response.status_code == 200


def test_configured_tokens_are_enforced(make_client: MakeClient) -> None:
    client = make_client("docs", access_tokens=["shpat_good", "shpat_other"])
    url = "/admin/api/2026-10/events/count.json"
    assert client.get(url, headers={"X-Shopify-Access-Token": "shpat_good"}).status_code == 200
    assert client.get(url, headers={"X-Shopify-Access-Token": "shpat_other"}).status_code == 200
    bad = client.get(url, headers={"X-Shopify-Access-Token": "shpat_goo"})
    assert bad.status_code == 401
    assert bad.json() == {"errors": INVALID}


def test_tokens_from_the_environment_are_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import Settings

    monkeypatch.setenv("ACCESS_TOKENS", "a, b ,c")
    assert Settings().access_tokens == ["a", "b", "c"]


def test_private_app_basic_auth_uses_the_password(make_client: MakeClient) -> None:
    client = make_client("docs", access_tokens=["secret"])
    good = base64.b64encode(b"apikey:secret").decode()
    bad = base64.b64encode(b"apikey:wrong").decode()
    url = "/admin/api/2026-10/events/count.json"
    headers = {"X-Shopify-Access-Token": ""}
    assert client.get(url, headers={**headers, "Authorization": f"Basic {good}"}).status_code == 200
    assert client.get(url, headers={**headers, "Authorization": f"Basic {bad}"}).status_code == 401
    assert client.get(url, headers={**headers, "Authorization": "Basic %%%"}).status_code == 401


def test_content_type_is_shopify_exact(client: TestClient) -> None:
    for url in ["/admin/api/2026-10/events.json", "/admin/api/2026-10/events/1.json", "/nope"]:
        assert client.get(url).headers["content-type"] == "application/json; charset=utf-8"
