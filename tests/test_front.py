"""The front middleware (app/front.py): what runs before FastAPI's stack still fails safely."""

from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.conftest import API, TOKEN, MakeClient


class _Exploding:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("/boom"):
            raise RuntimeError("boom")
        await self.app(scope, receive, send)


def test_an_error_in_front_middleware_answers_shopifys_500(make_client: MakeClient) -> None:
    client = make_client("docs")
    app = client.app
    app.add_front_middleware(_Exploding)  # type: ignore[attr-defined]
    safe = TestClient(app, raise_server_exceptions=False, headers={"X-Shopify-Access-Token": TOKEN})
    response = safe.get(f"{API}/boom")
    assert response.status_code == 500
    assert response.text == '{"errors":"An unexpected error occurred"}'
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    # The app keeps serving, through the fast path and through FastAPI's routes alike.
    assert safe.get(f"{API}/events.json").status_code == 200
    assert safe.get(f"{API}/products.json").status_code == 200


def test_fast_path_and_routes_carry_the_same_shopify_headers(make_client: MakeClient) -> None:
    client = make_client("docs")
    fast = client.get(f"{API}/events.json?limit=1")  # the fast path
    routed = client.get(f"{API}/products.json?limit=1")  # FastAPI's routing
    for response in (fast, routed):
        assert response.status_code == 200
        assert response.headers["X-Shopify-API-Version"] == "2026-10"
        assert response.headers["X-Shopify-Shop-Api-Call-Limit"].endswith("/40")
        assert len(response.headers["X-Request-Id"]) == 36
