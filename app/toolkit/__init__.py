"""The contract-testing toolkit: control API, rate limits, faults, latency, test clock, lag.

`install(app)` wires it into an app: its state on `app.state.toolkit`, its middleware, and the
`/_sandbox/` control routes (unless `SANDBOX_API=false`). Everything is off by default.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from app.config import Settings
from app.db import open_session
from app.front import ShopApp
from app.seed import fixture_names
from app.toolkit.control import reset_shop
from app.toolkit.middleware import ToolkitMiddleware
from app.toolkit.routes import router
from app.toolkit.state import Toolkit, initialise_state

OPENAPI_NOTES = """
**Contract-testing toolkit** (all off by default; see `/_sandbox/config`). Every Admin API
response carries `X-Shopify-Shop-Api-Call-Limit: used/size`; over the limit, 429 with
`Retry-After: 2.0`. Request headers: `X-Sandbox-Fault: 429|500|503|drop|lost` forces one fault,
`X-Sandbox-Latency: <ms>` delays one response; `X-Sandbox-Admin-Token` authorises `/_sandbox/`
calls when the server requires it. Versions inside the deprecation window answer with
`X-Shopify-API-Deprecated-Reason`.
"""


def install(app: ShopApp, settings: Settings, engine: Engine) -> Toolkit:
    initialise_state(engine, settings, overwrite=False)
    if settings.reseed_on_start:
        with open_session(engine, settings) as session:
            seed = settings.seed if settings.seed in fixture_names() else None
            reset_shop(session, seed, settings.tz)
    toolkit = Toolkit(settings, engine)
    app.state.toolkit = toolkit
    app.description = f"{app.description}\n{OPENAPI_NOTES}".strip()
    # Sessions opened by the app hide the events still inside their visibility lag.
    app.state.hidden_events = toolkit.hidden_event_ids
    if settings.sandbox_api:
        app.include_router(router)
    app.add_front_middleware(ToolkitMiddleware, toolkit=toolkit, request_log=settings.request_log)
    return toolkit
