"""Bearer tokens: signed with the key is not enough; the times must be those a sign-in issues."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from services.triage.config import TriageSettings
from shared.auth import CLOCK_LEEWAY, Principal, issue_token, verify_token

SECRET = "unit-test-auth-secret-of-some-length"
MAX = timedelta(hours=8)
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
OFFICER = Principal("u-1", "officer", "09562", "police")


def signed(**changes: object) -> str:
    """A token as triage signs it at NOW for 30 minutes, with claims changed or removed."""
    claims: dict[str, object] = {
        "iss": "tinbao",
        "sub": "u-1",
        "role": "officer",
        "ward": "09562",
        "unit": "police",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(minutes=30)).timestamp()),
    }
    for name, value in changes.items():
        if value is None:
            claims.pop(name)
        else:
            claims[name] = value
    return jwt.encode(claims, SECRET, algorithm="HS256")


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def test_a_token_as_the_sign_in_issues_it_is_accepted() -> None:
    token = issue_token(OFFICER, secret=SECRET, ttl=MAX, now=NOW)
    assert verify_token(token, secret=SECRET, max_lifetime=MAX, now=NOW) == OFFICER
    later = NOW + MAX - timedelta(seconds=1)
    assert verify_token(token, secret=SECRET, max_lifetime=MAX, now=later) == OFFICER


@pytest.mark.parametrize(
    ("why", "token"),
    [
        ("no iat", signed(iat=None)),
        ("no exp", signed(exp=None)),
        ("lives ten years", signed(exp=seconds(NOW + timedelta(days=3650)))),
        ("lives a second too long", signed(exp=seconds(NOW + MAX) + 1)),
        ("issued long ago, expiring soon", signed(iat=seconds(NOW - timedelta(days=30)))),
        (
            "issued in the future",
            signed(iat=seconds(NOW + timedelta(hours=1)), exp=seconds(NOW + timedelta(hours=2))),
        ),
        (
            "issued just past the leeway",
            signed(iat=seconds(NOW + CLOCK_LEEWAY) + 1, exp=seconds(NOW + timedelta(hours=1))),
        ),
        ("expired", signed(iat=seconds(NOW - timedelta(hours=2)), exp=seconds(NOW))),
        ("not yet valid", signed(nbf=seconds(NOW + timedelta(minutes=5)))),
        ("iat as text", signed(iat=str(seconds(NOW)))),
        ("iat true", signed(iat=True)),
        ("exp beyond any calendar", signed(exp=10**20)),
        ("iat not a number", signed(iat=float("nan"))),
    ],
)
def test_a_token_with_times_no_sign_in_issues_is_refused(why: str, token: str) -> None:
    with pytest.raises(ValueError):
        verify_token(token, secret=SECRET, max_lifetime=MAX, now=NOW)


def test_the_lifetime_limit_is_the_one_given() -> None:
    token = issue_token(OFFICER, secret=SECRET, ttl=timedelta(hours=2), now=NOW)
    assert verify_token(token, secret=SECRET, max_lifetime=timedelta(hours=2), now=NOW)
    with pytest.raises(ValueError):
        verify_token(token, secret=SECRET, max_lifetime=timedelta(hours=1), now=NOW)


def test_a_signing_clock_slightly_ahead_is_tolerated() -> None:
    ahead = NOW + CLOCK_LEEWAY - timedelta(seconds=1)
    token = issue_token(OFFICER, secret=SECRET, ttl=timedelta(minutes=30), now=ahead)
    assert verify_token(token, secret=SECRET, max_lifetime=MAX, now=NOW) == OFFICER


def test_triage_refuses_to_sign_tokens_the_services_would_refuse() -> None:
    assert TriageSettings(token_minutes=480, token_max_minutes=480)
    with pytest.raises(ValueError, match="TOKEN_MAX_MINUTES"):
        TriageSettings(token_minutes=600, token_max_minutes=480)
