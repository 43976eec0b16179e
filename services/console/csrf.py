"""CSRF protection: a per-session token that every POST form must send back.

The token lives in the encrypted session cookie and in a hidden field of each form; a cross-site
page can make the browser send the cookie but cannot read the token to put in the form.
"""

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from services.console.sessions import session_of

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"


class CsrfRejected(Exception):
    """A POST came without the session's CSRF token (answered with a 403 page)."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def ensure_token(session: MutableMapping[str, Any]) -> str:
    """The session's token, created on first use."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = new_token()
        session[_SESSION_KEY] = token
    return token


def rotate_token(session: MutableMapping[str, Any]) -> str:
    """A fresh token, on sign-in and sign-out, so a token seen before cannot be replayed."""
    token = new_token()
    session[_SESSION_KEY] = token
    return token


def token_valid(session: MutableMapping[str, Any], submitted: object) -> bool:
    """Whether a submitted token matches the session's (compared in constant time)."""
    expected = session.get(_SESSION_KEY)
    if not isinstance(expected, str) or not expected or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


async def checked_form(request: Request, *, max_files: int = 0) -> FormData:
    """Parse a POSTed form and check its CSRF token; raise CsrfRejected when it is wrong."""
    form = await request.form(max_files=max_files, max_fields=60, max_part_size=64 * 1024)
    if not token_valid(session_of(request), form.get(CSRF_FIELD)):
        raise CsrfRejected
    return form
