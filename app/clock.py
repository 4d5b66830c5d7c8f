"""The shop's "now". Every new event and resource takes its timestamp from here."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, whole seconds: the precision Shopify stores and renders."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
