"""Plain factories for tests that need exact ids or timestamps (direct inserts, by design)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.db import open_session
from app.services.event_import import import_events

SUBJECTS = ["Order", "Product", "Article", "Blog", "Collection", "Page", "PriceRule", "Comment"]
VERBS = ["create", "update", "destroy", "published", "placed", "confirmed"]


def event_payload(i: int, **overrides: Any) -> dict[str, Any]:
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=i)
    subject_type = SUBJECTS[i % len(SUBJECTS)]
    payload: dict[str, Any] = {
        "id": 1000 + i,
        "subject_id": 500 + i % 7,
        "created_at": created.isoformat(),
        "subject_type": subject_type,
        "verb": VERBS[i % len(VERBS)],
        "arguments": [f"thing {i}"],
        "body": None,
        "message": f"Event number {i}",
        "author": "Shopify",
        "description": f"Event number {i}",
        "path": f"/admin/{subject_type.lower()}s/{500 + i % 7}",
    }
    payload.update(overrides)
    return payload


def insert_events(client: TestClient, payloads: list[dict[str, Any]]) -> None:
    app = client.app
    with open_session(app.state.engine, app.state.settings) as session:  # type: ignore[attr-defined]
        import_events(session, payloads, app.state.settings.tz)  # type: ignore[attr-defined]
        session.commit()


def many(n: int) -> list[dict[str, Any]]:
    return [event_payload(i) for i in range(n)]
