"""Cursor pagination: the Link header's exact grammar, page_info rules, both directions."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.pagination import Cursor, encode_page_info
from tests.conftest import API
from tests.factories import insert_events, many

LINK_RE = re.compile(r'^<(http[^<>,;]+)>; rel="(previous|next)"$')
PAGINATION_DOCS = "See https://shopify.dev/api/usage/pagination-rest for more information."


@pytest.fixture
def shop(empty_client: TestClient) -> TestClient:
    insert_events(empty_client, many(25))
    return empty_client


def links(response: object) -> dict[str, str]:
    header = response.headers.get("link")  # type: ignore[attr-defined]
    if header is None:
        return {}
    out = {}
    for part in header.split(", "):
        match = LINK_RE.match(part)
        assert match, f"bad link part {part!r}"
        out[match.group(2)] = match.group(1)
    return out


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_no_link_header_when_everything_fits(shop: TestClient) -> None:
    assert "link" not in shop.get(f"{API}/events.json").headers
    assert "link" not in shop.get(f"{API}/events.json?limit=25").headers


def test_first_page_has_only_next_with_limit_first(shop: TestClient) -> None:
    response = shop.get(f"{API}/events.json?limit=10")
    header = response.headers["link"]
    assert re.fullmatch(
        r"<http://testserver/admin/api/2026-10/events\.json\?limit=10&page_info=[A-Za-z0-9_-]+>;"
        r' rel="next"',
        header,
    )


def test_middle_page_has_previous_then_next(shop: TestClient) -> None:
    first = shop.get(f"{API}/events.json?limit=10")
    second = shop.get(links(first)["next"])
    header = second.headers["link"]
    assert header.index('rel="previous"') < header.index('rel="next"')
    assert re.fullmatch(r'<[^<>]+>; rel="previous", <[^<>]+>; rel="next"', header)
    assert [e["id"] for e in second.json()["events"]] == list(range(1010, 1020))


def test_last_page_has_only_previous(shop: TestClient) -> None:
    page = shop.get(f"{API}/events.json?limit=10")
    page = shop.get(links(page)["next"])
    last = shop.get(links(page)["next"])
    assert [e["id"] for e in last.json()["events"]] == list(range(1020, 1025))
    assert set(links(last)) == {"previous"}


def test_link_without_limit_carries_only_page_info(empty_client: TestClient) -> None:
    insert_events(empty_client, many(60))
    url = links(empty_client.get(f"{API}/events.json"))["next"]
    assert [k for k, _ in query_of(url)] == ["page_info"]


def test_link_carries_fields_with_commas_encoded(shop: TestClient) -> None:
    response = shop.get(f"{API}/events.json?limit=5&fields=id,verb")
    url = links(response)["next"]
    assert "fields=id%2Cverb" in url
    assert "," not in url
    assert [k for k, _ in query_of(url)] == ["limit", "page_info", "fields"]
    following = shop.get(url).json()["events"]
    assert all(list(e) == ["id", "verb"] for e in following)


def test_link_uses_the_request_origin_and_nested_path(shop: TestClient) -> None:
    insert_events(shop, [{**many(1)[0], "id": 5000 + i, "subject_id": 77, "subject_type": "Order"}
                         for i in range(3)])  # fmt: skip
    response = shop.get(f"{API}/orders/77/events.json?limit=2", headers={"host": "127.0.0.1:9123"})
    url = links(response)["next"]
    assert url.startswith("http://127.0.0.1:9123/admin/api/2026-10/orders/77/events.json?")
    assert [e["id"] for e in shop.get(url).json()["events"]] == [5002]


def test_unversioned_links_stay_unversioned(shop: TestClient) -> None:
    url = links(shop.get("/admin/events.json?limit=10"))["next"]
    assert urlsplit(url).path == "/admin/events.json"


def test_page_info_is_base64url_json_with_filters(shop: TestClient) -> None:
    url = links(
        shop.get(
            f"{API}/events.json?limit=1&filter=Order&verb=create&created_at_min=2024-01-01T04:00:00%2B04:00"
        )
    )["next"]
    token = dict(query_of(url))["page_info"]
    body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    assert body["direction"] == "next"
    assert body["last_id"] == int(body["last_value"])
    assert body["filter"] == "Order"
    assert body["verb"] == "create"
    assert body["created_at_min"] == "2024-01-01 00:00:00 UTC"  # normalised to UTC, as Shopify


def test_cursor_keeps_the_filters_of_the_first_request(shop: TestClient) -> None:
    all_orders = [
        e["id"] for e in shop.get(f"{API}/events.json?filter=Order,Page").json()["events"]
    ]
    seen: list[int] = []
    url: str | None = f"{API}/events.json?limit=2&filter=Order,Page"
    while url:
        response = shop.get(url)
        seen += [e["id"] for e in response.json()["events"]]
        url = links(response).get("next")
    assert seen == all_orders


def test_walk_forward_then_back_to_both_ends(shop: TestClient) -> None:
    url: str | None = f"{API}/events.json?limit=4"
    forward: list[int] = []
    response = None
    while url:
        response = shop.get(url)
        forward += [e["id"] for e in response.json()["events"]]
        url = links(response).get("next")
    assert forward == list(range(1000, 1025))
    assert response is not None
    backward: list[list[int]] = []
    url = links(response).get("previous")
    while url:
        response = shop.get(url)
        backward.append([e["id"] for e in response.json()["events"]])
        url = links(response).get("previous")
    # Previous pages are full pages just before the current one, in ascending order.
    assert backward[0] == [1020, 1021, 1022, 1023]
    assert [i for page in reversed(backward) for i in page] + [1024] == list(range(1000, 1025))
    # The first page reached backwards has no previous link, but a next link.
    assert set(links(response)) == {"next"}


def test_since_id_combines_with_cursor(shop: TestClient) -> None:
    first = shop.get(f"{API}/events.json?limit=5&since_id=1015")
    assert [e["id"] for e in first.json()["events"]] == list(range(1016, 1021))
    second = shop.get(links(first)["next"])
    assert [e["id"] for e in second.json()["events"]] == list(range(1021, 1025))


@pytest.mark.parametrize(
    "extra", ["since_id=1", "filter=Order", "verb=create", "created_at_min=2024-01-01", "foo=bar"]
)
def test_page_info_rejects_other_filters(shop: TestClient, extra: str) -> None:
    url = links(shop.get(f"{API}/events.json?limit=5"))["next"]
    response = shop.get(f"{url}&{extra}")
    name = extra.split("=")[0]
    assert response.status_code == 400
    assert response.json() == {
        "errors": {name: f"{name} cannot be passed when page_info is present. {PAGINATION_DOCS}"}
    }


def test_page_info_allows_limit_and_fields(shop: TestClient) -> None:
    url = links(shop.get(f"{API}/events.json?limit=5"))["next"]
    token = dict(query_of(url))["page_info"]
    response = shop.get(f"{API}/events.json?page_info={token}&limit=3&fields=id")
    assert response.json() == {"events": [{"id": 1005}, {"id": 1006}, {"id": 1007}]}


def test_page_info_reports_every_offending_parameter(shop: TestClient) -> None:
    url = links(shop.get(f"{API}/events.json?limit=5"))["next"]
    errors = shop.get(f"{url}&verb=x&since_id=3").json()["errors"]
    assert list(errors) == ["verb", "since_id"]


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "",
        "%%%",
        base64.urlsafe_b64encode(b'{"direction":"next","last_id":1003}').decode(),  # unsigned
        base64.urlsafe_b64encode(b"[1,2,3]").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_corrupt_page_info_is_invalid_value(shop: TestClient, token: str) -> None:
    response = shop.get(f"{API}/events.json", params={"page_info": token})
    assert response.status_code == 400
    assert response.json() == {"errors": {"page_info": "Invalid value."}}


def test_tampered_page_info_is_refused(shop: TestClient) -> None:
    url = links(shop.get(f"{API}/events.json?limit=2&filter=Order"))["next"]
    token = dict(query_of(url))["page_info"]
    body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    body["filter"] = "Product"  # widen the query without re-signing
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")
    response = shop.get(f"{API}/events.json", params={"page_info": forged})
    assert response.json() == {"errors": {"page_info": "Invalid value."}}
    truncated = shop.get(f"{API}/events.json", params={"page_info": token[:-3]})
    assert truncated.status_code == 400


def test_padded_page_info_is_accepted(shop: TestClient) -> None:
    token = encode_page_info(Cursor("next", 1003, {}), "shopify-events-mock")
    padded = token + "=" * (-len(token) % 4)
    response = shop.get(f"{API}/events.json", params={"page_info": padded, "limit": "1"})
    assert [e["id"] for e in response.json()["events"]] == [1004]


def test_cursor_from_one_route_is_invalid_on_another(shop: TestClient) -> None:
    token = dict(query_of(links(shop.get(f"{API}/events.json?limit=5"))["next"]))["page_info"]
    insert_events(shop, [{**many(1)[0], "id": 9000, "subject_id": 88, "subject_type": "Order"}])
    response = shop.get(f"{API}/orders/88/events.json", params={"page_info": token})
    assert response.json() == {"errors": {"page_info": "Invalid value."}}


def test_legacy_page_parameter_is_refused(shop: TestClient) -> None:
    response = shop.get(f"{API}/events.json?page=2")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page"]


def test_keyset_never_uses_offset(shop: TestClient) -> None:
    # Rows inserted before the cursor position do not shift the next page (OFFSET would).
    first = shop.get(f"{API}/events.json?limit=5")
    insert_events(shop, [{**many(1)[0], "id": 1, "created_at": "2023-01-01T00:00:00Z"}])
    second = shop.get(links(first)["next"])
    assert [e["id"] for e in second.json()["events"]] == list(range(1005, 1010))
