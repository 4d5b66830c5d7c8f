"""The `shopify-events-mock` command."""

from __future__ import annotations

import gc
import ipaddress
import os
import time
from datetime import datetime
from typing import Annotated

import typer
import uvicorn

from app.config import Settings, get_settings
from app.db import create_schema, make_engine, open_session
from app.seed import fixture_names, load_fixture, shop_is_empty
from app.toolkit.cli import register_transfer_commands, reload_options, request_log_config
from app.toolkit.state import initialise_state

DEFAULT_GENERATE_END = "2026-01-01"

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@cli.callback()
def _root() -> None:
    """A local, faithful clone of Shopify's Admin REST API Event endpoints."""


def exposure_warning(host: str, access_tokens: list[str], control_open: bool = False) -> str | None:
    """A warning when the server is reachable beyond this machine and any token is accepted,
    or anyone may use the control API (`control_open`: on, without SANDBOX_ADMIN_TOKEN)."""
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host.strip("[]")).is_loopback:
            return None
    except ValueError:
        pass  # a host name: it may resolve to anything
    problems = []
    if not access_tokens:
        problems.append("any access token is accepted (set ACCESS_TOKENS=tok1,tok2)")
    if control_open:
        problems.append("anyone may use /_sandbox/ (set SANDBOX_ADMIN_TOKEN, or SANDBOX_API=false)")
    if not problems:
        return None
    return f"warning: listening on {host}, beyond this machine, and " + "; ".join(problems)


def prepare_database(settings: Settings) -> None:
    """Create the schema and, on an empty shop, load the chosen seed fixture."""
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine, settings.shop_timezone)
        initialise_state(engine, settings, overwrite=True)  # every run starts from its flags
        if settings.seed != "none":
            with open_session(engine, settings) as session:
                if shop_is_empty(session):
                    load_fixture(session, settings.seed, settings.tz)
    finally:
        engine.dispose()


@cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST", help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to bind")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL (default: ./var/shop.sqlite3)"),
    ] = None,
    seed: Annotated[
        str,
        typer.Option(
            envvar="SEED", help="Fixture loaded into an empty shop: docs | none | a seed/ name"
        ),
    ] = "docs",
    quiet: Annotated[bool, typer.Option(help="No per-request log lines")] = False,
    rate_limit: Annotated[
        str,
        typer.Option(
            envvar="RATE_LIMIT",
            help="Leaky bucket per token: off | standard | advanced | plus | SIZE/LEAK",
        ),
    ] = "off",
    latency: Annotated[
        str,
        typer.Option(envvar="LATENCY", help="Added ms: 50 | 20-200 | normal:100,30"),
    ] = "0",
    fault_rate: Annotated[
        float,
        typer.Option(
            envvar="FAULT_RATE", min=0, max=1, help="Probability of a 429/500/503/drop per call"
        ),
    ] = 0.0,
    lag: Annotated[
        str,
        typer.Option(envvar="LAG", help="Seconds before a new event is visible: 3 | 1-5"),
    ] = "0",
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="SANDBOX_ADMIN_TOKEN", help="Require it in X-Sandbox-Admin-Token"),
    ] = None,
    access_token: Annotated[
        list[str] | None,
        typer.Option(help="Accept only these Admin API tokens (repeatable)"),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes")] = 1,
    reload: Annotated[
        bool, typer.Option(help="Restart and reload the seed fixture when seed/ changes")
    ] = False,
) -> None:
    """Serve the shop (the documented example shop by default) on HOST:PORT."""
    from app.toolkit.cli import toolkit_environment

    toolkit_environment(
        rate_limit=rate_limit,
        latency=latency,
        fault_rate=fault_rate,
        lag=lag,
        admin_token=admin_token,
        access_tokens=access_token,
        request_log=not quiet,
        reload=reload,
    )
    if seed != "none" and seed not in fixture_names():
        raise typer.BadParameter(
            f"choose none or one of {', '.join(fixture_names())}", param_hint="--seed"
        )
    os.environ["HOST"] = host
    os.environ["PORT"] = str(port)
    os.environ["SEED"] = seed
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    settings = get_settings()
    prepare_database(settings)
    warning = exposure_warning(
        host,
        settings.access_tokens,
        control_open=settings.sandbox_api and not settings.sandbox_admin_token,
    )
    if warning:
        typer.echo(warning, err=True)
    typer.echo(f"shopify-events-mock: serving {settings.database_url} on http://{host}:{port}")
    if workers == 1 and not reload:
        gc.disable()  # until create_served_app() has frozen what the app's import made
    uvicorn.run(
        "app.main:create_served_app",
        factory=True,
        host=host,
        port=port,
        http="h11",
        server_header=False,
        access_log=False,  # the toolkit logs one line per request (method, path, status, ms)
        log_level="warning" if quiet else "info",
        log_config=request_log_config(),
        workers=workers if workers > 1 else None,
        **reload_options(reload),
    )


@cli.command()
def generate(
    events: Annotated[int, typer.Option(min=1, help="How many events to write")] = 1_000_000,
    database_url: Annotated[
        str | None,
        typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL (default: ./var/shop.sqlite3)"),
    ] = None,
    seed_value: Annotated[int, typer.Option(help="Random seed: same seed, same shop")] = 0,
    days: Annotated[int, typer.Option(min=1, help="Spread the events over this many days")] = 365,
    end: Annotated[
        str, typer.Option(help="The last event's day (UTC), YYYY-MM-DD")
    ] = DEFAULT_GENERATE_END,
) -> None:
    """Add a large, realistic, reproducible shop's events (orders, products, blogs...)."""
    from rich.progress import (  # only here: serve starts ~20 ms sooner without it
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from app.generate import Plan, write_shop

    try:
        last = datetime.fromisoformat(end)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--end") from None
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    settings = get_settings()
    plan = Plan(
        events=events,
        seed=seed_value,
        end=last.replace(tzinfo=None),
        days=days,
    )
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine, settings.shop_timezone)
        started = time.perf_counter()
        with Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task("events", total=events)
            written = write_shop(engine, plan, lambda n: bar.advance(task, n), settings)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    typer.echo(f"generated {written} events in {elapsed:.1f} s into {settings.database_url}")


register_transfer_commands(cli)


def main() -> None:
    cli()
