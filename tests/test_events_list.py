"""List, count and single: filters, limits, fields, time parsing and rendering."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import API, MakeClient
from tests.factories import event_payload, insert_events, many


def ids(response: object) -> list[int]:
    return [e["id"] for e in response.json()["events"]]  # type: ignore[attr-defined]


@pytest.fixture
def shop(empty_client: TestClient) -> TestClient:
    insert_events(empty_client, many(40))
    return empty_client


def test_list_is_sorted_by_id_ascending(shop: TestClient) -> None:
    got = ids(shop.get(f"{API}/events.json?limit=250"))
    assert got == sorted(got) and len(got) == 40


def test_default_limit_is_50(empty_client: TestClient) -> None:
    insert_events(empty_client, many(60))
    assert len(ids(empty_client.get(f"{API}/events.json"))) == 50


@pytest.mark.parametrize(
    ("limit", "body"),
    [
        ("251", {"errors": "Limit exceeds maximum limit of 250"}),
        ("100000", {"errors": "Limit exceeds maximum limit of 250"}),
        ("0", {"errors": "Limit must be at least 1"}),
        ("-5", {"errors": "Limit must be at least 1"}),
        ("abc", {"errors": "Limit must be a number between 1 and 250"}),
        ("1.5", {"errors": "Limit must be a number between 1 and 250"}),
        ("", {"errors": "Limit must be a number between 1 and 250"}),
    ],
)
def test_bad_limit_is_a_400_in_the_envelope(shop: TestClient, limit: str, body: dict) -> None:
    response = shop.get(f"{API}/events.json", params={"limit": limit})
    assert response.status_code == 400
    assert response.json() == body


def test_limit_250_is_allowed(empty_client: TestClient) -> None:
    insert_events(empty_client, many(260))
    assert len(ids(empty_client.get(f"{API}/events.json?limit=250"))) == 250


def test_since_id_is_strictly_greater(shop: TestClient) -> None:
    assert ids(shop.get(f"{API}/events.json?since_id=1030")) == list(range(1031, 1040))


@pytest.mark.parametrize("value", ["abc", "-1", "1.0", "99999999999999999999999"])
def test_bad_since_id_names_the_parameter(shop: TestClient, value: str) -> None:
    response = shop.get(f"{API}/events.json", params={"since_id": value})
    assert response.status_code == 400
    assert response.json() == {"errors": {"since_id": "Invalid value."}}


def test_filter_takes_a_comma_list_of_subject_types(shop: TestClient) -> None:
    got = shop.get(f"{API}/events.json?filter=Order,Product&limit=250").json()["events"]
    assert {e["subject_type"] for e in got} == {"Order", "Product"}
    assert len(got) == 10


def test_filter_matches_known_types_case_insensitively(shop: TestClient) -> None:
    assert ids(shop.get(f"{API}/events.json?filter=order")) == ids(
        shop.get(f"{API}/events.json?filter=Order")
    )


def test_unknown_filter_value_matches_nothing(shop: TestClient) -> None:
    response = shop.get(f"{API}/events.json?filter=Widget")
    assert response.status_code == 200
    assert response.json() == {"events": []}


def test_verb_filter_combines_with_filter(shop: TestClient) -> None:
    got = shop.get(f"{API}/events.json?filter=Order&verb=create").json()["events"]
    assert got and all(e["subject_type"] == "Order" and e["verb"] == "create" for e in got)


def test_created_at_bounds_are_inclusive(shop: TestClient) -> None:
    # event i is created at 2024-01-01T00:00Z + i hours
    params = {
        "created_at_min": "2024-01-01T05:00:00+00:00",
        "created_at_max": "2024-01-01T07:00:00Z",
    }
    assert ids(shop.get(f"{API}/events.json", params=params)) == [1005, 1006, 1007]


@pytest.mark.parametrize(
    ("value", "expected_first"),
    [
        ("2024-01-01T05:00:00+00:00", 1005),
        ("2024-01-01 05:00:00+00:00", 1005),  # the docs' space form
        ("2024-01-01T00:00:00-05:00", 1005),  # an offset is honoured
        ("2024-01-01T05:00:00Z", 1005),
        ("2024-01-01 05:00:00 UTC", 1005),
        ("2024-01-01T00:00:00", 1005),  # no offset: the shop's zone (New York, UTC-5 in January)
        ("2024-01-01", 1005),  # a date: midnight in the shop's zone
        ("2024-01-01 05:00:00 00:00", 1005),  # an unencoded + that arrived as a space
    ],
)
def test_created_at_min_formats(shop: TestClient, value: str, expected_first: int) -> None:
    assert (
        ids(shop.get(f"{API}/events.json", params={"created_at_min": value}))[0] == expected_first
    )


@pytest.mark.parametrize("name", ["created_at_min", "created_at_max"])
@pytest.mark.parametrize("value", ["garbage", "2024-13-01", "2024-01-01T25:00:00", "1" * 300])
def test_bad_timestamps_name_the_parameter(shop: TestClient, name: str, value: str) -> None:
    response = shop.get(f"{API}/events.json", params={name: value})
    assert response.status_code == 400
    assert response.json() == {"errors": {name: "Invalid value."}}


def test_fields_keep_canonical_order_and_ignore_unknown(shop: TestClient) -> None:
    response = shop.get(f"{API}/events.json?limit=1&fields=verb,nonsense,id,created_at")
    assert response.text.startswith(
        '{"events":[{"id":1000,"created_at":"2023-12-31T19:00:00-05:00","verb":"create"}'
    )


def test_fields_only_unknown_returns_every_field(shop: TestClient) -> None:
    event = shop.get(f"{API}/events.json?limit=1&fields=nope").json()["events"][0]
    assert list(event) == [
        "id", "subject_id", "created_at", "subject_type", "verb", "arguments",
        "body", "message", "author", "description", "path",
    ]  # fmt: skip


def test_fields_on_single_and_nested(client: TestClient) -> None:
    single = client.get(f"{API}/events/677313116.json?fields=id,subject_type")
    assert single.text == '{"event":{"id":677313116,"subject_type":"Product"}}'
    nested = client.get(f"{API}/orders/450789469/events.json?fields=verb")
    assert nested.json() == {
        "events": [{"verb": "authorization_success"}, {"verb": "confirmed"}, {"verb": "placed"}]
    }


def test_timestamps_render_in_the_shop_zone_dst_correct(empty_client: TestClient) -> None:
    insert_events(
        empty_client,
        [
            event_payload(0, id=1, created_at="2024-01-15T12:00:00Z"),
            event_payload(1, id=2, created_at="2024-07-15T12:00:00Z"),
        ],
    )
    got = [e["created_at"] for e in empty_client.get(f"{API}/events.json").json()["events"]]
    assert got == ["2024-01-15T07:00:00-05:00", "2024-07-15T08:00:00-04:00"]


def test_other_shop_timezone(make_client: MakeClient) -> None:
    client = make_client("docs", shop_timezone="Europe/Amsterdam")
    event = client.get(f"{API}/events/677313116.json").json()["event"]
    assert event["created_at"] == "2008-01-10T14:00:00+01:00"


def test_count_takes_created_at_and_the_list_filters(shop: TestClient) -> None:
    for query in [
        "",
        "created_at_min=2024-01-01T05:00:00Z",
        "created_at_max=2024-01-01T05:00:00Z",
        "filter=Order,Page",
        "verb=destroy",
        "since_id=1020",
        "filter=Product&verb=update&created_at_min=2024-01-01",
    ]:
        listed = ids(shop.get(f"{API}/events.json?limit=250&{query}"))
        counted = shop.get(f"{API}/events/count.json?{query}").json()
        assert counted == {"count": len(listed)}, query


def test_nested_list_and_count_agree(shop: TestClient) -> None:
    events = shop.get(f"{API}/events.json?limit=250&filter=Order").json()["events"]
    subject = events[0]["subject_id"]
    nested = ids(shop.get(f"{API}/orders/{subject}/events.json"))
    assert nested == [e["id"] for e in events if e["subject_id"] == subject]
    assert shop.get(f"{API}/orders/{subject}/events/count.json").json() == {"count": len(nested)}


@pytest.mark.parametrize(
    "resource",
    ["orders", "products", "articles", "blogs", "custom_collections", "smart_collections",
     "pages", "comments", "price_rules"],
)  # fmt: skip
def test_every_nested_route_answers_for_a_subject_with_events(
    empty_client: TestClient, resource: str
) -> None:
    subject_type = {
        "orders": "Order", "products": "Product", "articles": "Article", "blogs": "Blog",
        "custom_collections": "Collection", "smart_collections": "Collection", "pages": "Page",
        "comments": "Comment", "price_rules": "PriceRule",
    }[resource]  # fmt: skip
    insert_events(empty_client, [event_payload(0, id=7, subject_id=42, subject_type=subject_type)])
    response = empty_client.get(f"{API}/{resource}/42/events.json")
    assert ids(response) == [7]
    assert empty_client.get(f"{API}/{resource}/43/events.json").status_code == 404


def test_single_event_and_unknown_ids(client: TestClient) -> None:
    assert client.get(f"{API}/events/677313116.json").json()["event"]["id"] == 677313116
    paths = ["events/1.json", "events/abc.json", "events/-1.json", "events/1e3.json",
             "events/99999999999999999999999.json", "orders/1/events.json",
             "orders/abc/events.json", "widgets/450789469/events.json", "nope.json"]  # fmt: skip
    for path in paths:
        response = client.get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert response.json() == {"errors": "Not Found"}, path


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_methods_are_405_in_the_envelope(client: TestClient, method: str) -> None:
    response = client.request(method, f"{API}/events/677313116.json")
    assert response.status_code == 405
    assert response.json() == {"errors": "Method Not Allowed"}
    assert response.headers["allow"] == "GET"


def test_unknown_params_are_ignored(client: TestClient) -> None:
    assert client.get(f"{API}/events/count.json?foo=bar").json() == {"count": 5}
    assert client.get(f"{API}/events/677313116.json?foo=bar").status_code == 200
