"""The encrypted session cookie: unreadable, unforgeable, time-limited, HttpOnly, sent only
when it changed."""

import base64
import json

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from itsdangerous import URLSafeTimedSerializer

from services.console.sessions import (
    SESSION_COOKIE,
    CookiePolicy,
    Session,
    SessionCodec,
    SessionMiddleware,
    session_of,
)

SECRET = "a-test-secret-of-at-least-thirty-two-characters"


def test_a_session_survives_the_round_trip() -> None:
    codec = SessionCodec(SECRET, max_age_seconds=60)
    data = {"staff": {"token": "abc", "role": "officer"}, "csrf": "t", "note": "Phường Bến Thành"}
    assert codec.loads(codec.dumps(data)) == data


def _encodings_of(text: str) -> set[str]:
    """Every base64 spelling of the text and of its tails (so any alignment inside a larger
    base64 payload is covered), standard and URL-safe, with and without padding."""
    raw = text.encode()
    spellings = set()
    for start in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(raw[start:]).decode()
            spellings.update({encoded, encoded.rstrip("=")})
            # The last characters depend on what follows in a larger payload; drop them.
            spellings.add(encoded.rstrip("=")[:-2])
    return spellings


def test_the_cookie_reveals_neither_the_staff_token_nor_the_tipster_secret() -> None:
    codec = SessionCodec(SECRET, max_age_seconds=60)
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW4uYm8iLCJyb2xlIjoib2ZmaWNlciJ9.c2lnbmF0dXJl"
    code, secret = "TB-K7QM-4XRD", "7KQD-MX3R-ACHT-9PWE"
    for data in (
        {"staff": {"token": token, "role": "officer"}, "csrf": "t"},
        {"tip": {"code": code, "secret": secret}, "csrf": "t"},
    ):
        value = codec.dumps(data)
        assert codec.loads(value) == data
        for clear in (token, code, secret, json.dumps(data), '"token"', '"secret"'):
            assert clear not in value
            for encoded in _encodings_of(clear):
                assert encoded not in value, (clear, encoded)
        # Not even lenient base64 decoding of the value shows them.
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        for clear in (token, code, secret, "staff", "tip"):
            assert clear.encode() not in decoded
    # Each cookie is encrypted afresh: the same session never gives the same value twice.
    assert codec.dumps({"csrf": "t"}) != codec.dumps({"csrf": "t"})


def test_forged_tampered_or_foreign_cookies_give_an_empty_session() -> None:
    codec = SessionCodec(SECRET, max_age_seconds=60)
    value = codec.dumps({"staff": {"role": "officer"}})
    raw = bytearray(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    for position in range(len(raw)):  # any byte changed: version, time, IV, ciphertext, tag
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        assert codec.loads(base64.urlsafe_b64encode(tampered).decode().rstrip("=")) == {}
    assert codec.loads(value[:-4]) == {}
    for stray in ("." + value, value + ".", value[:10] + "~" + value[10:], value + "=="):
        assert codec.loads(stray) == {}  # only the exact base64url spelling is read
    assert (
        SessionCodec("another-secret-of-at-least-thirty-two-chars", max_age_seconds=60).loads(value)
        == {}
    )
    for junk in (None, "", "not-a-cookie", "....", "x" * 5000, "Phường", "gAAAAA"):
        assert codec.loads(junk) == {}


def test_a_signed_only_cookie_of_the_earlier_console_is_refused() -> None:
    # Sessions issued before the cookie was encrypted are dropped: the user signs in again.
    legacy = URLSafeTimedSerializer(SECRET, salt="tinbao-console-session").dumps(
        {"staff": {"token": "abc", "role": "officer"}, "csrf": "t"}
    )
    assert SessionCodec(SECRET, max_age_seconds=60).loads(legacy) == {}


def test_an_old_session_is_refused() -> None:
    value = SessionCodec(SECRET, max_age_seconds=60).dumps({"csrf": "t"})
    assert SessionCodec(SECRET, max_age_seconds=60).loads(value) == {"csrf": "t"}
    # Any age is more than -1 second: the same cookie read by a stricter codec has expired.
    assert SessionCodec(SECRET, max_age_seconds=-1).loads(value) == {}


def test_the_session_records_changes() -> None:
    session = Session({"a": 1})
    assert not session.modified
    assert session["a"] == 1 and len(session) == 1 and list(session) == ["a"]
    session["b"] = 2
    assert session.modified
    fresh = Session({"a": 1})
    del fresh["a"]
    assert fresh.modified and fresh.as_dict() == {}


def test_cookie_attributes() -> None:
    header = CookiePolicy(secure=False).header("name", "value")
    assert header == "name=value; Path=/; HttpOnly; SameSite=Lax"
    secure = CookiePolicy(secure=True).header("name", "", max_age=0)
    assert secure == "name=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure"


def _app(codec: SessionCodec) -> FastAPI:
    app = FastAPI()

    @app.get("/read")
    async def read(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(session_of(request).get("who")))

    @app.get("/write")
    async def write(request: Request) -> PlainTextResponse:
        session_of(request)["who"] = "cán bộ"
        return PlainTextResponse("ok")

    @app.get("/clear")
    async def clear(request: Request) -> PlainTextResponse:
        session_of(request).clear()
        return PlainTextResponse("ok")

    app.add_middleware(SessionMiddleware, codec=codec, cookies=CookiePolicy(secure=True))
    return app


async def test_the_middleware_sends_the_cookie_only_when_the_session_changed() -> None:
    codec = SessionCodec(SECRET, max_age_seconds=60)
    transport = httpx.ASGITransport(app=_app(codec))
    async with httpx.AsyncClient(transport=transport, base_url="https://console") as browser:
        untouched = await browser.get("/read")
        assert untouched.text == "None" and "set-cookie" not in untouched.headers
        written = await browser.get("/write")
        cookie = written.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        for flag in ("HttpOnly", "SameSite=Lax", "Path=/", "Secure"):
            assert flag in cookie
        assert "Max-Age" not in cookie and "Expires" not in cookie  # a browser-session cookie
        assert "cán bộ" not in cookie  # the value is encrypted, not plain text
        read = await browser.get("/read")
        assert read.text == "cán bộ" and "set-cookie" not in read.headers
        cleared = await browser.get("/clear")
        assert "Max-Age=0" in cleared.headers["set-cookie"]
    async with httpx.AsyncClient(
        transport=transport,
        base_url="https://console",
        cookies={SESSION_COOKIE: cookie.split(";")[0].split("=", 1)[1][:-3] + "xyz"},
    ) as forger:
        assert (await forger.get("/read")).text == "None"
