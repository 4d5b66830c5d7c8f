"""Hostile input against the real server, table-driven: a clear 4xx or a deliberate 200, never 5xx.

Every parameter of every Event endpoint gets every value of `GARBAGE`; `expected()` says what
each combination must answer (the choices are in docs/decisions.md, "Bad input"). A 4xx must
come in Shopify's `{"errors": ...}` envelope and name the parameter. Then the whole API surface
(every route of the OpenAPI document, every method) gets garbage paths, bodies and content
types. Afterwards the database is exactly what it was (SQLite: the file's bytes; PostgreSQL:
every row) and the server still answers. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.live_server import API, TOKEN, LiveServer, pg_database

ENDPOINTS = {
    "list": f"{API}/events.json",
    "count": f"{API}/events/count.json",
    "single": f"{API}/events/677313116.json",
    "nested_list": f"{API}/orders/450789469/events.json",
    "nested_count": f"{API}/orders/450789469/events/count.json",
}
FILTERS = {"since_id", "created_at_min", "created_at_max", "filter", "verb"}
# The parameters each endpoint reads; it ignores every other one (200).
READS = {
    "list": {"limit", "fields", "page_info", *FILTERS},
    "nested_list": {"limit", "fields", "page_info", *FILTERS},
    "count": FILTERS,
    "nested_count": FILTERS,
    "single": {"fields"},
}
PARAMS = ["limit", "since_id", "created_at_min", "created_at_max", "filter", "verb", "fields"]
PARAMS += ["page_info"]

# name -> the raw (percent-encoded where needed) query value
GARBAGE: dict[str, str] = {
    "huge_int": "9" * 30,
    "int64_overflow": "9223372036854775808",
    "negative": "-5",
    "negative_huge": "-" + "9" * 25,
    "zero": "0",
    "float": "1.5",
    "exponent": "1e3",
    "hex": "0x10",
    "empty": "",
    "blank": "%20%20",
    "nul": "%00",
    "nul_inside": "12%0034",
    "control_chars": "%01%02%1b%7f",
    "unicode": "%C3%A9%E2%98%83%F0%9F%98%80",
    "superscript_digit": "%C2%B2",
    "arabic_indic_digit": "%D9%A3",
    "fullwidth_digit": "%EF%BC%93",
    "invalid_utf8": "%FF%FE%C0%80",
    "sql_quote": "1%27%20OR%20%271%27%3D%271",
    "sql_drop": "x%27%3B%20DROP%20TABLE%20events%3B--",
    "sql_union": "1%20UNION%20SELECT%20*%20FROM%20sqlite_master",
    "long_text": "a" * 10_000,
    "long_digits": "9" * 10_000,
    "bad_date": "2008-13-45",
    "bad_time": "2008-01-10T25:61:00",
    "bad_offset": "2008-01-10T10:00:00%2B25:00",
    "offset_only": "%2B05:00",
    "underflow_date": "0001-01-01T00:00:00%2B14:00",
    "overflow_date": "9999-12-31T23:59:59-14:00",
    "far_future": "9999-12-30T23:59:59-12:00",
    "html": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "path_traversal": "..%2F..%2Fetc%2Fpasswd",
    "json": "%7B%22a%22%3A1%7D",
    "commas": "%2C%2C%2C",
    "format_string": "%25s%25n%25x",
}
VALID_TIMES = {"far_future"}
EMPTY = {"empty", "blank"}
HAS_CONTROL = {"nul", "nul_inside", "control_chars"}


def expected(endpoint: str, param: str, garbage: str) -> int:
    if param not in READS[endpoint]:
        return 200
    if param in ("fields",):
        return 200  # unknown field names are ignored
    if param in ("filter", "verb"):
        return 400 if garbage in HAS_CONTROL else 200  # otherwise: matches nothing
    if param == "page_info" or param == "limit":
        return 400
    if garbage in EMPTY:
        return 200  # an empty filter is no filter
    if param.startswith("created_at"):
        return 200 if garbage in VALID_TIMES else 400
    return 200 if garbage == "zero" else 400  # since_id: 0 is a valid id to start after


def check_error(response: httpx.Response, param: str | None = None) -> None:
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert list(body) == ["errors"], body
    assert body["errors"], body
    if param is not None and param != "limit":
        assert body["errors"] == {param: "Invalid value."}, body
    if param == "limit":
        assert "Limit" in body["errors"], body
    # Never a trace, a file path or the framework's own words.
    for leak in ("Traceback", 'File "', "/work/", ".py", "sqlalchemy", "detail"):
        assert leak not in response.text, response.text


# ---- the servers ----------------------------------------------------------------------------


def _sqlite_digest(db: Path) -> str:
    digest = hashlib.sha256()
    for path in (db, db.with_name(db.name + "-wal")):
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()


def _pg_digest(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
                )
            ).scalars()
            digest = hashlib.sha256()
            names = list(tables)
            assert "events" in names
            for name in names:
                rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')).all()
                digest.update(f"{name}:{rows!r}".encode())
            return digest.hexdigest()
    finally:
        engine.dispose()


class Shop:
    def __init__(self, server: LiveServer, digest: Any) -> None:
        self.server = server
        self.digest = digest
        self.before = digest()
        self.client = server.client()
        self.cases = 0

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        self.cases += 1
        response = self.client.get(url, **kwargs)
        assert response.status_code < 500, (url, response.status_code, response.text)
        return response

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.cases += 1
        response = self.client.request(method, url, **kwargs)
        assert response.status_code < 500, (method, url, response.status_code, response.text)
        return response


ENV = {"ACCESS_TOKENS": TOKEN, "MAX_BODY_BYTES": "65536"}


@pytest.fixture(scope="module")
def sqlite_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    db = tmp_path_factory.mktemp("bad") / "shop.sqlite3"
    with LiveServer(f"sqlite:///{db}", env=ENV) as server:
        shop = Shop(server, lambda: _sqlite_digest(db))
        yield shop
        shop.client.close()


@pytest.fixture(scope="module")
def pg_shop() -> Iterator[Shop]:
    with pg_database() as url, LiveServer(url, env=ENV) as server:
        shop = Shop(server, lambda: _pg_digest(url))
        yield shop
        shop.client.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def shop(request: pytest.FixtureRequest) -> Shop:
    """The query-string tables run on both backends; the body sweeps on SQLite only."""
    name = "sqlite_shop" if request.param == "sqlite" else "pg_shop"
    found: Shop = request.getfixturevalue(name)
    return found


# ---- the table ------------------------------------------------------------------------------


# PostgreSQL runs the list and the nested count (together they reach every query shape).
TABLE = [("sqlite_shop", e, p) for e in ENDPOINTS for p in PARAMS]
TABLE += [("pg_shop", e, p) for e in ("list", "nested_count") for p in PARAMS]


@pytest.mark.parametrize(("backend", "endpoint", "param"), TABLE)
def test_each_parameter_gets_each_garbage(
    request: pytest.FixtureRequest, backend: str, endpoint: str, param: str
) -> None:
    shop: Shop = request.getfixturevalue(backend)
    wrong = []
    for name, value in GARBAGE.items():
        response = shop.get(f"{ENDPOINTS[endpoint]}?{param}={value}")
        want = expected(endpoint, param, name)
        if response.status_code != want:
            wrong.append((name, response.status_code, response.text[:120]))
        elif want >= 400:
            check_error(response, param)
    assert not wrong, wrong


REPEATED = [
    ("limit=5&limit=abc", 400),
    ("limit=abc&limit=5", 200),  # the last value wins, as in Rails
    ("since_id=1&since_id=%00", 400),
    ("verb=create&verb=create&verb=create", 200),
    ("filter=Order&filter=Product", 200),
    ("page_info=abc&page_info=def", 400),
    ("limit[]=5", 200),  # an unknown parameter name: ignored
    ("filter[]=Order&verb[]=create", 200),
    ("%00=1", 200),
    ("=1&&&=", 200),
    ("a" * 10_000 + "=1", 200),
    ("&".join(f"p{i}={i}" for i in range(500)), 200),
    ("&".join(["limit=5"] * 500), 200),
    ("page=2", 400),
    ("page_info=abc&since_id=1", 400),
]


@pytest.mark.parametrize(("query", "status"), REPEATED, ids=[q[:40] for q, _ in REPEATED])
def test_repeated_and_odd_parameters(shop: Shop, query: str, status: int) -> None:
    response = shop.get(f"{ENDPOINTS['list']}?{query}")
    assert response.status_code == status, response.text
    if status >= 400:
        check_error(response)


def _token(body: dict[str, Any] | list[Any] | str, sig: str | None = "0" * 24) -> str:
    import base64

    if isinstance(body, dict) and sig is not None:
        body = {**body, "sig": sig}
    raw = json.dumps(body).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signed(body: dict[str, Any]) -> str:
    """A cursor signed with the server's (default) secret: valid JSON, valid signature."""
    import base64

    from app.pagination import _sign

    payload = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    raw = json.dumps({**body, "sig": _sign(payload, "shopify-events-mock")}).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _real_next(shop: Shop, url: str) -> str:
    response = shop.get(url)
    return str(response.links["next"]["url"]).split("page_info=")[1].split("&")[0]


