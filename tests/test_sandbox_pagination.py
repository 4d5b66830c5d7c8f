"""Resource lists page like Shopify's: keyset cursors in `page_info`, the `Link` header, the same
400s as the events list, on every list route, and through the real ShopifyAPI client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shopify
from fastapi.testclient import TestClient

from app.errors import PAGINATION_DOCS
from tests.conftest import API, TOKEN, MakeClient
from tests.sandbox import post
from tests.server import running_server

LINK = re.compile(r'<(?P<url>[^>]+)>; rel="(?P<rel>previous|next)"')


def links(response: httpx.Response) -> dict[str, str]:
    header = response.headers.get("link")
    if header is None:
        return {}
    parts = header.split(", ")
    found = {m["rel"]: m["url"] for m in (LINK.fullmatch(p) for p in parts) if m}
    assert len(found) == len(parts), header
    assert list(found) == sorted(found, key=["previous", "next"].index), header
    return found


def walk(client: TestClient, url: str, key: str) -> tuple[list[list[int]], httpx.Response]:
    """Follow rel="next" to the end: the ids of each page, and the last response."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    pages = [[r["id"] for r in response.json()[key]]]
    while "next" in links(response):
        response = client.get(links(response)["next"])
        assert response.status_code == 200, response.text
        pages.append([r["id"] for r in response.json()[key]])
    return pages, response


def back(client: TestClient, response: httpx.Response, key: str) -> list[list[int]]:
    pages: list[list[int]] = []
    while "previous" in links(response):
        response = client.get(links(response)["previous"])
        assert response.status_code == 200, response.text
        pages.insert(0, [r["id"] for r in response.json()[key]])
    return pages


ORDER = {"line_items": [{"title": "Mug", "price": "5.00", "quantity": 1}]}


def place_order(shop: TestClient) -> int:
    order_id: int = post(shop, "orders.json", "order", **ORDER)["id"]
    return order_id


@pytest.fixture
def shop(make_client: MakeClient) -> TestClient:
    return make_client(None)


def test_products_page_forward_and_back_with_exact_links(shop: TestClient) -> None:
    ids = [post(shop, "products.json", "product", title=f"Mug {n}")["id"] for n in range(7)]
    first = shop.get(f"{API}/products.json", params={"limit": 3})
    assert set(links(first)) == {"next"}
    assert re.fullmatch(
        rf'<http://testserver{API}/products\.json\?limit=3&page_info=[A-Za-z0-9_-]+>; rel="next"',
        first.headers["link"],
    )
    pages, last = walk(shop, f"{API}/products.json?limit=3", "products")
    assert pages == [ids[0:3], ids[3:6], ids[6:7]]
    assert set(links(last)) == {"previous"}
    assert back(shop, last, "products") == [ids[0:3], ids[3:6]]
    middle = shop.get(links(first)["next"])
    assert set(links(middle)) == {"previous", "next"}
    # Everything on one page, or nothing at all: no Link header.
    assert "link" not in shop.get(f"{API}/products.json", params={"limit": 250}).headers
    empty = shop.get(f"{API}/pages.json")
    assert (empty.status_code, empty.json(), empty.headers.get("link")) == (
        200,
        {"pages": []},
        None,
    )


def test_every_resource_list_pages(shop: TestClient) -> None:
    blog = post(shop, "blogs.json", "blog", title="News")
    article = post(shop, f"blogs/{blog['id']}/articles.json", "article", title="Hello")
    made: dict[str, list[int]] = {"blogs": [blog["id"]]}
    made["blogs"] += [post(shop, "blogs.json", "blog", title=f"B{n}")["id"] for n in range(2)]
    made[f"blogs/{blog['id']}/articles"] = [article["id"]] + [
        post(shop, f"blogs/{blog['id']}/articles.json", "article", title=f"A{n}")["id"]
        for n in range(2)
    ]
    made["comments"] = [
        post(
            shop,
            "comments.json",
            "comment",
            body=f"Nice {n}",
            author="Ann",
            email="ann@example.com",
            article_id=article["id"],
            blog_id=blog["id"],
        )["id"]
        for n in range(3)
    ]
    made["pages"] = [post(shop, "pages.json", "page", title=f"P{n}")["id"] for n in range(3)]
    made["custom_collections"] = [
        post(shop, "custom_collections.json", "custom_collection", title=f"C{n}")["id"]
        for n in range(3)
    ]
    made["smart_collections"] = [
        post(
            shop,
            "smart_collections.json",
            "smart_collection",
            title=f"S{n}",
            rules=[{"column": "title", "relation": "contains", "condition": "Mug"}],
        )["id"]
        for n in range(3)
    ]
    made["price_rules"] = [
        post(
            shop,
            "price_rules.json",
            "price_rule",
            title=f"SAVE{n}",
            value_type="percentage",
            value="-10.0",
            customer_selection="all",
            target_type="line_item",
            target_selection="all",
            allocation_method="across",
            starts_at="2025-01-01T00:00:00Z",
        )["id"]
        for n in range(3)
    ]
    made["orders"] = [place_order(shop) for _ in range(3)]
    for path, ids in made.items():
        key = path.rsplit("/", 1)[-1]
        pages, last = walk(shop, f"{API}/{path}.json?limit=2", key)
        assert pages == [ids[0:2], ids[2:3]], path
        assert back(shop, last, key) == [ids[0:2]], path


