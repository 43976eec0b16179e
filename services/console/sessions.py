"""The console's session: an encrypted cookie, since the console keeps no data of its own.

The cookie holds the CSRF token and either a staff member's bearer token (with role and scope)
or a tipster's tracking code and secret. It is encrypted and authenticated (Fernet: AES-128-CBC
with HMAC-SHA256, keyed from the session secret through HKDF) and timestamped, so it can be
neither read, forged nor kept past its age; HttpOnly, so no script reads it; SameSite=Lax and
Path=/; and a browser-session cookie (no Expires), so closing the browser on a shared phone
drops it.
"""

import base64
import json
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "tinbao_session"
# Names this use of the secret, so the key derived here serves nothing else.
_KEY_INFO = b"tinbao-console-session-cookie-v2"
# Fernet's base64url alphabet; the cookie carries it without padding. Anything else is refused
# before decoding (a lenient decoder would skip stray characters).
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]+")


class Session(MutableMapping[str, Any]):
    """A dict that remembers whether it changed, so unchanged sessions send no cookie."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(data or {})
        self.modified = False

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)


class SessionCodec:
    """Encrypt a session into a cookie value and read it back (refusing forged or old ones)."""

    def __init__(self, secret: str, *, max_age_seconds: int) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
            secret.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))
        self._max_age = max_age_seconds

    def dumps(self, data: dict[str, Any]) -> str:
        plain = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return self._fernet.encrypt(plain).decode("ascii").rstrip("=")

    def loads(self, value: str | None) -> dict[str, Any]:
        """The session in a cookie value; empty when missing, tampered with, foreign or too old."""
        if not value or not _COOKIE_VALUE.fullmatch(value):
            return {}
        token = value + "=" * (-len(value) % 4)
        try:
            data = json.loads(self._fernet.decrypt(token, ttl=self._max_age))
        except (InvalidToken, ValueError):  # ValueError: not JSON
            return {}
        return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class CookiePolicy:
    """The attributes every console cookie carries."""

    secure: bool

    def header(self, name: str, value: str, *, max_age: int | None = None) -> str:
        parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


class SessionMiddleware:
    """Load the session into `request.session`; send the cookie back only when it changed."""

    def __init__(self, app: ASGIApp, *, codec: SessionCodec, cookies: CookiePolicy) -> None:
        self.app = app
        self.codec = codec
        self.cookies = cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        had_cookie = SESSION_COOKIE in connection.cookies
        session = Session(self.codec.loads(connection.cookies.get(SESSION_COOKIE)))
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.modified:
                headers = MutableHeaders(scope=message)
                if len(session):
                    value = self.codec.dumps(session.as_dict())
                    headers.append("Set-Cookie", self.cookies.header(SESSION_COOKIE, value))
                elif had_cookie:
                    headers.append("Set-Cookie", self.cookies.header(SESSION_COOKIE, "", max_age=0))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def session_of(connection: HTTPConnection) -> Session:
    """The request's session (installed by SessionMiddleware)."""
    return connection.scope["session"]
