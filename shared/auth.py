"""Staff bearer tokens (JWT, HS256): triage signs them in, every service verifies them."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt
from fastapi import Request

from shared.problems import Problem, Text

Role = Literal["officer", "supervisor", "city_monitor", "auditor", "hotline_operator", "admin"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
ISSUER = "tinbao"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff member with a role and a scope (ward, unit)."""

    user_id: str
    role: str
    ward_code: str | None
    unit: str | None


def issue_token(
    principal: Principal, *, secret: str, ttl: timedelta, now: datetime | None = None
) -> str:
    """Sign a bearer token for a staff member."""
    issued = now or datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "sub": principal.user_id,
        "role": principal.role,
        "ward": principal.ward_code,
        "unit": principal.unit,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_token(token: str, *, secret: str) -> Principal:
    """Check a bearer token's signature, issuer and expiry; raise ValueError when bad."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise ValueError(str(error)) from error
    if claims.get("role") not in ROLES:
        raise ValueError("unknown role")
    # Only triage signs tokens, but a scope of the wrong shape must be refused here rather
    # than fail later (as a 500) where the services compare it with a column.
    if not all(isinstance(claims.get(name), str | None) for name in ("ward", "unit")):
        raise ValueError("ward and unit must be strings")
    return Principal(claims["sub"], claims["role"], claims.get("ward"), claims.get("unit"))


UNAUTHENTICATED = Problem(
    status=401,
    slug="unauthenticated",
    title=Text("Cần đăng nhập", "Sign-in required"),
    detail=Text(
        "Hãy đăng nhập và gửi kèm mã truy cập (Authorization: Bearer …).",
        "Sign in and send the access token (Authorization: Bearer …).",
    ),
    headers={"WWW-Authenticate": "Bearer"},
)

FORBIDDEN = Problem(
    status=403,
    slug="forbidden",
    title=Text("Không có quyền", "Forbidden"),
    detail=Text(
        "Vai trò của bạn không được phép thực hiện thao tác này.",
        "Your role is not allowed to do this.",
    ),
)


def bearer_principal(request: Request, *, secret: str) -> Principal:
    """Read and verify the request's bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UNAUTHENTICATED
    try:
        return verify_token(token.strip(), secret=secret)
    except ValueError:
        raise UNAUTHENTICATED from None


def require_roles(
    *roles: str, secret_of: Callable[[Request], str]
) -> Callable[[Request], Awaitable[Principal]]:
    """Build a dependency that admits only the given roles.

    Async although it does no I/O: FastAPI runs a plain `def` dependency in a thread,
    and that hop cost more than verifying the token.
    """

    async def dependency(request: Request) -> Principal:
        principal = bearer_principal(request, secret=secret_of(request))
        if principal.role not in roles:
            raise FORBIDDEN
        return principal

    return dependency
