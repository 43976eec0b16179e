"""Staff bearer tokens (JWT, HS256): triage signs them in, every service verifies them."""

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import jwt
from fastapi import Request

from shared.problems import Problem, Text

Role = Literal["officer", "supervisor", "city_monitor", "auditor", "hotline_operator", "admin"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
ISSUER = "tinbao"
# Clocks of the signing and the verifying service may differ by this much.
CLOCK_LEEWAY = timedelta(seconds=60)


class TokenSettings(Protocol):
    """What a service verifying bearer tokens is configured with."""

    auth_secret: str
    token_max_minutes: int


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


def _numeric_date(claims: dict[str, Any], name: str) -> datetime:
    value = claims[name]
    # bool is an int, and Python's JSON reads Infinity and NaN: none is a moment.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number of seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{name} is out of range") from None


def verify_token(
    token: str, *, secret: str, max_lifetime: timedelta, now: datetime | None = None
) -> Principal:
    """Check a bearer token's signature, issuer, times and scope; raise ValueError when bad.

    A token must say when it was issued (`iat`, not later than `now` plus the clock leeway)
    and live no longer than `max_lifetime` (`exp - iat`): the key alone must not be enough
    to mint a token that outlives what the sign-in issues.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            # The times are checked below, against one injectable clock.
            options={
                "require": ["exp", "iat", "sub", "iss"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as error:
        raise ValueError(str(error)) from error
    moment = now or datetime.now(UTC)
    issued, expires = _numeric_date(claims, "iat"), _numeric_date(claims, "exp")
    if expires <= moment:
        raise ValueError("expired")
    if "nbf" in claims and _numeric_date(claims, "nbf") > moment:
        raise ValueError("not yet valid")
    if issued > moment + CLOCK_LEEWAY:
        raise ValueError("issued in the future")
    if expires - issued > max_lifetime:
        raise ValueError("lifetime longer than the sign-in issues")
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


def bearer_principal(request: Request, *, settings: TokenSettings) -> Principal:
    """Read and verify the request's bearer token."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise UNAUTHENTICATED
    try:
        return verify_token(
            token.strip(),
            secret=settings.auth_secret,
            max_lifetime=timedelta(minutes=settings.token_max_minutes),
        )
    except ValueError:
        raise UNAUTHENTICATED from None


def require_roles(
    *roles: str, settings_of: Callable[[Request], TokenSettings]
) -> Callable[[Request], Awaitable[Principal]]:
    """Build a dependency that admits only the given roles.

    Async although it does no I/O: FastAPI runs a plain `def` dependency in a thread,
    and that hop cost more than verifying the token.
    """

    async def dependency(request: Request) -> Principal:
        principal = bearer_principal(request, settings=settings_of(request))
        if principal.role not in roles:
            raise FORBIDDEN
        return principal

    return dependency
