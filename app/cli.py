"""The `shopify-events-mock` command."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from app.config import Settings, get_settings
from app.db import create_schema, make_engine, open_session
from app.seed import fixture_names, load_fixture, shop_is_empty

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


def main() -> None:
    cli()
