"""Comments on articles through HTTP; their `Comment` events via the Event API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import API
from tests.sandbox import SHOP_ADMIN, assert_subject_events, event_count, expected_event, post

BODY = "Great post! I really enjoyed reading about all of this, thank you so much."
EXCERPT = "Great post! I really enjoyed reading about all..."


def _article(client: TestClient, commentable: str = "moderate") -> tuple[int, int]:
    bid = post(client, "blogs.json", "blog", title="News", commentable=commentable)["id"]
    aid = post(client, f"blogs/{bid}/articles.json", "article", title="Hello <you>")["id"]
    return bid, aid


def _comment(client: TestClient, aid: int, body: str = BODY, **extra: object) -> dict[str, object]:
    return post(
        client,
        "comments.json",
        "comment",
        body=body,
        author="Bob",
        email="bob@example.com",
        article_id=aid,
        **extra,
    )


def test_create_records_the_article_link_and_an_excerpt(empty_client: TestClient) -> None:
    bid, aid = _article(empty_client)
    comment = _comment(empty_client, aid, blog_id=bid)
    cid = comment["id"]
    assert isinstance(cid, int)
    assert (comment["article_id"], comment["blog_id"]) == (aid, bid)
    assert (comment["status"], comment["published_at"]) == ("unapproved", None)
    assert empty_client.get(f"{API}/comments/{cid}.json").json() == {"comment": comment}
    link = f'<a href="{SHOP_ADMIN}/articles/{aid}">Hello &lt;you&gt;</a>'
    expected = expected_event(
        "Comment",
        cid,
        "create",
        f"New comment for {link}: {EXCERPT}",
        f"New comment for Hello <you>: {EXCERPT}",
        ["Hello <you>", EXCERPT],
        f"/admin/comments/{cid}",
    )
    assert_subject_events(empty_client, "comments", cid, [expected])


def test_short_comments_are_quoted_whole_and_escaped(empty_client: TestClient) -> None:
    _, aid = _article(empty_client, commentable="yes")
    comment = _comment(empty_client, aid, body="1 < 2\n  & so on")
    assert comment["status"] == "published"
    assert comment["published_at"] is not None
    event = empty_client.get(f"{API}/comments/{comment['id']}/events.json").json()["events"][0]
    assert event["message"].endswith(": 1 &lt; 2 &amp; so on")
    assert event["description"].endswith(": 1 < 2 & so on")
    assert event["arguments"][1] == "1 < 2 & so on"


def test_list_and_count_filter_by_article_and_blog(empty_client: TestClient) -> None:
    bid, aid = _article(empty_client)
    _, other = _article(empty_client)
    first = _comment(empty_client, aid)["id"]
    _comment(empty_client, other)
    by_article = empty_client.get(f"{API}/comments.json", params={"article_id": aid}).json()
    assert [c["id"] for c in by_article["comments"]] == [first]
    assert empty_client.get(f"{API}/comments/count.json", params={"blog_id": bid}).json() == {
        "count": 1
    }
    assert empty_client.get(f"{API}/comments/count.json").json() == {"count": 2}


def test_missing_parents_and_bad_comments_change_nothing(empty_client: TestClient) -> None:
    bid, aid = _article(empty_client)
    before = event_count(empty_client)
    url = f"{API}/comments.json"
    base = {"body": "x", "author": "Bob", "email": "bob@example.com"}
    missing = empty_client.post(url, json={"comment": base | {"article_id": 999}})
    assert (missing.status_code, missing.json()) == (404, {"errors": "Not Found"})
    wrong_blog = empty_client.post(url, json={"comment": base | {"article_id": aid, "blog_id": 9}})
    assert wrong_blog.status_code == 404
    no_article = empty_client.post(url, json={"comment": base})
    assert no_article.json() == {"errors": {"article_id": ["can't be blank"]}}
    blank = empty_client.post(url, json={"comment": {"article_id": aid, "email": "nope"}})
    assert blank.status_code == 422
    assert blank.json() == {
        "errors": {
            "body": ["can't be blank"],
            "author": ["can't be blank"],
            "email": ["is invalid"],
        }
    }
    assert empty_client.get(f"{API}/comments/count.json").json() == {"count": 0}
    assert empty_client.get(f"{API}/comments/1.json").status_code == 404
    assert event_count(empty_client) == before
    assert bid
