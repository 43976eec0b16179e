"""One stack of the three services for the security tests, with secrets of its own.

The secrets are drawn per test session: a token signed with the published development key is
then a forgery like any other, and the privacy scan can look for each secret by value.
"""

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from shared.auth import Principal, issue_token
from tests.support.infra import Infra
from tests.support.services import Stack, process_stack


@dataclass(frozen=True)
class Secrets:
    """What the stack is configured with (never to be found in data, topics or logs)."""

    auth: str
    encryption_key: str
    pepper: str
    sms: str

    def env(self) -> dict[str, str]:
        return {
            "TINBAO_AUTH_SECRET": self.auth,
            "TINBAO_INTAKE_ENCRYPTION_KEY": self.encryption_key,
            "TINBAO_INTAKE_CALLER_HASH_PEPPER": self.pepper,
            "TINBAO_INTAKE_SMS_WEBHOOK_SECRET": self.sms,
        }

    def token(
        self,
        role: str,
        ward: str | None = None,
        unit: str | None = None,
        *,
        ttl: timedelta = timedelta(minutes=30),
    ) -> str:
        """A token as triage signs it, for a made-up staff member."""
        return issue_token(
            Principal(str(uuid.uuid4()), role, ward, unit), secret=self.auth, ttl=ttl
        )

    def sms_headers(self, body: bytes, *, at: float | None = None) -> dict[str, str]:
        """The SMS gateway's signature headers for a raw body."""
        stamp = str(int(at if at is not None else time.time()))
        digest = hmac.new(self.sms.encode(), stamp.encode() + b"." + body, hashlib.sha256)
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Tinbao-Timestamp": stamp,
            "X-Tinbao-Signature": "sha256=" + digest.hexdigest(),
        }


@pytest.fixture(scope="package")
def stack_secrets() -> Secrets:
    return Secrets(
        auth="auth-" + secrets.token_urlsafe(32),
        encryption_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        pepper="pepper-" + secrets.token_urlsafe(24),
        sms="sms-" + secrets.token_urlsafe(24),
    )


@pytest.fixture(scope="package")
def security_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="package")
def security_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security-logs")


@pytest.fixture(scope="package")
def stack(
    infra: Infra, security_prefix: str, security_logs: Path, stack_secrets: Secrets
) -> Iterator[Stack]:
    """Intake, triage and notify as processes (real HTTP parsing, real logs)."""
    with process_stack(infra, security_prefix, security_logs, stack_secrets.env()) as started:
        yield started


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
