"""schemathesis against `openapi/openapi.json` and the live server (real uvicorn, SQLite).

For every operation of the committed document: a bounded number of generated requests (valid
and invalid data, deterministic: `derandomize`), each checked for no 5xx, a documented status
code, the documented content type and a body that matches the documented schema; every error
is Shopify's `{"errors": ...}` envelope.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.live_server import TOKEN, LiveServer

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
EXAMPLES_PER_OPERATION = 8

schema = schemathesis.openapi.from_path(str(SPEC))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    deterministic=True,
    allow_x00=True,
    database="none",
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STATS = {"cases": 0, "5xx": 0}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    """One server for the Admin API, one for the control API: random control calls (a fault
    rate, a rate limit) must not change what the Admin API operations see."""
    folder = tmp_path_factory.mktemp("st")
    env = {"ACCESS_TOKENS": TOKEN}
    with (
        LiveServer(f"sqlite:///{folder / 'admin.sqlite3'}", env=env) as admin,
        LiveServer(f"sqlite:///{folder / 'control.sqlite3'}", env=env) as control,
    ):
        yield {"admin": admin, "control": control}
        assert admin.alive()
        # Random control calls may have changed the tokens or set a fault rate: ask /_sandbox/.
        with control.client() as client:
            assert client.get("/_sandbox/config").status_code == 200
        print(f"\nschemathesis: {STATS['cases']} cases, {STATS['5xx']} answered 5xx")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms(case: Any, servers: dict[str, LiveServer]) -> None:
    live = servers["control" if case.path.startswith("/_sandbox/") else "admin"]
    response = case.call(
        base_url=live.base_url, headers={"X-Shopify-Access-Token": TOKEN}, timeout=30
    )
    STATS["cases"] += 1
    STATS["5xx"] += response.status_code >= 500
    case.validate_response(response, checks=CHECKS)
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and list(body) == ["errors"], response.text
        assert "detail" not in response.text