FORGED_CURSORS = {
    "wrong_signature": _token({"direction": "next", "last_id": 1}),
    "no_signature": _token({"direction": "next", "last_id": 1}, sig=None),
    "json_list": _token([1, 2, 3]),
    "json_string": _token("next"),
    "not_base64": "!!!not-base64!!!",
    "not_json": "bm90IGpzb24",
    "unicode": "%C3%A9%C3%A9",
    "huge": "A" * 10_000,
    "signed_last_id_string": _signed({"direction": "next", "last_id": "5"}),
    "signed_last_id_float": _signed({"direction": "next", "last_id": 1.5}),
    "signed_last_id_bool": _signed({"direction": "next", "last_id": True}),
    "signed_last_id_negative": _signed({"direction": "prev", "last_id": -(2**63)}),
    "signed_last_id_u64": _signed({"direction": "prev", "last_id": 2**63 + 5}),
    "signed_bad_direction": _signed({"direction": "sideways", "last_id": 1}),
    "signed_filter_int": _signed({"direction": "next", "last_id": 1, "filter": 5}),
    "signed_filter_list": _signed({"direction": "next", "last_id": 1, "filter": ["Order"]}),
    "signed_filter_null": _signed({"direction": "next", "last_id": 1, "filter": None}),
    "signed_verb_object": _signed({"direction": "next", "last_id": 1, "verb": {"a": 1}}),
    "signed_verb_nul": _signed({"direction": "next", "last_id": 1, "verb": "a\x00"}),
    "signed_since_id_negative": _signed({"direction": "next", "last_id": 1, "since_id": -5}),
    "signed_since_id_string": _signed({"direction": "next", "last_id": 1, "since_id": "5"}),
    "signed_bad_time": _signed({"direction": "next", "last_id": 1, "created_at_min": "nope"}),
    "signed_unknown_key": _signed({"direction": "next", "last_id": 1, "limit": 5}),
    "signed_subject_unknown": _signed(
        {"direction": "next", "last_id": 1, "subject_type": "Shop", "subject_id": 1}
    ),
    "signed_subject_id_string": _signed(
        {"direction": "next", "last_id": 1, "subject_type": "Order", "subject_id": "1"}
    ),
    "signed_subject_half": _signed({"direction": "next", "last_id": 1, "subject_id": 1}),
}


