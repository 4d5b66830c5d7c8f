"""Print the app's OpenAPI document (committed as openapi/openapi.json)."""

from __future__ import annotations

import sys

import orjson
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from app.config import Settings
from app.main import create_app


def document() -> bytes:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    app = create_app(Settings(database_url="sqlite://", seed="none"), engine)
    spec = app.openapi()
    return orjson.dumps(spec, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


if __name__ == "__main__":
    sys.stdout.buffer.write(document())
