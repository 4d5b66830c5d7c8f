"""Every verb the documentation lists for the catalog subjects is produced by a public REST
action, with the right subject_type, subject_id, path and message; and no other verb is.

The table below is the documentation's (Article, Blog, Collection, Comment, Page, PriceRule,
Product); `docs/event-messages.md` must list the same verbs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services import articles, blogs, collections, pages, price_rules, products
from tests.conftest import API, TOKEN, MakeClient
from tests.sandbox import event_count, post, put

DOCUMENTED = {
    "Article": {"create", "destroy", "published", "unpublished", "update"},
    "Blog": {"create", "destroy", "update"},
    "Collection": {"create", "destroy", "published", "unpublished", "update"},
    "Comment": {"create"},
    "Page": {"create", "destroy", "published", "unpublished", "update"},
    "PriceRule": {"create", "destroy", "update"},
    "Product": {"create", "destroy", "published", "unpublished"},
}
# What the message says for each verb, once the linked or plain title is taken out.
MESSAGE = {
    "Article": {
        "create": "New article created: {x}",
        "update": "{x} was updated.",
        "published": "{x} was published.",
        "unpublished": "{x} was unpublished.",
        "destroy": "{x} was destroyed.",
    },
    "Blog": {
        "create": "New blog created: {x}",
        "update": "{x} was updated.",
        "destroy": "{x} was destroyed.",
    },
    "Collection": {
        "create": "New collection created: {x}",
        "update": "{x} was updated.",
        "published": "{x} was published.",
        "unpublished": "{x} was hidden.",
        "destroy": "{x} was destroyed.",
    },
    "Comment": {"create": "New comment for {x}: Lovely"},
    "Page": {
        "create": "New page created: {x}",
        "update": "{x} was updated.",
        "published": "{x} was published.",
        "unpublished": "{x} was hidden.",
        "destroy": "{x} was destroyed.",
    },
    "PriceRule": {
        "create": "New price rule created: {x}",
        "update": "{x} was updated.",
        "destroy": "{x} was destroyed.",
    },
    "Product": {
        "create": "Product was created: {x}.",
        "published": "{x} was published.",
        "unpublished": "{x} was hidden.",
        "destroy": "{x} was destroyed.",
    },
}
ADMIN = {
    "Article": "articles",
    "Blog": "blogs",
    "Collection": "collections",
    "Comment": "comments",
    "Page": "pages",
    "PriceRule": "price_rules",
    "Product": "products",
}
PRICE_RULE = {
    "title": "T",
    "value_type": "fixed_amount",
    "value": "-5",
    "customer_selection": "all",
    "target_type": "line_item",
    "target_selection": "all",
    "allocation_method": "across",
    "starts_at": "2026-01-01",
}


def _walk(client: TestClient) -> dict[str, int]:
    """Every catalog action once, through HTTP; returns subject type -> the id acted on."""
    ids: dict[str, int] = {}

    def lifecycle(subject: str, url: str, key: str, publishable: bool, **fields: Any) -> int:
        rid: int = post(client, f"{url}.json", key, title="T", **fields)["id"]
        one = f"{url}/{rid}.json"
        if subject != "Product":
            put(client, one, key, title="T2")
        if publishable:
            put(client, one, key, published=False)
            put(client, one, key, published=True)
        assert client.delete(f"{API}/{one}").status_code == 200
        ids[subject] = rid
        return rid

    lifecycle("Product", "products", "product", True)
    lifecycle("Collection", "custom_collections", "custom_collection", True)
    lifecycle("Page", "pages", "page", True)
    rule = {k: v for k, v in PRICE_RULE.items() if k != "title"}
    lifecycle("PriceRule", "price_rules", "price_rule", False, **rule)
    blog = post(client, "blogs.json", "blog", title="T")["id"]
    lifecycle("Article", f"blogs/{blog}/articles", "article", True)
    article = post(client, f"blogs/{blog}/articles.json", "article", title="T")["id"]
    comment = post(
        client,
        "comments.json",
        "comment",
        body="Lovely",
        author="Ann",
        email="ann@example.com",
        article_id=article,
    )
    ids["Comment"] = comment["id"]
    ids["CommentArticle"] = article
    put(client, f"blogs/{blog}.json", "blog", title="T2")
    client.delete(f"{API}/blogs/{blog}.json")
    ids["Blog"] = blog
    return ids


def _title_out(message: str) -> str:
    return re.sub(r'<a href="[^"]+">[^<]*</a>|\bT2?\b', "{x}", message)


def test_every_documented_catalog_verb_is_reachable_through_rest(
    empty_client: TestClient,
) -> None:
    ids = _walk(empty_client)
    events = empty_client.get(f"{API}/events.json", params={"limit": 250}).json()["events"]
    produced: dict[str, set[str]] = {}
    for event in events:
        subject = event["subject_type"]
        produced.setdefault(subject, set()).add(event["verb"])
        if subject == "Comment":
            assert event["subject_id"] == ids["Comment"]
        elif subject == "Article" and event["subject_id"] != ids["Article"]:
            continue  # the second article, created to carry the comment
        else:
            assert event["subject_id"] == ids[subject], event
        rid = event["subject_id"]
        assert event["path"] == f"/admin/{ADMIN[subject]}/{rid}", event
        assert _title_out(event["message"]) == MESSAGE[subject][event["verb"]], event
        hrefs = re.findall(r'href="([^"]+)"', event["message"])
        if subject == "Product":
            href = f"https://admin.myshopify.io/store/jsmith/admin/products/{rid}"
        elif subject == "Comment":
            href = f"https://jsmith.myshopify.com/admin/articles/{ids['CommentArticle']}"
        else:
            href = f"https://jsmith.myshopify.com/admin/{ADMIN[subject]}/{rid}"
        plain = (subject, event["verb"]) in {("Product", "destroy"), ("Blog", "update")}
        plain = plain or (subject, event["verb"]) == ("Blog", "destroy")
        assert hrefs == ([] if plain else [href]), event
    assert produced == DOCUMENTED


def test_the_message_table_in_the_docs_lists_the_same_verbs() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "event-messages.md").read_text()
    for subject, verbs in DOCUMENTED.items():
        section = text.split(f"## {subject}\n", 1)[1].split("\n## ", 1)[0]
        listed = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M))
        assert listed == verbs, subject


# ---- atomicity: a failing recorder leaves neither the change nor an event ---------------

FAILING = [
    ("products", "product_created_event", "POST", "products.json", {"product": {"title": "x"}}),
    ("pages", "page_updated_event", "PUT", "pages/{page}.json", {"page": {"title": "new"}}),
    ("pages", "page_destroyed_event", "DELETE", "pages/{page}.json", None),
    (
        "collections",
        "collection_unpublished_event",
        "PUT",
        "custom_collections/{collection}.json",
        {"custom_collection": {"published": False}},
    ),
    ("blogs", "blog_destroyed_event", "DELETE", "blogs/{blog}.json", None),
    (
        "articles",
        "article_created_event",
        "POST",
        "blogs/{blog}/articles.json",
        {"article": {"title": "x"}},
    ),
    (
        "price_rules",
        "price_rule_updated_event",
        "PUT",
        "price_rules/{rule}.json",
        {"price_rule": {"title": "changed"}},
    ),
]
SERVICES = {
    "products": products,
    "pages": pages,
    "collections": collections,
    "blogs": blogs,
    "articles": articles,
    "price_rules": price_rules,
}


def _snapshot(client: TestClient, ids: dict[str, int]) -> list[Any]:
    urls = [
        "products.json",
        "pages.json",
        "custom_collections.json",
        "blogs.json",
        f"blogs/{ids['blog']}/articles.json",
        "price_rules.json",
        "events.json?limit=250",
    ]
    return [client.get(f"{API}/{url}").json() for url in urls]


def test_a_failing_recorder_rolls_the_action_back(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_client(None).app
    client = TestClient(
        app, raise_server_exceptions=False, headers={"X-Shopify-Access-Token": TOKEN}
    )
    ids = {
        "page": post(client, "pages.json", "page", title="P")["id"],
        "collection": post(client, "custom_collections.json", "custom_collection", title="C")["id"],
        "blog": post(client, "blogs.json", "blog", title="B")["id"],
        "rule": post(client, "price_rules.json", "price_rule", **PRICE_RULE)["id"],
    }
    post(client, f"blogs/{ids['blog']}/articles.json", "article", title="A")
    before = _snapshot(client, ids)
    count = event_count(client)

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("recorder failed")

    for module, recorder, method, url, body in FAILING:
        monkeypatch.setattr(SERVICES[module], recorder, boom)
        response = client.request(method, f"{API}/{url.format(**ids)}", json=body)
        assert response.status_code == 500, recorder
        assert response.json() == {"errors": "An unexpected error occurred"}
        monkeypatch.undo()
        assert _snapshot(client, ids) == before, recorder
        assert event_count(client) == count, recorder