@pytest.mark.parametrize("name", list(FORGED_CURSORS))
@pytest.mark.parametrize("endpoint", ["list", "nested_list"])
def test_forged_page_info_is_refused(shop: Shop, endpoint: str, name: str) -> None:
    response = shop.get(f"{ENDPOINTS[endpoint]}?page_info={FORGED_CURSORS[name]}")
    assert response.status_code == 400, response.text
    check_error(response, "page_info")


@pytest.mark.parametrize("cut", [1, 2, 5, 10, 20])
def test_truncated_and_edited_page_info_is_refused(shop: Shop, cut: int) -> None:
    token = _real_next(shop, f"{ENDPOINTS['list']}?limit=1")
    assert shop.get(f"{ENDPOINTS['list']}?page_info={token}").status_code == 200
    truncated = shop.get(f"{ENDPOINTS['list']}?page_info={token[:-cut]}")
    assert truncated.status_code == 400
    check_error(truncated, "page_info")
    flipped = token[:cut] + ("A" if token[cut] != "A" else "B") + token[cut + 1 :]
    edited = shop.get(f"{ENDPOINTS['list']}?page_info={flipped}")
    assert edited.status_code == 400
    check_error(edited, "page_info")


BAD_PATHS = [
    f"{API}/events/%00.json",
    f"{API}/events/-1.json",
    f"{API}/events/0.json",
    f"{API}/events/1.5.json",
    f"{API}/events/{'9' * 30}.json",
    f"{API}/events/9223372036854775808.json",
    f"{API}/events/%C2%B2.json",
    f"{API}/events/%D9%A3.json",
    f"{API}/events/1%27%20OR%201=1.json",
    f"{API}/events/{'a' * 10_000}.json",
    f"{API}/events/677313116",
    f"{API}/events/677313116.xml",
    f"{API}/orders/%00/events.json",
    f"{API}/orders/-450789469/events.json",
    f"{API}/orders/{'9' * 30}/events/count.json",
    f"{API}/shops/1/events.json",
    f"{API}/%2E%2E/%2E%2E/etc/passwd",
    "/admin/api/2026-13/events.json",
    "/admin/api/%00/events.json",
    f"/admin/api/{'9' * 5000}/events.json",
    "/admin/api/2026-10/",
    "/admin/",
    "/",
    "/docs",
    "/openapi.json",
    "/redoc",
    "/nope",
    "/admin/api/2026-10/nope.json",
]


