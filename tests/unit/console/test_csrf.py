"""CSRF tokens: one per session, checked in constant time, rotated on sign-in and sign-out."""

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

from services.console.csrf import (
    CSRF_FIELD,
    CsrfRejected,
    checked_form,
    ensure_token,
    rotate_token,
    token_valid,
)
from services.console.sessions import (
    SESSION_COOKIE,
    CookiePolicy,
    SessionCodec,
    SessionMiddleware,
    session_of,
)


def test_a_session_gets_one_token_and_keeps_it() -> None:
    session: dict[str, object] = {}
    first = ensure_token(session)
    assert len(first) >= 40
    assert ensure_token(session) == first


def test_only_the_sessions_own_token_is_valid() -> None:
    session: dict[str, object] = {}
    token = ensure_token(session)
    assert token_valid(session, token)
    for wrong in (None, "", token[:-1], token + "x", "forged", 42):
        assert not token_valid(session, wrong)
    assert not token_valid({}, token)  # no session, no valid token


def test_rotation_retires_the_old_token() -> None:
    session: dict[str, object] = {}
    old = ensure_token(session)
    new = rotate_token(session)
    assert new != old
    assert token_valid(session, new) and not token_valid(session, old)


def test_tokens_differ_between_sessions() -> None:
    assert len({ensure_token({}) for _ in range(50)}) == 50


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/form")
    async def form(request: Request) -> PlainTextResponse:
        return PlainTextResponse(ensure_token(session_of(request)))

    @app.post("/form")
    async def post(request: Request) -> PlainTextResponse:
        form = await checked_form(request)
        return PlainTextResponse(f"ok {form.get('text')}")

    @app.exception_handler(CsrfRejected)
    async def refused(request: Request, error: CsrfRejected) -> PlainTextResponse:
        return PlainTextResponse("refused", status_code=403)

    app.add_middleware(
        SessionMiddleware,
        codec=SessionCodec("k" * 40, max_age_seconds=60),
        cookies=CookiePolicy(secure=False),
    )
    return app


async def test_a_form_is_accepted_only_with_the_sessions_token() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as browser:
        token = (await browser.get("/form")).text
        assert SESSION_COOKIE in browser.cookies
        ok = await browser.post("/form", data={CSRF_FIELD: token, "text": "xin chào"})
        assert (ok.status_code, ok.text) == (200, "ok xin chào")
        assert (await browser.post("/form", data={"text": "x"})).status_code == 403
        wrong = await browser.post("/form", data={CSRF_FIELD: "forged", "text": "x"})
        assert wrong.status_code == 403
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as attacker:
        # The right token without the victim's cookie is refused too.
        stolen = await attacker.post("/form", data={CSRF_FIELD: token, "text": "x"})
        assert stolen.status_code == 403


@pytest.mark.parametrize("content_type", ["multipart", "urlencoded"])
async def test_both_form_encodings_are_checked(content_type: str) -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as browser:
        token = (await browser.get("/form")).text
        files = {"unused": ("", b"")} if content_type == "multipart" else None
        answer = await browser.post("/form", data={CSRF_FIELD: token, "text": "a"}, files=files)
        assert answer.status_code == 200
