"""X-Shopify-API-Deprecated-Reason inside the configured deprecation window."""

from __future__ import annotations

from datetime import date

from app.versions import DEPRECATED_REASON, VersionWindow
from tests.conftest import MakeClient

HEADER = "X-Shopify-API-Deprecated-Reason"


def test_window_arithmetic() -> None:
    today = date(2026, 11, 23)
    window = VersionWindow.for_date(today)
    assert window.oldest == "2026-01"
    # 2026-01 is supported until 2027-01: two months left
    assert window.deprecated("2026-01", today, 2)
    assert not window.deprecated("2026-01", today, 1)
    assert not window.deprecated("2026-04", today, 2)
    assert window.deprecated("2026-04", today, 5)
    assert window.deprecated("2025-07", today, 1)  # retired
    assert not window.deprecated("unstable", today, 12)
    assert not window.deprecated("2026-01", today, 0)  # off


def test_header_on_versions_inside_the_window(make_client: MakeClient) -> None:
    client = make_client(
        "docs", api_oldest_supported="2026-01", api_newest="2026-10", api_deprecation_months=60
    )
    response = client.get("/admin/api/2026-01/events/count.json")
    assert response.status_code == 200
    assert response.headers[HEADER] == DEPRECATED_REASON
    retired = client.get("/admin/api/2024-01/events/count.json")
    assert retired.headers["X-Shopify-API-Version"] == "2026-01"  # served as the oldest
    assert retired.headers[HEADER] == DEPRECATED_REASON
    assert HEADER not in client.get("/admin/api/unstable/events/count.json").headers


def test_no_header_without_a_window(make_client: MakeClient) -> None:
    client = make_client("docs", api_oldest_supported="2026-01", api_newest="2026-10")
    for version in ("2026-01", "2024-01", "2026-10"):
        assert HEADER not in client.get(f"/admin/api/{version}/events/count.json").headers
