"""The committed OpenAPI document is the app's own (run `make openapi` after changing routes)."""

from __future__ import annotations

from pathlib import Path

from app.openapi import document

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def test_committed_openapi_is_current() -> None:
    assert SPEC.read_bytes() == document(), "openapi/openapi.json is stale: run `make openapi`"


def test_openapi_lists_the_event_endpoints() -> None:
    import json

    paths = json.loads(SPEC.read_text())["paths"]
    for path in [
        "/admin/api/{version}/events.json",
        "/admin/api/{version}/events/count.json",
        "/admin/api/{version}/events/{event_id}.json",
        "/admin/api/{version}/{resource}/{subject_id}/events.json",
        "/admin/api/{version}/{resource}/{subject_id}/events/count.json",
    ]:
        assert "get" in paths[path], path
