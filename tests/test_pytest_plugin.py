"""The pytest plugin, used exactly as a client's own test suite would use it.

Nothing here imports the server: the `shopify_sandbox` fixture comes from the installed
package's `pytest11` entry point.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shopify
from pyactiveresource.connection import ClientError, ServerError


@pytest.fixture
def shopify_session(shopify_sandbox: Any) -> Iterator[None]:
    token = shopify_sandbox.token
    shopify.ShopifyResource.activate_session(
        shopify.Session("jsmith.myshopify.com", shopify_sandbox.version, token)
    )
    shopify.ShopifyResource.site = shopify_sandbox.api_url
    yield
    shopify.ShopifyResource.clear_session()


def test_fixture_serves_the_documented_shop(shopify_sandbox: Any) -> None:
    assert shopify_sandbox.base_url.startswith("http://127.0.0.1:")
    response = shopify_sandbox.client.get("events/count.json")
    assert response.json() == {"count": 5}


def _inject_and_count(shop: Any) -> int:
    shop.inject({"subject_type": "Order", "subject_id": 1, "verb": "placed"})
    count: int = shop.client.get("events/count.json").json()["count"]
    return count


def test_each_test_gets_a_fresh_shop(shopify_sandbox: Any) -> None:
    assert _inject_and_count(shopify_sandbox) == 6


def test_each_test_gets_a_fresh_shop_again(shopify_sandbox: Any) -> None:
    assert _inject_and_count(shopify_sandbox) == 6


def test_reset_and_clock_from_the_fixture(shopify_sandbox: Any) -> None:
    shopify_sandbox.reset()
    shopify_sandbox.set_clock("2030-06-01T12:00:00Z")
    [event] = shopify_sandbox.inject({"subject_type": "Product", "subject_id": 2, "verb": "create"})
    assert event["created_at"] == "2030-06-01T08:00:00-04:00"
    window = {"created_at_min": "2030-06-01T00:00:00Z"}
    assert shopify_sandbox.client.get("events/count.json", params=window).json() == {"count": 1}


def test_shopify_limits_reads_the_call_limit_header(
    shopify_sandbox: Any, shopify_session: None
) -> None:
    assert len(shopify.Event.find()) == 5
    assert shopify.Limits.credit_limit() == 40
    assert shopify.Limits.credit_used() == 1
    assert shopify.Limits.credit_left() == 39


def test_shopify_client_meets_429s_and_recovers(
    shopify_sandbox: Any, shopify_session: None
) -> None:
    shopify_sandbox.set_clock("2030-01-01T00:00:00Z")  # time moves only when we say so
    shopify_sandbox.set_rate_limit("standard")
    waits: list[float] = []

    def find_events() -> list[Any]:
        while True:
            try:
                return list(shopify.Event.find(limit=1))
            except ClientError as err:
                assert err.response.code == 429
                waits.append(float(err.response.headers["Retry-After"]))
                shopify_sandbox.advance_clock(waits[-1])  # "sleep" on the shop's clock

    pages = [find_events() for _ in range(45)]
    assert all(len(page) == 1 for page in pages)
    assert waits == [2.0, 2.0]  # the 41st call, and the 45th after 4 calls had leaked
    assert shopify.Limits.credit_left() == 3


def test_forced_and_random_faults_reach_the_client(
    shopify_sandbox: Any, shopify_session: None
) -> None:
    forced = shopify_sandbox.client.get("events.json", headers={"X-Sandbox-Fault": "503"})
    assert forced.status_code == 503
    shopify_sandbox.set_faults(1.0, ["500"])
    with pytest.raises(ServerError):
        shopify.Event.find()
    shopify_sandbox.set_faults(0.0)
    assert len(shopify.Event.find()) == 5


def test_module_scope_shares_one_shop_per_module(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nshopify_sandbox_scope = module\n")
    (tmp_path / "test_shared.py").write_text(
        "urls = set()\n"
        "def test_one(shopify_sandbox):\n"
        "    urls.add(shopify_sandbox.base_url)\n"
        "    shopify_sandbox.inject({'subject_type': 'Order', 'subject_id': 1, 'verb': 'placed'})\n"
        "def test_two(shopify_sandbox):\n"
        "    urls.add(shopify_sandbox.base_url)\n"
        "    assert len(urls) == 1\n"
        "    assert shopify_sandbox.client.get('events/count.json').json() == {'count': 6}\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
