"""Staff accounts and tokens for tests."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import httpx

from deploy.local.processes import REPO_ROOT
from services.triage.config import DEV_AUTH_SECRET
from shared.auth import Principal, issue_token

PASSWORD = "mat-khau-thu-nghiem"


def token_for(role: str, ward_code: str | None = "09562", unit: str | None = None) -> str:
    """A signed token for a made-up staff member (tokens are what the services trust)."""
    return issue_token(
        Principal(str(uuid.uuid4()), role, ward_code, unit),
        secret=DEV_AUTH_SECRET,
        ttl=timedelta(minutes=30),
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_user_with_cli(
    database_url: str, *, username: str, role: str, ward: str | None, unit: str | None
) -> None:
    """Create an account the way an administrator does: with the CLI."""
    args = [
        sys.executable,
        "-m",
        "services.triage.cli",
        "create-user",
        "--username",
        username,
        "--role",
        role,
    ]
    if ward:
        args += ["--ward", ward]
    if unit:
        args += ["--unit", unit]
    subprocess.run(
        args,
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "TINBAO_DATABASE_URL": database_url, "TINBAO_NEW_PASSWORD": PASSWORD},
    )


async def sign_in(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    answer = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return bearer(answer.json()["access_token"])
