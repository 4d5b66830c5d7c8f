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
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import unquote

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


def parse_query(query_string: bytes) -> Query:
    """The raw query string as `Query`: what `parse_qsl(qs.decode("latin-1"),
    keep_blank_values=True)` (Starlette's `request.query_params`) reads, for the routes and the
    fast path alike (tests/test_query_parsing.py compares the two), at a fraction of its cost:
    only a name or value holding `%` or `+` is decoded, and those decodings are remembered
    (a `fields=id%2Cverb` or a filter comes back request after request; page_info does not
    need one)."""
    names: list[str] = []
    values: dict[str, str] = {}
    for piece in query_string.decode("latin-1").split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" in name or "+" in name:
            name = _decoded(name)
        if "%" in value or "+" in value:
            value = _decoded(value)
        names.append(name)
        values[name] = value
    return Query(names, values)


@lru_cache(maxsize=1024)
def _decoded(text: str) -> str:
    return unquote(text.replace("+", " "))


async def get_query(request: Request) -> Query:
    return parse_query(request.scope["query_string"])


QueryDep = Annotated[Query, Depends(get_query)]


ACTOR_HEADER = "x-sandbox-actor"


async def get_actor(request: Request) -> str | None:
    """Who performs a sandbox action (a staff member's name or an app's title).

    Lands in the events' `author` and in messages that name staff; absent means "Shopify".
    """
    actor = request.headers.get(ACTOR_HEADER, "").strip()
    return actor[:255] or None


Actor = Annotated[str | None, Depends(get_actor)]
