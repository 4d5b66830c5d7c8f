"""The toolkit's part of the command line: `serve` flags, request log, `export` and `import`."""

from __future__ import annotations

import logging
import os
import sys
from copy import deepcopy
from pathlib import Path
from typing import Annotated, Any

import typer
from uvicorn.config import LOGGING_CONFIG

from app.config import get_settings
from app.db import create_schema, make_engine
from app.errors import UnprocessableEntity
from app.seed import SEED_DIR
from app.toolkit.config import parse_lag, parse_latency, parse_rate_limit
from app.toolkit.transfer import ExportFormat, export_events, import_into, read_events


def toolkit_environment(
    *,
    rate_limit: str,
    latency: str,
    fault_rate: float,
    lag: str,
    admin_token: str | None,
    access_tokens: list[str] | None,
    request_log: bool,
    reload: bool,
) -> None:
    """Check the flags, then hand them to the server processes through the environment."""
    for parse, value, hint in (
        (parse_rate_limit, rate_limit, "--rate-limit"),
        (parse_latency, latency, "--latency"),
        (parse_lag, lag, "--lag"),
    ):
        try:
            parse(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc).split("\n")[0], param_hint=hint) from None
    os.environ.update(
        RATE_LIMIT=rate_limit,
        LATENCY=latency,
        FAULT_RATE=str(fault_rate),
        LAG=lag,
        REQUEST_LOG="1" if request_log else "0",
        RESEED_ON_START="1" if reload else "0",
    )
    if admin_token:
        os.environ["SANDBOX_ADMIN_TOKEN"] = admin_token
    if access_tokens:
        os.environ["ACCESS_TOKENS"] = ",".join(access_tokens)


def request_log_config() -> dict[str, Any]:
    """uvicorn's logging, plus our one-line-per-request logger on stdout."""
    config = deepcopy(LOGGING_CONFIG)
    config["formatters"]["request"] = {"format": "%(asctime)s %(message)s"}
    config["handlers"]["request"] = {
        "class": "logging.StreamHandler",
        "formatter": "request",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["shopify_events_mock.requests"] = {
        "handlers": ["request"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def reload_options(reload: bool) -> dict[str, Any]:
    """Watch seed/: each change restarts the server, which reloads the seed fixture."""
    if not reload:
        return {}
    return {"reload": True, "reload_dirs": [str(SEED_DIR)], "reload_includes": ["*.json"]}


def _database(database_url: str | None) -> Any:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()
    return get_settings()


DatabaseOption = Annotated[
    str | None,
    typer.Option(envvar="DATABASE_URL", help="SQLAlchemy URL (default: ./var/shop.sqlite3)"),
]


def export_command(
    database_url: DatabaseOption = None,
    fmt: Annotated[
        str, typer.Option("--format", help='json ({"events": [...]}) or ndjson')
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
) -> None:
    """Dump the shop's events as Shopify JSON (a json export is also a seed/ fixture)."""
    if fmt not in ("json", "ndjson"):
        raise typer.BadParameter("choose json or ndjson", param_hint="--format")
    settings = _database(database_url)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine, settings.shop_timezone)
        kind: ExportFormat = "json" if fmt == "json" else "ndjson"
        if output is None:
            count = export_events(engine, settings.tz, sys.stdout.buffer, kind)
            sys.stdout.buffer.flush()
        else:
            with output.open("wb") as out:
                count = export_events(engine, settings.tz, out, kind)
    finally:
        engine.dispose()
    logging.getLogger(__name__).debug("exported %d events", count)
    if output is not None:
        typer.echo(f"exported {count} events to {output}")


def import_command(
    path: Annotated[Path, typer.Argument(help="A json or ndjson export ('-': stdin)")],
    database_url: DatabaseOption = None,
) -> None:
    """Load events from an export, keeping ids and timestamps (all or nothing)."""
    raw = sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    try:
        rows = read_events(raw)
    except ValueError as exc:
        typer.echo(f"import: {exc}", err=True)
        raise typer.Exit(1) from None
    settings = _database(database_url)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine, settings.shop_timezone)
        count = import_into(engine, rows, settings.tz)
    except UnprocessableEntity as exc:
        typer.echo(f"import: nothing written: {exc.errors}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"imported {count} events into {settings.database_url}")


def register_transfer_commands(cli: typer.Typer) -> None:
    cli.command("export")(export_command)
    cli.command("import")(import_command)
