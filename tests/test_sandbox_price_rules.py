"""Price rules through HTTP; their `PriceRule` events via the Event API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import assert_subject_events, event_count, linked_event, post, put

RULE = {
    "title": "SUMMER10",
    "value_type": "percentage",
    "value": "-10.0",
    "customer_selection": "all",
    "target_type": "line_item",
    "target_selection": "all",
    "allocation_method": "across",
    "starts_at": "2026-06-01T00:00:00-04:00",
}


def _event(rid: int, verb: str, template: str, title: str = "SUMMER10") -> Any:
    return linked_event("PriceRule", "price_rules", rid, verb, template, title)


def test_price_rule_lifecycle(empty_client: TestClient) -> None:
    created = post(empty_client, "price_rules.json", "price_rule", **RULE)
    rid = created["id"]
    assert created["value"] == "-10.0"
    assert created["starts_at"] == "2026-06-01T00:00:00-04:00"
    assert created["title"] == "SUMMER10"
    assert created["admin_graphql_api_id"] == f"gid://shopify/PriceRule/{rid}"
    url = f"price_rules/{rid}.json"
    assert empty_client.get(f"{API}/{url}").json() == {"price_rule": created}
    updated = put(empty_client, url, "price_rule", value=-15, usage_limit=100, title="SUMMER15")
    assert (updated["value"], updated["usage_limit"]) == ("-15.0", 100)
    put(empty_client, url, "price_rule", value="-15.0")  # unchanged: no event
    assert empty_client.delete(f"{API}/{url}").json() == {}
    assert empty_client.get(f"{API}/{url}").status_code == 404
    assert_subject_events(
        empty_client,
        "price_rules",
        rid,
        [
            _event(rid, "create", "New price rule created: {link}"),
            _event(rid, "update", "{link} was updated.", "SUMMER15"),
            _event(rid, "destroy", "{link} was destroyed.", "SUMMER15"),
        ],
    )


BAD = [
    ({"title": ""}, {"title": ["can't be blank"]}),
    ({"value": "10"}, {"value": ["must be less than or equal to 0"]}),
    ({"value": "-150"}, {"value": ["must be greater than or equal to -100"]}),
    ({"value": "ten"}, {"value": ["is not a number"]}),
    ({"target_type": "everything"}, {"target_type": ["is not included in the list"]}),
    ({"ends_at": "2026-05-01T00:00:00Z"}, {"ends_at": ["must be after starts_at"]}),
    ({"starts_at": None}, {"starts_at": ["can't be blank"]}),
    ({"entitled_product_ids": ["x"]}, {"entitled_product_ids": ["is invalid"]}),
]


def test_bad_price_rules_change_nothing(empty_client: TestClient) -> None:
    rid = post(empty_client, "price_rules.json", "price_rule", **RULE)["id"]
    before = event_count(empty_client)
    for override, errors in BAD:
        response = empty_client.post(
            f"{API}/price_rules.json", json={"price_rule": RULE | override}
        )
        assert (response.status_code, response.json()) == (422, {"errors": errors}), override
        if "title" not in override:
            updated = empty_client.put(
                f"{API}/price_rules/{rid}.json", json={"price_rule": override}
            )
            assert (updated.status_code, updated.json()) == (422, {"errors": errors}), override
    assert empty_client.get(f"{API}/price_rules/count.json").json() == {"count": 1}
    rule = empty_client.get(f"{API}/price_rules/{rid}.json").json()["price_rule"]
    assert (rule["title"], rule["value"], rule["ends_at"]) == ("SUMMER10", "-10.0", None)
    assert event_count(empty_client) == before


def test_missing_required_attributes_are_all_named(empty_client: TestClient) -> None:
    response = empty_client.post(f"{API}/price_rules.json", json={"price_rule": {}})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "title",
        "starts_at",
        "value",
        "value_type",
        "customer_selection",
        "target_type",
        "target_selection",
        "allocation_method",
    }
