"""Staff accounts from the command line.

python -m services.triage.cli create-user --username u --role officer --ward 09562 --unit police
(the password is read from TINBAO_NEW_PASSWORD or asked for)
"""

import argparse
import asyncio
import getpass
import os

from services.triage.bootstrap import bootstrap
from services.triage.config import TriageSettings
from shared.auth import ROLES

UNITS = ("police", "culture_social", "health_station")


async def create_user(args: argparse.Namespace, password: str) -> None:
    triage = bootstrap(TriageSettings())
    try:
        user = await triage.create_user(
            username=args.username,
            password=password,
            full_name=args.full_name or args.username,
            role=args.role,
            ward_code=args.ward,
            unit=args.unit,
        )
        print(f"user {user.username} ({user.role}, ward {user.ward_code}, unit {user.unit}) ready")
    finally:
        await triage.runtime.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create a staff account or reset its password")
    create.add_argument("--username", required=True)
    create.add_argument("--full-name")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--ward", help="ward code, e.g. 09562")
    create.add_argument("--unit", choices=UNITS)
    args = parser.parse_args()
    if args.role == "officer" and not (args.ward and args.unit):
        parser.error("an officer needs --ward and --unit")
    if args.role == "supervisor" and not args.ward:
        parser.error("a supervisor needs --ward")
    password = os.environ.get("TINBAO_NEW_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        parser.error("the password needs at least 8 characters")
    asyncio.run(create_user(args, password))


if __name__ == "__main__":
    main()