@pytest.mark.parametrize("path", BAD_PATHS, ids=[p[:50] for p in BAD_PATHS])
def test_garbage_paths_are_404_in_the_envelope(shop: Shop, path: str) -> None:
    response = shop.get(path)
    assert response.status_code == 404, response.text
    assert response.json() == {"errors": "Not Found"}
    assert "server" not in response.headers


# ---- every route, every method: bodies and content types --------------------------------------

SPEC = json.loads((Path(__file__).resolve().parent.parent / "openapi" / "openapi.json").read_text())
NOT_JSON_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b"{not json"),
    ("application/json", b"\x00\x01\x02\xff"),
    ("application/json", b""),
    ("application/json", b"[]"),
    ("application/json", b'"just a string"'),
    ("application/json", b"123"),
    ("application/json", b"null"),
    ("application/json", b'{"a": ' * 2000 + b"1" + b"}" * 2000),
    ("application/json", json.dumps({"x": "\u0000" * 10, "y": "a" * 10_000}).encode()),
    ("text/plain", b"hello"),
    ("application/xml", b"<product><title>x</title></product>"),
    ("application/x-www-form-urlencoded", b"product[title]=x"),
    ("multipart/form-data; boundary=zz", b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n"),
    ("application/json; charset=utf-16", "{}".encode("utf-16")),
]


def _routes(control: bool) -> list[tuple[str, str, bool]]:
    """(method, path, declared): every declared operation, and one undeclared method per path.

    `control`: the /_sandbox/ control API instead of the Admin API."""
    out = []
    for path, operations in SPEC["paths"].items():
        if path.startswith("/_sandbox/") != control:
            continue
        concrete = (
            path.replace("{version}", "2026-10")
            .replace("{resource}", "orders")
            .replace("{subject_id}", "450789469")
        )
        # Any other path parameter (an id) gets garbage.
        while "{" in concrete:
            start, end = concrete.index("{"), concrete.index("}")
            concrete = concrete[:start] + "%00x" + concrete[end + 1 :]
        for method in operations:
            out.append((method.upper(), concrete, True))
        undeclared = next(m for m in ("patch", "put", "post") if m not in operations)
        out.append((undeclared.upper(), concrete, False))
    return out


