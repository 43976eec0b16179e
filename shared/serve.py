"""Run a service: `python -m services.<name> [serve|migrate]`."""

import argparse
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from shared.db import migrate
from shared.logging import configure_logging
from shared.settings import ServiceSettings


def main(
    service: str,
    settings_class: type[ServiceSettings],
    create_app: Callable[[ServiceSettings], FastAPI],
) -> None:
    """Parse the command line and migrate and/or serve."""
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    parser.add_argument(
        "--no-migrate", action="store_true", help="serve without upgrading the schema first"
    )
    args = parser.parse_args()
    settings = settings_class()
    configure_logging(service, settings.log_level)
    if args.command == "migrate" or not args.no_migrate:
        migrate(service, settings.database_url)
    if args.command == "migrate":
        return
    serve(create_app(settings), host=settings.host, port=settings.port)


def serve(app: FastAPI, *, host: str, port: int, graceful_seconds: int = 20) -> None:
    """Serve an app with uvicorn: no access log (it would hold paths and addresses)."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=graceful_seconds,
        server_header=False,
    )
    # Server.run() sets up uvloop and httptools when installed (asyncio.run would not).
    uvicorn.Server(config).run()
