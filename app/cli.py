"""The `shopify-events-mock` command."""

from __future__ import annotations

import os
import time
from datetime import datetime
from typing import Annotated

import typer
import uvicorn
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.config import Settings, get_settings
from app.db import create_schema, make_engine, open_session
from app.seed import fixture_names, load_fixture, shop_is_empty

DEFAULT_GENERATE_END = "2026-01-01"

cli = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@cli.callback()
def _root() -> None:
    """A local, faithful clone of Shopify's Admin REST API Event endpoints."""


def prepare_database(settings: Settings) -> None:
    """Create the schema and, on an empty shop, load the chosen seed fixture."""
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
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
) -> None:
    """Serve the shop (the documented example shop by default) on HOST:PORT."""
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
    typer.echo(f"shopify-events-mock: serving {settings.database_url} on http://{host}:{port}")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        http="h11",
        server_header=False,
        access_log=not quiet,
        log_level="warning" if quiet else "info",
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
        shop_domain=settings.shop_domain,
        currency=settings.shop_currency,
    )
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        started = time.perf_counter()
        with Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=False,
        ) as bar:
            task = bar.add_task("events", total=events)
            written = write_shop(engine, plan, lambda n: bar.advance(task, n))
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    typer.echo(f"generated {written} events in {elapsed:.1f} s into {settings.database_url}")


def main() -> None:
    cli()
