"""Body size and request rate limits for public endpoints.

The rate limiter keys on the client address in memory only, for one minute; the
address is never stored or logged.
"""

import math
import time
import urllib.parse
from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import Problem, Text, field_problem, wants_english


def _too_large(limit: int) -> Problem:
    megabytes = limit / (1024 * 1024)
    return Problem(
        status=413,
        slug="too-large",
        title=Text("Nội dung quá lớn", "Request too large"),
        detail=Text(
            f"Yêu cầu vượt quá {megabytes:.0f} MB; hãy gửi ít ảnh hơn hoặc ảnh nhỏ hơn.",
            f"The request exceeds {megabytes:.0f} MB; send fewer or smaller images.",
        ),
    )


class _BodyTooLarge(BaseException):
    """Raised from receive() when a streamed body passes the limit.

    A BaseException on purpose, like asyncio.CancelledError: FastAPI's body reader turns any
    Exception into a 400 and the services' error middleware any other into a 500, so an
    Exception never reached the middleware that answers 413.
    """


class BodySizeLimitMiddleware:
    """Refuse bodies over `max_bytes` (413), whether or not Content-Length is honest.

    `refusal` is the ASGI app that answers the 413: a problem+json by default; the web
    console passes its own page.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, refusal: ASGIApp | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusal = refusal or self._problem

    async def _problem(self, scope: Scope, receive: Receive, send: Send) -> None:
        english = wants_english(Request(scope))
        await _too_large(self.max_bytes).render(english)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Request(scope).headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self.refusal(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if started:
                raise
            await self.refusal(scope, receive, send)


class RateLimitMiddleware:
    """Token bucket per client address on the given path prefixes (429 with Retry-After)."""

    def __init__(self, app: ASGIApp, *, per_minute: int, prefixes: Sequence[str]) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.refill_per_second = per_minute / 60.0
        self.prefixes = tuple(prefixes)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._last_sweep = time.monotonic()

    def _take(self, client: str) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        if now - self._last_sweep > 60:
            full_after = self.capacity / self.refill_per_second
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
            self._last_sweep = now
        tokens, last = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill_per_second)
        if tokens < 1:
            self._buckets[client] = (tokens, now)
            return (1 - tokens) / self.refill_per_second
        self._buckets[client] = (tokens - 1, now)
        return 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self._take(client)
        if wait:
            retry = str(max(1, math.ceil(wait)))
            problem = Problem(
                status=429,
                slug="rate-limited",
                title=Text("Gửi quá nhiều yêu cầu", "Too many requests"),
                detail=Text(f"Vui lòng thử lại sau {retry} giây.", f"Please retry in {retry} s."),
                headers={"Retry-After": retry},
            )
            await problem.render(wants_english(Request(scope)))(scope, receive, send)
            return
        await self.app(scope, receive, send)


OVERLOADED = Problem(
    status=503,
    slug="overloaded",
    title=Text("Hệ thống đang quá tải", "Too busy right now"),
    detail=Text(
        "Có quá nhiều yêu cầu cùng lúc nên yêu cầu này chưa được lưu. Vui lòng gửi lại sau vài "
        "giây; nếu gửi lại với cùng Idempotency-Key thì không có gì bị ghi hai lần.",
        "Too many requests are being served at once, so this one was not stored. Please send it "
        "again in a few seconds; with the same Idempotency-Key nothing is recorded twice.",
    ),
    headers={"Retry-After": "2"},
)


class InFlightLimitMiddleware:
    """Refuse at once (503, Retry-After) what would only wait behind `limit` requests in work.

    Past its capacity a server that queues everything answers every request late, then times
    them out; shedding the excess keeps the accepted ones fast and tells the rest when to come
    back. Nothing refused was stored, so nothing is lost.
    """

    def __init__(self, app: ASGIApp, *, limit: int, prefixes: Sequence[str]) -> None:
        self.app = app
        self.limit = limit
        self.prefixes = tuple(prefixes)
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            await OVERLOADED.render(wants_english(Request(scope)))(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


class NulInUrlMiddleware:
    """Refuse a path or query parameter holding a NUL character (400, naming where).

    PostgreSQL cannot store or compare text with NUL, so such a value reaching a query
    failed as a 500; no tracking code, id or filter ever contains one.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = None
            if "\x00" in scope["path"]:
                field = "path"
            elif b"%00" in scope["query_string"]:
                query = scope["query_string"].decode("latin-1")
                field = next(
                    (
                        name or "query"
                        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
                        if "\x00" in name + value
                    ),
                    None,
                )
            if field is not None:
                problem = field_problem(
                    field,
                    Text(
                        "Có ký tự NUL (%00) không hợp lệ; hãy xoá nó.",
                        "Contains a NUL character (%00); remove it.",
                    ),
                    status=400,
                )
                await problem.render(wants_english(Request(scope)))(scope, receive, send)
                return
        await self.app(scope, receive, send)
