"""The three services' public HTTP APIs, as the console calls them.

The console never reads a service's tables: everything it shows comes through these calls,
with the staff member's own bearer token, so every service applies its own rules of who may
see what. Errors come back as `ApiError` carrying the service's problem+json answer, already in
the page's language (Accept-Language).
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from services.console.config import ConsoleSettings

log = logging.getLogger(__name__)


@dataclass
class FieldProblem:
    """One field a service refused, and why (in the page's language)."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    """A service refused the request (4xx) or failed (5xx); holds its problem answer."""

    status: int
    title: str = ""
    detail: str = ""
    slug: str = ""
    errors: list[FieldProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.slug}"


class ServiceUnavailable(Exception):
    """A service could not be reached at all."""

    def __init__(self, service: str) -> None:
        super().__init__(service)
        self.service = service


def _problem(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [
        FieldProblem(str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    slug = str(body.get("type", "")).rsplit("/", 1)[-1]
    return ApiError(
        status=response.status_code,
        title=str(body.get("title", "")),
        detail=str(body.get("detail", "")),
        slug=slug,
        errors=errors,
    )


def _segment(value: str) -> str:
    """A value placed in a URL path, quoted so it cannot reach another endpoint."""
    return quote(value.strip()[:64], safe="")


@dataclass
class ReportFile:
    """A report download passed through to the browser."""

    content: bytes
    media_type: str
    disposition: str


class ServiceClients:
    """One HTTP client per service, opened with the app and closed with it."""

    def __init__(
        self, settings: ConsoleSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        timeout = httpx.Timeout(settings.request_timeout_seconds, connect=3.0)
        self._clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)
            for name, url in (
                ("intake", settings.intake_url),
                ("triage", settings.triage_url),
                ("notify", settings.notify_url),
            )
        }

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self._clients.values()))

    async def _send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        route: str,
        language: str,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Call a service; raise ApiError on an error answer, ServiceUnavailable if unreachable.

        `route` is the path template that goes in the logs: never a code, secret or text.
        """
        sent_headers = {"Accept-Language": language, **(headers or {})}
        if token:
            sent_headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            response = await self._clients[service].request(
                method, path, headers=sent_headers, **kwargs
            )
        except httpx.TransportError as error:
            log.warning(
                "service unreachable",
                extra={
                    "path": route,
                    "method": method,
                    "reason": service,
                    "error": error.__class__.__name__,
                },
            )
            raise ServiceUnavailable(service) from None
        elapsed = round((time.monotonic() - started) * 1000, 1)
        if response.status_code >= 400:
            level = logging.WARNING if response.status_code >= 500 else logging.INFO
            log.log(
                level,
                "service refused",
                extra={
                    "path": route,
                    "method": method,
                    "reason": service,
                    "status": response.status_code,
                    "duration_ms": elapsed,
                },
            )
            raise _problem(response)
        return response

    # Intake ----------------------------------------------------------------------------

    async def submit_tip(
        self, body: dict[str, Any], *, idempotency_key: str, language: str
    ) -> dict[str, Any]:
        response = await self._send(
            "intake",
            "POST",
            "/api/v1/tips",
            route="/api/v1/tips",
            language=language,
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        return response.json()

    async def hotline_tip(
        self, token: str, body: dict[str, Any], *, idempotency_key: str, language: str
    ) -> dict[str, Any]:
        response = await self._send(
            "intake",
            "POST",
            "/api/v1/hotline/tips",
            route="/api/v1/hotline/tips",
            language=language,
            token=token,
            json=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        return response.json()

    async def tip_status(self, code: str, secret: str, *, language: str) -> dict[str, Any]:
        response = await self._send(
            "intake",
            "GET",
            f"/api/v1/tips/{_segment(code)}/status",
            route="/api/v1/tips/{code}/status",
            language=language,
            headers={"X-Tip-Secret": _header_safe(secret)},
        )
        return response.json()

    async def tip_messages(self, code: str, secret: str, *, language: str) -> list[dict[str, Any]]:
        response = await self._send(
            "intake",
            "GET",
            f"/api/v1/tips/{_segment(code)}/messages",
            route="/api/v1/tips/{code}/messages",
            language=language,
            headers={"X-Tip-Secret": _header_safe(secret)},
        )
        return response.json()

    async def add_tip_message(
        self, code: str, secret: str, *, text: str, in_reply_to: str | None, language: str
    ) -> dict[str, Any]:
        response = await self._send(
            "intake",
            "POST",
            f"/api/v1/tips/{_segment(code)}/messages",
            route="/api/v1/tips/{code}/messages",
            language=language,
            headers={"X-Tip-Secret": _header_safe(secret)},
            json={"text": text, "in_reply_to": in_reply_to},
        )
        return response.json()

    # Triage ----------------------------------------------------------------------------

    async def sign_in(self, username: str, password: str, *, language: str) -> dict[str, Any]:
        response = await self._send(
            "triage",
            "POST",
            "/api/v1/auth/token",
            route="/api/v1/auth/token",
            language=language,
            data={"username": username, "password": password},
        )
        return response.json()

    async def queue(
        self, token: str, params: dict[str, str | int], *, language: str
    ) -> dict[str, Any]:
        response = await self._send(
            "triage",
            "GET",
            "/api/v1/cases",
            route="/api/v1/cases",
            language=language,
            token=token,
            params=params,
        )
        return response.json()

    async def case(self, token: str, case_id: str, *, language: str) -> dict[str, Any]:
        response = await self._send(
            "triage",
            "GET",
            f"/api/v1/cases/{_segment(case_id)}",
            route="/api/v1/cases/{id}",
            language=language,
            token=token,
        )
        return response.json()

    async def case_by_code(self, token: str, code: str, *, language: str) -> dict[str, Any]:
        response = await self._send(
            "triage",
            "GET",
            f"/api/v1/cases/by-code/{_segment(code)}",
            route="/api/v1/cases/by-code/{code}",
            language=language,
            token=token,
        )
        return response.json()

    async def act(
        self, token: str, case_id: str, action: str, body: dict[str, Any], *, language: str
    ) -> dict[str, Any]:
        response = await self._send(
            "triage",
            "POST",
            f"/api/v1/cases/{_segment(case_id)}/actions/{_segment(action)}",
            route=f"/api/v1/cases/{{id}}/actions/{action}",
            language=language,
            token=token,
            json=body,
        )
        return response.json()

    # Notify ----------------------------------------------------------------------------

    async def case_clocks(self, token: str, case_id: str, *, language: str) -> list[dict[str, Any]]:
        """The case's stage clocks; empty while notify has none (yet) in the caller's scope."""
        try:
            response = await self._send(
                "notify",
                "GET",
                f"/api/v1/sla/cases/{_segment(case_id)}",
                route="/api/v1/sla/cases/{id}",
                language=language,
                token=token,
            )
        except ApiError as error:
            if error.status == 404:
                return []
            raise
        return response.json()

    async def report(
        self, token: str, kind: str, period: str, *, ward: str | None, language: str
    ) -> dict[str, Any]:
        params = {"ward": ward} if ward else {}
        response = await self._send(
            "notify",
            "GET",
            f"/api/v1/reports/{_segment(kind)}/{_segment(period)}",
            route="/api/v1/reports/{kind}/{period}",
            language=language,
            token=token,
            params=params,
        )
        return response.json()

    async def report_file(
        self, token: str, kind: str, period: str, *, ward: str | None, fmt: str, language: str
    ) -> ReportFile:
        params = {"format": fmt, **({"ward": ward} if ward else {})}
        response = await self._send(
            "notify",
            "GET",
            f"/api/v1/reports/{_segment(kind)}/{_segment(period)}",
            route="/api/v1/reports/{kind}/{period}",
            language=language,
            token=token,
            params=params,
        )
        return ReportFile(
            content=response.content,
            media_type=response.headers.get("content-type", "application/octet-stream"),
            disposition=response.headers.get(
                "content-disposition", f'attachment; filename="tinbao-report.{fmt}"'
            ),
        )

    async def sla_board(
        self,
        token: str,
        *,
        ward: str | None,
        started_from: str | None,
        started_before: str | None,
        language: str,
    ) -> dict[str, Any]:
        params = {
            key: value
            for key, value in (
                ("ward", ward),
                ("started_from", started_from),
                ("started_before", started_before),
            )
            if value
        }
        response = await self._send(
            "notify",
            "GET",
            "/api/v1/sla/board",
            route="/api/v1/sla/board",
            language=language,
            token=token,
            params=params,
        )
        return response.json()

    # Operations ------------------------------------------------------------------------

    async def reachable(self) -> dict[str, bool]:
        """Which services answer their liveness probe."""

        async def alive(client: httpx.AsyncClient) -> bool:
            try:
                return (await client.get("/healthz", timeout=2.0)).status_code == 200
            except httpx.HTTPError:
                return False

        names = list(self._clients)
        answers = await asyncio.gather(*(alive(self._clients[n]) for n in names))
        return dict(zip(names, answers, strict=True))


def _header_safe(value: str) -> str:
    """A typed secret as a header value: printable ASCII only, at most 64 characters."""
    return "".join(ch for ch in value.strip() if 32 < ord(ch) < 127)[:64]
