"""Blogs through HTTP; their `Blog` events via the Event API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import (
    SHOP_ADMIN,
    assert_subject_events,
    event_count,
    expected_event,
    post,
    put,
)


def _plain(bid: int, verb: str, message: str, title: str) -> dict[str, object]:
    return expected_event("Blog", bid, verb, message, message, [title], f"/admin/blogs/{bid}")


def test_blog_lifecycle(empty_client: TestClient) -> None:
    blog = post(empty_client, "blogs.json", "blog", title="News & Views")
    bid = blog["id"]
    assert blog["handle"] == "news-views"
    assert blog["commentable"] == "no"
    assert empty_client.get(f"{API}/blogs/{bid}.json").json() == {"blog": blog}
    updated = put(empty_client, f"blogs/{bid}.json", "blog", commentable="moderate")
    assert updated["commentable"] == "moderate"
    put(empty_client, f"blogs/{bid}.json", "blog", commentable="moderate")  # no change
    assert empty_client.delete(f"{API}/blogs/{bid}.json").json() == {}
    assert empty_client.get(f"{API}/blogs/{bid}.json").status_code == 404
    link = f'<a href="{SHOP_ADMIN}/blogs/{bid}">News &amp; Views</a>'
    created = expected_event(
        "Blog",
        bid,
        "create",
        f"New blog created: {link}",
        "New blog created: News & Views",
        ["News & Views"],
        f"/admin/blogs/{bid}",
    )
    updated_event = expected_event(
        "Blog",
        bid,
        "update",
        "News &amp; Views was updated.",
        "News & Views was updated.",
        ["News & Views"],
        f"/admin/blogs/{bid}",
    )
    destroyed = expected_event(
        "Blog",
        bid,
        "destroy",
        "News &amp; Views was destroyed.",
        "News & Views was destroyed.",
        ["News & Views"],
        f"/admin/blogs/{bid}",
    )
    assert_subject_events(empty_client, "blogs", bid, [created, updated_event, destroyed])


def test_destroying_a_blog_removes_its_articles_but_keeps_their_history(
    empty_client: TestClient,
) -> None:
    bid = post(empty_client, "blogs.json", "blog", title="News")["id"]
    aid = post(empty_client, f"blogs/{bid}/articles.json", "article", title="Hello")["id"]
    comment = post(
        empty_client,
        "comments.json",
        "comment",
        body="Nice",
        author="Bob",
        email="bob@example.com",
        article_id=aid,
    )
    empty_client.delete(f"{API}/blogs/{bid}.json")
    assert empty_client.get(f"{API}/blogs/{bid}/articles/{aid}.json").status_code == 404
    assert empty_client.get(f"{API}/comments/{comment['id']}.json").status_code == 404
    assert empty_client.get(f"{API}/comments/count.json").json() == {"count": 0}
    history = empty_client.get(f"{API}/articles/{aid}/events.json").json()["events"]
    assert [e["verb"] for e in history] == ["create"]
    assert empty_client.get(f"{API}/blogs/{bid}/events/count.json").json() == {"count": 2}


def test_bad_blogs_change_nothing(empty_client: TestClient) -> None:
    bid = post(empty_client, "blogs.json", "blog", title="News")["id"]
    before = event_count(empty_client)
    blank = empty_client.post(f"{API}/blogs.json", json={"blog": {"title": " "}})
    assert (blank.status_code, blank.json()) == (422, {"errors": {"title": ["can't be blank"]}})
    choice = empty_client.put(f"{API}/blogs/{bid}.json", json={"blog": {"commentable": "maybe"}})
    assert choice.json() == {"errors": {"commentable": ["is not included in the list"]}}
    raw = empty_client.post(f"{API}/blogs.json", content=b"{", headers={"Content-Type": "x"})
    assert raw.json() == {"errors": {"blog": "Required parameter missing or invalid"}}
    assert empty_client.get(f"{API}/blogs/count.json").json() == {"count": 1}
    assert event_count(empty_client) == before
