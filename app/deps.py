"""Typed dependencies shared by the routers: auth, API version, query parsing.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread, a
hop that costs more than the work these do.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from app.config import Settings
from app.errors import NotFound, Unauthorized


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def _token_from_basic(header: str) -> str | None:
    # Legacy private apps authenticate with HTTP Basic `api_key:password`.
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    _, sep, password = decoded.partition(":")
    return password if sep and password else None


def allowed_token(headers: Mapping[str, str], allowed: list[str]) -> str | None:
    """The request's access token if it is accepted (any non-empty one when none configured)."""
    token = headers.get("x-shopify-access-token", "").strip()
    if not token:
        token = _token_from_basic(headers.get("authorization", "")) or ""
    if not token:
        return None
    if allowed and not any(hmac.compare_digest(token.encode(), t.encode()) for t in allowed):
        return None
    return token


def accepted_tokens(state: Any, settings: Settings) -> list[str]:
    # The sandbox's run-time config (PUT /_sandbox/config) can switch the tokens; it starts
    # from settings.access_tokens.
    toolkit = getattr(state, "toolkit", None)
    allowed: list[str] = toolkit.config.access_tokens if toolkit else settings.access_tokens
    return allowed


async def require_access_token(request: Request, settings: SettingsDep) -> str:
    token = allowed_token(request.headers, accepted_tokens(request.app.state, settings))
    if token is None:
        raise Unauthorized()
    return token


AccessToken = Annotated[str, Depends(require_access_token)]


async def api_version(request: Request) -> str:
    version: str | None = request.scope.get("state", {}).get("api_version")
    if version is None:
        raise NotFound()
    return version


ApiVersion = Annotated[str, Depends(api_version)]


@dataclass(frozen=True)
class Query:
    """The query string: each name in order (repeats kept) and the last value of each."""

    names: list[str]
    values: dict[str, str]


async def get_query(request: Request) -> Query:
    items = request.query_params.multi_items()
    return Query([k for k, _ in items], dict(items))


QueryDep = Annotated[Query, Depends(get_query)]


ACTOR_HEADER = "x-sandbox-actor"


async def get_actor(request: Request) -> str | None:
    """Who performs a sandbox action (a staff member's name or an app's title).

    Lands in the events' `author` and in messages that name staff; absent means "Shopify".
    """
    actor = request.headers.get(ACTOR_HEADER, "").strip()
    return actor[:255] or None


Actor = Annotated[str | None, Depends(get_actor)]
