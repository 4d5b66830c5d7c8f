"""Every example of Shopify's Event documentation, replayed and compared byte for byte.

`tests/doc_examples.json` holds each documented request and response body verbatim. The
documentation's shop-wide examples come from a smaller shop than its order examples (its
list-all shows three events, its order list two more), so each example names the seed fixture
it runs against: `docs-shop-wide` (those three events) or `docs` (all five).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MakeClient

EXAMPLES = json.loads((Path(__file__).parent / "doc_examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"] for e in EXAMPLES])
def test_documented_example_reproduces_exactly(make_client: MakeClient, example: dict) -> None:
    client = make_client(example["fixture"])
    method, url = example["request"].split(" ", 1)
    response = client.request(method, url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.text == example["response"]
    # Same bytes means same key order too; say it explicitly for the reader.
    assert list(json.loads(response.text)) == list(json.loads(example["response"]))


def test_documented_examples_all_present() -> None:
    assert len(EXAMPLES) == 11
