"""PriceRule endpoints of the sandbox shop: list, count, single, create, update, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.db import SessionDep
from app.deps import Actor, ApiVersion, QueryDep, SettingsDep
from app.models.price_rule import PriceRule
from app.rendering import JSONResponse
from app.routers.body import JsonBody
from app.routers.paging import page_request, paged
from app.schemas import ERROR_RESPONSES, CountEnvelope
from app.services import price_rules as service
from app.services.price_rules import render_price_rule

router = APIRouter(responses=ERROR_RESPONSES, tags=["price_rules"])


def current_price_rule(price_rule_id: str, session: SessionDep) -> PriceRule:
    return service.get_price_rule(session, price_rule_id)


CurrentPriceRule = Annotated[PriceRule, Depends(current_price_rule)]


@router.get("/price_rules.json")
def list_price_rules(
    request: Request, _v: ApiVersion, query: QueryDep, settings: SettingsDep, session: SessionDep
) -> Response:
    """Retrieve a list of price rules."""
    req = page_request(request, query, settings)
    page = service.list_price_rules(session, req)
    body = {"price_rules": [render_price_rule(r, settings.tz) for r in page.rows]}
    return paged(request, query, settings, req, body, page)


@router.post("/price_rules.json", status_code=201)
def create_price_rule(
    _v: ApiVersion, body: JsonBody, actor: Actor, settings: SettingsDep, session: SessionDep
) -> Response:
    """Create a price rule (records `create`)."""
    rule = service.create_price_rule(session, body, author=actor)
    return JSONResponse({"price_rule": render_price_rule(rule, settings.tz)}, status_code=201)


@router.get("/price_rules/count.json", response_model=CountEnvelope)
def count_price_rules(_v: ApiVersion, query: QueryDep, session: SessionDep) -> Response:
    """Retrieve a count of price rules."""
    return JSONResponse({"count": service.count_price_rules(session, query.values)})


@router.get("/price_rules/{price_rule_id}.json")
def get_price_rule(_v: ApiVersion, rule: CurrentPriceRule, settings: SettingsDep) -> Response:
    """Retrieve a single price rule."""
    return JSONResponse({"price_rule": render_price_rule(rule, settings.tz)})


@router.put("/price_rules/{price_rule_id}.json")
def update_price_rule(
    _v: ApiVersion,
    rule: CurrentPriceRule,
    body: JsonBody,
    actor: Actor,
    settings: SettingsDep,
    session: SessionDep,
) -> Response:
    """Update a price rule (records `update`)."""
    rule = service.update_price_rule(session, rule, body, author=actor)
    return JSONResponse({"price_rule": render_price_rule(rule, settings.tz)})


@router.delete("/price_rules/{price_rule_id}.json")
def delete_price_rule(
    _v: ApiVersion, rule: CurrentPriceRule, actor: Actor, session: SessionDep
) -> Response:
    """Delete a price rule (records `destroy`)."""
    service.destroy_price_rule(session, rule, author=actor)
    return JSONResponse({})