def _send_garbage(shop: Shop, method: str, path: str, declared: bool, *, control: bool) -> None:
    bodies = NOT_JSON_BODIES if declared and method != "GET" else NOT_JSON_BODIES[:2]
    for content_type, body in bodies:
        response = shop.request(method, path, content=body, headers={"content-type": content_type})
        # The Admin API writes nothing for garbage; a control action (reset, a no-op config
        # update) may well succeed on an empty or `{}` body.
        allowed_2xx = control or method == "GET"
        assert 400 <= response.status_code < 500 or (allowed_2xx and response.status_code < 300), (
            content_type,
            body[:40],
            response.status_code,
            response.text,
        )
        if response.status_code >= 400:
            check_error(response)


@pytest.mark.parametrize(("method", "path", "declared"), _routes(control=False))
def test_every_route_refuses_garbage_bodies(
    sqlite_shop: Shop, method: str, path: str, declared: bool
) -> None:
    _send_garbage(sqlite_shop, method, path, declared, control=False)


NASTIEST = ["superscript_digit", "arabic_indic_digit", "nul", "int64_overflow", "negative"]
NASTIEST += ["long_digits", "invalid_utf8", "bad_offset", "underflow_date", "sql_quote"]
COMMON_PARAMS = ["limit", "since_id", "ids", "page_info", "fields", "status"]
COMMON_PARAMS += ["created_at_min", "updated_at_min", "published_status"]


def _collection_routes() -> list[str]:
    """Every Admin GET route without an id in its path (lists and counts)."""
    return [
        path.replace("{version}", "2026-10")
        for path, operations in SPEC["paths"].items()
        if "get" in operations and path.count("{") == 1 and path.startswith("/admin/")
    ]


@pytest.mark.parametrize("path", _collection_routes())
def test_every_list_and_count_survives_garbage_queries(sqlite_shop: Shop, path: str) -> None:
    """Other resources' parameters (`ids`, `status`...) too: 200 or a 4xx, never a 5xx."""
    for param in COMMON_PARAMS:
        for name in NASTIEST:
            response = sqlite_shop.get(f"{path}?{param}={GARBAGE[name]}")
            assert response.status_code in (200, 400, 404, 422), (param, name, response.text)
            if response.status_code >= 400:
                check_error(response)


@pytest.fixture(scope="module")
def control_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    """A shop of its own: control actions change it (reset, clock, config) by design."""
    db = tmp_path_factory.mktemp("ctl") / "shop.sqlite3"
    with LiveServer(f"sqlite:///{db}", env=ENV) as server:
        shop = Shop(server, lambda: "")
        yield shop
        shop.client.close()
        assert server.alive()


@pytest.mark.parametrize(("method", "path", "declared"), _routes(control=True))
def test_control_api_survives_garbage_bodies(
    control_shop: Shop, method: str, path: str, declared: bool
) -> None:
    _send_garbage(control_shop, method, path, declared, control=True)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "GET"])
def test_oversized_bodies_get_413(sqlite_shop: Shop, method: str) -> None:
    shop = sqlite_shop
    big = b"x" * (65536 + 1)
    response = shop.request(method, ENDPOINTS["list"], content=big)
    assert response.status_code == 413
    assert response.json() == {"errors": "Request Entity Too Large"}
    # A declared length far beyond what is sent: refused before anything is read.
    host, port = "127.0.0.1", shop.server.port
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(
            f"{method} {ENDPOINTS['list']} HTTP/1.1\r\nHost: {host}\r\n"
            f"X-Shopify-Access-Token: {TOKEN}\r\nContent-Length: {10**12}\r\n\r\n{{}}".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    text = answer.decode("latin-1")
    assert text.startswith("HTTP/1.1 413 "), text
    assert text.endswith('{"errors":"Request Entity Too Large"}'), text


def test_chunked_oversized_body_is_refused(sqlite_shop: Shop) -> None:
    shop = sqlite_shop

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 8192

    response = shop.request("POST", ENDPOINTS["list"], content=chunks())
    assert 400 <= response.status_code < 500
    check_error(response)


# ---- afterwards -----------------------------------------------------------------------------


def test_zz_database_untouched_and_server_alive(shop: Shop) -> None:
    """Runs last in this module (pytest keeps definition order)."""
    assert shop.cases > 500, shop.cases
    assert shop.server.alive()
    assert shop.digest() == shop.before
    print(f"\nbad input: {shop.cases} cases, 0 answered 5xx, database unchanged")
