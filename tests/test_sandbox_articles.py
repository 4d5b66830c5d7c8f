"""Articles (in a blog) through HTTP; their `Article` events via the Event API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import assert_subject_events, event_count, linked_event, post, put


def _event(aid: int, verb: str, template: str, title: str = "Hello", **kw: Any) -> Any:
    return linked_event("Article", "articles", aid, verb, template, title, **kw)


def _blog(client: TestClient) -> int:
    blog_id: int = post(client, "blogs.json", "blog", title="News")["id"]
    return blog_id


def test_article_lifecycle(empty_client: TestClient) -> None:
    bid = _blog(empty_client)
    article = post(empty_client, f"blogs/{bid}/articles.json", "article", title="Hello", tags="a,b")
    aid = article["id"]
    assert article["blog_id"] == bid
    assert article["author"] == "Shopify"
    assert article["tags"] == "a, b"
    url = f"blogs/{bid}/articles/{aid}.json"
    assert empty_client.get(f"{API}/{url}").json() == {"article": article}
    put(empty_client, url, "article", body_html="<p>Text</p>")
    put(empty_client, url, "article", published=False)
    put(empty_client, url, "article", published=True)
    assert empty_client.delete(f"{API}/{url}").json() == {}
    assert empty_client.get(f"{API}/{url}").status_code == 404
    assert_subject_events(
        empty_client,
        "articles",
        aid,
        [
            _event(aid, "create", "New article created: {link}"),
            _event(aid, "update", "{link} was updated."),
            _event(aid, "unpublished", "{link} was unpublished."),
            _event(aid, "published", "{link} was published."),
            _event(aid, "destroy", "{link} was destroyed."),
        ],
    )


def test_the_actor_writes_the_article_and_authors_its_events(empty_client: TestClient) -> None:
    bid = _blog(empty_client)
    response = empty_client.post(
        f"{API}/blogs/{bid}/articles.json",
        json={"article": {"title": "Hello", "published": False}},
        headers={"X-Sandbox-Actor": "Jane"},
    )
    article = response.json()["article"]
    assert (article["author"], article["published_at"]) == ("Jane", None)
    expected = [_event(article["id"], "create", "New article created: {link}", author="Jane")]
    assert_subject_events(empty_client, "articles", article["id"], expected)


def test_articles_belong_to_their_blog(empty_client: TestClient) -> None:
    first, second = _blog(empty_client), _blog(empty_client)
    aid = post(empty_client, f"blogs/{first}/articles.json", "article", title="Hello")["id"]
    other = post(empty_client, f"blogs/{second}/articles.json", "article", title="Hello")
    assert other["handle"] == "hello"  # handles are unique per blog
    assert empty_client.get(f"{API}/blogs/{second}/articles/{aid}.json").status_code == 404
    listed = empty_client.get(f"{API}/blogs/{first}/articles.json").json()["articles"]
    assert [a["id"] for a in listed] == [aid]
    assert empty_client.get(f"{API}/blogs/{first}/articles/count.json").json() == {"count": 1}


def test_missing_blogs_and_bad_articles_change_nothing(empty_client: TestClient) -> None:
    bid = _blog(empty_client)
    aid = post(empty_client, f"blogs/{bid}/articles.json", "article", title="Hello")["id"]
    before = event_count(empty_client)
    missing = empty_client.post(f"{API}/blogs/999/articles.json", json={"article": {"title": "x"}})
    assert (missing.status_code, missing.json()) == (404, {"errors": "Not Found"})
    assert empty_client.get(f"{API}/blogs/999/articles.json").status_code == 404
    blank = empty_client.post(f"{API}/blogs/{bid}/articles.json", json={"article": {}})
    assert blank.json() == {"errors": {"title": ["can't be blank"]}}
    bad = empty_client.put(
        f"{API}/blogs/{bid}/articles/{aid}.json",
        json={"article": {"published": "yes", "user_id": "me"}},
    )
    assert bad.status_code == 422
    assert bad.json() == {"errors": {"user_id": ["is not a number"], "published": ["is invalid"]}}
    assert empty_client.get(f"{API}/blogs/{bid}/articles/count.json").json() == {"count": 1}
    assert event_count(empty_client) == before
