"""The control API under `/_sandbox/`: reset, inject events, the shop clock, the run-time config.

Protected by `X-Sandbox-Admin-Token` when `SANDBOX_ADMIN_TOKEN` is set; absent altogether when
`SANDBOX_API=false`. Bodies and answers are JSON, errors in Shopify's `{"errors": ...}` envelope.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.clock import Clock, ClockMode
from app.db import SessionDep
from app.deps import SettingsDep
from app.errors import ShopifyError, UnprocessableEntity
from app.rendering import JSONResponse
from app.schemas import error_response
from app.services.events import render_row
from app.timeparse import parse_timestamp
from app.toolkit import control
from app.toolkit.config import SandboxConfig, SandboxConfigUpdate
from app.toolkit.state import Toolkit

ADMIN_TOKEN_HEADER = "x-sandbox-admin-token"


def get_toolkit(request: Request) -> Toolkit:
    toolkit: Toolkit = request.app.state.toolkit
    return toolkit


ToolkitDep = Annotated[Toolkit, Depends(get_toolkit)]


def require_admin_token(request: Request, settings: SettingsDep) -> None:
    expected = settings.sandbox_admin_token
    if not expected:
        return
    given = request.headers.get(ADMIN_TOKEN_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ShopifyError("[Sandbox] Invalid or missing X-Sandbox-Admin-Token", 401)


router = APIRouter(
    prefix="/_sandbox",
    tags=["sandbox control"],
    dependencies=[Depends(require_admin_token)],
    responses={
        400: error_response("A body that is not JSON"),
        401: error_response("Missing or wrong X-Sandbox-Admin-Token"),
        404: error_response("Unknown fixture"),
        413: error_response("Request body over MAX_BODY_BYTES"),
        422: error_response("Invalid body"),
    },
)


class ResetRequest(BaseModel):
    fixture: str | None = Field(None, description="A `seed/` fixture to load; none: empty shop")


class ClockUpdate(BaseModel):
    mode: ClockMode | None = Field(None, description="real | frozen | offset")
    now: str | None = Field(None, description="Freeze (or, with mode offset, offset) to this")
    offset_seconds: float | None = Field(None, description="Seconds ahead of real time")
    advance_seconds: float | None = Field(None, description="Move the clock forward (or back)")


class ClockOut(BaseModel):
    mode: ClockMode
    now: str
    frozen_at: str | None
    offset_seconds: float


@router.post("/reset", response_model=dict[str, int])
def reset(
    toolkit: ToolkitDep,
    settings: SettingsDep,
    session: SessionDep,
    body: ResetRequest | None = None,
) -> Response:
    """Empty the shop, or reload a named `seed/` fixture (`{"fixture": "docs"}`)."""
    fixture = body.fixture if body is not None else None
    count = control.reset_shop(session, fixture, settings.tz)
    toolkit.buckets.clear()
    return JSONResponse({"events": count})


@router.post("/events", status_code=201, response_model=dict[str, list[dict[str, Any]]])
def inject_events(
    settings: SettingsDep,
    session: SessionDep,
    body: Annotated[
        Any,
        Body(description='One event, a list, or `{"events": [...]}`; id and created_at optional'),
    ] = None,
) -> Response:
    """Inject events as given (ids stay strictly increasing; one bad row: 422, nothing written)."""
    created = control.inject(session, body, settings.tz)
    rows = [render_row(event, settings.tz, None) for event in created]
    return JSONResponse({"events": rows}, status_code=201)


def _clock_out(toolkit: Toolkit, settings: SettingsDep) -> Response:
    return JSONResponse({"clock": control.describe_clock(toolkit.clock, settings.tz)})


@router.get("/clock", response_model=dict[str, ClockOut])
def get_clock(toolkit: ToolkitDep, settings: SettingsDep) -> Response:
    """The shop's clock: real, frozen or offset, and its "now" in the shop's time zone."""
    return _clock_out(toolkit, settings)


@router.put("/clock", response_model=dict[str, ClockOut])
def set_clock(update: ClockUpdate, toolkit: ToolkitDep, settings: SettingsDep) -> Response:
    """Freeze, offset, advance or release the shop's clock (every new event follows it)."""
    now = None
    if update.now is not None:
        now = parse_timestamp(update.now, settings.tz)
        if now is None:
            raise UnprocessableEntity({"now": ["is invalid"]})
    clock: Clock = control.next_clock(
        toolkit.clock, update.mode, now, update.offset_seconds, update.advance_seconds
    )
    toolkit.save_clock(clock)
    return _clock_out(toolkit, settings)


def _shown(config: SandboxConfig) -> dict[str, Any]:
    """The config as answered: access tokens are secrets, so only their number shows."""
    shown = config.model_dump()
    shown["access_tokens"] = [REDACTED] * len(config.access_tokens)
    return shown


REDACTED = "[redacted]"


@router.get("/config", response_model=dict[str, SandboxConfig])
def get_config(toolkit: ToolkitDep) -> Response:
    """The effective run-time configuration: rate limit, latency, faults, lag, seed, tokens."""
    return JSONResponse({"config": _shown(toolkit.config)})


@router.put("/config", response_model=dict[str, SandboxConfig])
def set_config(update: SandboxConfigUpdate, toolkit: ToolkitDep) -> Response:
    """Change any part of the run-time configuration without a restart (sections merge)."""
    config = control.merge_config(toolkit.config, update)
    toolkit.save_config(config)
    return JSONResponse({"config": _shown(config)})
