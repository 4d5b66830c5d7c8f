"""pytest plugin (entry point `pytest11`): the `shopify_sandbox` fixture.

It starts a real server (uvicorn, on a free loopback port) with a fresh database and yields a
`SandboxServer`: `base_url`, `api_url`, `token`, a ready `client` (an `httpx.Client` whose base
URL is the Admin API and which sends the token), and the control API as methods (`reset`,
`inject`, `set_clock`, `advance_clock`, `set_faults`, `set_rate_limit`, `set_latency`,
`set_lag`, `configure`).

ini options: `shopify_sandbox_scope` = `function` (default: a fresh shop per test) or `module`
(one shop per test module); `shopify_sandbox_fixture` = the `seed/` fixture to load (`docs` by
default, `none` for an empty shop).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.toolkit.server import SandboxServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "shopify_sandbox_scope",
        "scope of the shopify_sandbox fixture: function (default) or module",
        default="function",
    )
    parser.addini(
        "shopify_sandbox_fixture",
        "seed/ fixture loaded into each sandbox shop (docs by default; none: empty)",
        default="docs",
    )


def _scope(fixture_name: str, config: pytest.Config) -> str:
    scope = str(config.getini("shopify_sandbox_scope") or "function")
    if scope not in ("function", "module"):
        raise pytest.UsageError("shopify_sandbox_scope must be function or module")
    return scope


@pytest.fixture(scope=_scope)  # type: ignore[arg-type]
def shopify_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A running sandbox shop with a fresh database (see the module docstring)."""
    from app.toolkit.server import SandboxServer

    fixture = str(request.config.getini("shopify_sandbox_fixture") or "docs")
    with SandboxServer(None if fixture == "none" else fixture) as shop:
        yield shop
