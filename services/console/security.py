"""Headers every console answer carries, size limits, request logs, and the last-resort 500.

Pure ASGI middlewares (no BaseHTTPMiddleware), so streaming and the lifespan are untouched.
"""

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.console.i18n import LANGUAGE_COOKIE, LANGUAGES
from services.console.sessions import CookiePolicy

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
ONE_YEAR = 365 * 24 * 60 * 60

_FAILURE_PAGE = (
    "<!doctype html><html lang=vi><meta charset=utf-8><title>Lỗi hệ thống</title>"
    "<h1>Lỗi hệ thống — Internal error</h1>"
    "<p>Đã xảy ra lỗi ngoài dự kiến; vui lòng thử lại. "
    "An unexpected error occurred; please try again.</p><p><a href=/>Trang chủ — Home</a></p>"
).encode()

_TOO_LARGE_PAGE = (
    "<!doctype html><html lang=vi><meta charset=utf-8><title>Nội dung quá lớn</title>"
    "<h1>Nội dung quá lớn — Too large</h1>"
    "<p>Nội dung gửi lên quá lớn (ảnh tối đa 3 MB). "
    "What you sent is too large (photos at most 3 MB).</p><p><a href=/>Trang chủ — Home</a></p>"
).encode()


async def _send_page(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-type", b"text/html; charset=utf-8"))
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class ConsoleHeadersMiddleware:
    """Security headers on every answer, no caching of pages, the language cookie, request
    logs (method, path, status, time: never the query or a body), and a 500 page for errors
    nothing else caught."""

    def __init__(self, app: ASGIApp, *, cookies: CookiePolicy) -> None:
        self.app = app
        self.cookies = cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        path = scope["path"]
        language = connection.query_params.get("lang")
        started = time.monotonic()
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
                if language in LANGUAGES:
                    headers.append(
                        "Set-Cookie",
                        self.cookies.header(LANGUAGE_COOKIE, language, max_age=ONE_YEAR),
                    )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"path": path, "method": scope["method"]})
            if response_started:
                raise
            await _send_page(send, 500, _FAILURE_PAGE, SECURITY_HEADERS)
        finally:
            if path not in {"/healthz", "/readyz"} and not path.startswith("/static/"):
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )


async def too_large_page(scope: Scope, receive: Receive, send: Send) -> None:
    """The console's 413 answer, for shared.limits.BodySizeLimitMiddleware."""
    await _send_page(send, 413, _TOO_LARGE_PAGE, {})
