"""Run the web console: `python -m services.console` (it has no database to migrate)."""

import argparse
import logging

from services.console.config import ConsoleSettings
from services.console.main import create_app
from shared.logging import configure_logging
from shared.serve import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.console")
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "migrate"])
    # Accepted for symmetry with the other services (the process runner passes it).
    parser.add_argument("--no-migrate", action="store_true", help="ignored: nothing to migrate")
    args = parser.parse_args()
    settings = ConsoleSettings()
    configure_logging("console", settings.log_level)
    # httpx would log every call's full URL; the console logs its own calls without them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "migrate":
        return
    serve(create_app(settings), host=settings.host, port=settings.port, graceful_seconds=10)


main()
