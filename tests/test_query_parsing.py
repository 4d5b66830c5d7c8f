"""The query string parser (app/deps.py, `parse_query`) reads exactly what Starlette's
`request.query_params` (parse_qsl with blank values kept) reads, for any query string."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from app.deps import parse_query
from tests.conftest import API, MakeClient

# Query strings as a client could send them: pieces of names and values, percent escapes
# (valid, truncated, of bytes that are not UTF-8), `+`, `=`, `&`, and any other character.
_PART = st.sampled_from(["%2C", "%2c", "%", "%2", "%zz", "%E2%9C%93", "%FF", "+", "=", "&", "&&"])
_QUERY = st.lists(_PART | st.text(max_size=4), max_size=12).map("".join)


def _expected(raw: bytes) -> tuple[list[str], dict[str, str]]:
    items = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    return [k for k, _ in items], dict(items)


@settings(max_examples=400, deadline=None)
@given(text=_QUERY)
def test_any_query_string_parses_as_starlettes_does(text: str) -> None:
    raw = text.encode("utf-8")
    query = parse_query(raw)
    assert (query.names, query.values) == _expected(raw)
    again = parse_query(raw)  # the remembered decodings answer alike
    assert (again.names, again.values) == _expected(raw)


def test_the_documented_shapes() -> None:
    raw = b"limit=50&fields=id%2Cverb%2Ccreated_at&filter=Order,Product&verb=&since_id&a+b=c+d"
    query = parse_query(raw)
    assert query.names == ["limit", "fields", "filter", "verb", "since_id", "a b"]
    assert query.values == {
        "limit": "50",
        "fields": "id,verb,created_at",
        "filter": "Order,Product",
        "verb": "",
        "since_id": "",
        "a b": "c d",
    }
    assert parse_query(b"limit=1&limit=2&&").values == {"limit": "2"}


def test_encoded_and_plain_commas_read_alike(make_client: MakeClient) -> None:
    client = make_client("docs")
    encoded = client.get(f"{API}/events.json?fields=id%2Cverb")
    plain = client.get(f"{API}/events.json?fields=id,verb")
    assert encoded.status_code == plain.status_code == 200
    assert encoded.content == plain.content
    assert all(set(event) == {"id", "verb"} for event in encoded.json()["events"])