def test_the_cursor_keeps_the_first_requests_filters(shop: TestClient) -> None:
    orders = [place_order(shop) for _ in range(6)]
    for order_id in orders[::2]:
        assert shop.post(f"{API}/orders/{order_id}/close.json").status_code == 200
    pages, _ = walk(shop, f"{API}/orders.json?status=closed&limit=2", "orders")
    assert pages == [orders[0:5:2][:2], orders[0:5:2][2:]]
    since = walk(shop, f"{API}/orders.json?since_id={orders[1]}&limit=2&status=any", "orders")[0]
    assert since == [orders[2:4], orders[4:6]]
    # The open orders (Shopify's default) stay the default on every page.
    assert walk(shop, f"{API}/orders.json?limit=1", "orders")[0] == [[o] for o in orders[1::2]]


def test_pagination_errors_are_shopifys(shop: TestClient) -> None:
    for n in range(3):
        post(shop, "products.json", "product", title=f"Cap {n}")
        post(shop, "pages.json", "page", title=f"Page {n}")
    token = links(shop.get(f"{API}/products.json", params={"limit": 1}))["next"]
    page_info = httpx.URL(token).params["page_info"]
    beside = shop.get(f"{API}/products.json", params={"page_info": page_info, "since_id": 1})
    assert beside.status_code == 400
    assert beside.json() == {
        "errors": {
            "since_id": f"since_id cannot be passed when page_info is present. {PAGINATION_DOCS}"
        }
    }
    legacy = shop.get(f"{API}/products.json", params={"page": 2})
    assert legacy.status_code == 400
    assert list(legacy.json()["errors"]) == ["page"]
    invalid = {"errors": {"page_info": "Invalid value."}}
    tampered = shop.get(f"{API}/products.json", params={"page_info": page_info[:-2] + "xx"})
    assert (tampered.status_code, tampered.json()) == (400, invalid)
    elsewhere = shop.get(f"{API}/pages.json", params={"page_info": page_info})
    assert (elsewhere.status_code, elsewhere.json()) == (400, invalid)
    # The same cursor on the same list in another version (or unversioned) is fine.
    other = shop.get("/admin/api/2025-01/products.json", params={"page_info": page_info})
    assert other.status_code == 200
    assert shop.get(f"{API}/products.json", params={"limit": 0}).status_code == 400


@pytest.fixture
def live_shop(tmp_path: Path) -> Iterator[str]:
    with running_server(f"sqlite:///{tmp_path / 'shop.sqlite3'}", "--seed", "none") as base:
        yield base


def test_shopify_client_pages_products_and_orders(live_shop: str) -> None:
    headers = {"X-Shopify-Access-Token": TOKEN}
    api = f"{live_shop}{API}"
    made: dict[str, list[Any]] = {"products": [], "orders": []}
    for n in range(5):
        r = httpx.post(
            f"{api}/products.json", headers=headers, json={"product": {"title": f"T{n}"}}
        )
        made["products"].append(r.json()["product"]["id"])
        body = {"order": ORDER}
        made["orders"].append(httpx.post(f"{api}/orders.json", headers=headers, json=body).json())
    order_ids = [o["order"]["id"] for o in made["orders"]]
    shopify.ShopifyResource.activate_session(
        shopify.Session("jsmith.myshopify.com", "2026-10", TOKEN)
    )
    shopify.ShopifyResource.site = api
    try:
        for resource, ids in ((shopify.Product, made["products"]), (shopify.Order, order_ids)):
            page = resource.find(limit=2)
            seen = [r.id for r in page]
            while page.has_next_page():
                page = page.next_page()
                seen += [r.id for r in page]
            assert seen == ids
            assert page.has_previous_page()
            assert [r.id for r in page.previous_page()] == ids[2:4]
    finally:
        shopify.ShopifyResource.clear_session()
