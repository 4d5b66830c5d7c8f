"""End to end: the real server under uvicorn, walked by real clients (PyPI ShopifyAPI, httpx)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import shopify
from sqlmodel import Session

from app.config import Settings
from app.db import create_schema, make_engine
from app.seed import load_fixture
from app.services.event_import import import_events
from tests.factories import many
from tests.server import running_server

VERSION = "2026-10"
TOKEN = "shpat_e2e"
N_EXTRA = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = Path(tmp_path_factory.mktemp("e2e")) / "shop.sqlite3"
    url = f"sqlite:///{db}"
    settings = Settings(database_url=url)
    engine = make_engine(url)
    create_schema(engine)
    with Session(engine) as session:
        load_fixture(session, "docs", settings.tz)
        import_events(session, many(N_EXTRA), settings.tz)
        session.commit()
    engine.dispose()
    with running_server(url, "--seed", "none") as base:
        yield base


@pytest.fixture
def shopify_site(server: str) -> Iterator[str]:
    session = shopify.Session("jsmith.myshopify.com", VERSION, TOKEN)
    shopify.ShopifyResource.activate_session(session)
    shopify.ShopifyResource.site = f"{server}/admin/api/{VERSION}"
    yield server
    shopify.ShopifyResource.clear_session()


def all_ids(server: str) -> list[int]:
    response = httpx.get(
        f"{server}/admin/api/{VERSION}/events.json?limit=250&fields=id",
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    ids = [e["id"] for e in response.json()["events"]]
    while "next" in response.links:
        response = httpx.get(
            response.links["next"]["url"], headers={"X-Shopify-Access-Token": TOKEN}
        )
        ids += [e["id"] for e in response.json()["events"]]
    return ids


def test_shopify_client_pages_through_every_event(shopify_site: str) -> None:
    page = shopify.Event.find(limit=40)
    seen = [e.id for e in page]
    pages = 1
    while page.has_next_page():
        page = page.next_page()
        seen += [e.id for e in page]
        pages += 1
    assert pages == 8  # 305 events, 40 a page
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == N_EXTRA + 5
    assert seen == all_ids(shopify_site)
    # and back again
    back = []
    while page.has_previous_page():
        page = page.previous_page()
        back = [e.id for e in page] + back
    assert back == seen[: len(back)] and len(back) == 7 * 40


def test_shopify_client_find_count_nested_and_fields(shopify_site: str) -> None:
    event = shopify.Event.find(677313116)
    assert event.subject_type == "Product"
    assert event.description == "Product was created: IPod Touch 8GB."
    assert shopify.Event.count() == N_EXTRA + 5
    assert (
        shopify.Event.count(created_at_min="2008-01-10T13:00:00+00:00", created_at_max="2008-01-11")
        == 2
    )
    order_events = shopify.Event.find(resource="orders", resource_id=450789469)
    assert [e.verb for e in order_events] == ["authorization_success", "confirmed", "placed"]
    assert shopify.Event.count(resource="orders", resource_id=450789469) == 3
    slim = shopify.Event.find(limit=3, fields="id,verb")
    assert [sorted(e.attributes) for e in slim] == [["id", "verb"]] * 3
    filtered = shopify.Event.find(filter="Product", verb="create", limit=250)
    assert {e.subject_type for e in filtered} == {"Product"}


def test_httpx_follows_links_to_both_ends(server: str) -> None:
    headers = {"X-Shopify-Access-Token": TOKEN}
    response = httpx.get(f"{server}/admin/api/{VERSION}/events.json?limit=17", headers=headers)
    assert set(response.links) == {"next"}
    forward: list[int] = [e["id"] for e in response.json()["events"]]
    while "next" in response.links:
        url = response.links["next"]["url"]
        assert url.startswith(f"{server}/admin/api/{VERSION}/events.json?limit=17&page_info=")
        response = httpx.get(url, headers=headers)
        forward += [e["id"] for e in response.json()["events"]]
    assert set(response.links) == {"previous"}
    assert forward == sorted(set(forward)) and len(forward) == N_EXTRA + 5
    backward: list[int] = [e["id"] for e in response.json()["events"]]
    while "previous" in response.links:
        response = httpx.get(response.links["previous"]["url"], headers=headers)
        backward = [e["id"] for e in response.json()["events"]] + backward
    assert backward == forward
    assert set(response.links) == {"next"}


def test_real_server_headers(server: str) -> None:
    response = httpx.get(
        f"{server}/admin/api/{VERSION}/events.json?limit=1",
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    raw_names = [name for name, _ in response.headers.raw]
    assert b"X-Shopify-API-Version" in raw_names
    assert b"X-Request-Id" in raw_names
    assert "server" not in response.headers  # the framework is not advertised
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    missing = httpx.get(f"{server}/admin/api/{VERSION}/events.json")
    assert missing.status_code == 401
