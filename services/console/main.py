"""The web console's FastAPI application: one entry URL for citizens and staff."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.console.clients import ApiError, ServiceClients, ServiceUnavailable
from services.console.config import ConsoleSettings
from services.console.csrf import CsrfRejected
from services.console.i18n import Translator
from services.console.pages import citizen, home, hotline, officer, staff, supervisor
from services.console.security import ConsoleHeadersMiddleware, too_large_page
from services.console.sessions import CookiePolicy, SessionCodec, SessionMiddleware, session_of
from services.console.web import (
    STATIC,
    RoleNotAllowed,
    SignInRequired,
    error_page,
    flash,
    redirect,
    render,
    staff_of,
    template_environment,
    translator,
)
from shared.limits import BodySizeLimitMiddleware
from shared.telemetry import NO_TELEMETRY

# A photo of 3 MB plus the text fields and the multipart framing.
MAX_BODY_BYTES = 4 * 1024 * 1024


def create_app(
    settings: ConsoleSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the console; the HTTP clients open with the lifespan."""
    settings = settings or ConsoleSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings, transport=transport)
        try:
            yield
        finally:
            await app.state.clients.aclose()

    app = FastAPI(
        title="tinbao — console",
        summary="Trang web cho người dân và cán bộ (web console)",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=NO_TELEMETRY,
    )
    app.state.settings = settings
    app.state.templates = template_environment()
    cookies = CookiePolicy(secure=settings.cookies_secure)
    codec = SessionCodec(settings.session_secret, max_age_seconds=settings.session_max_age_seconds)
    for router in (home.router, citizen.router, staff.router, hotline.router, officer.router):
        app.include_router(router)
    app.include_router(supervisor.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_pages(app)
    # Added last = outermost: headers reach every answer, even the limit's.
    app.add_middleware(SessionMiddleware, codec=codec, cookies=cookies)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES, refusal=too_large_page)
    app.add_middleware(ConsoleHeadersMiddleware, cookies=cookies)
    return app


def _install_error_pages(app: FastAPI) -> None:
    """Every error becomes a page in the reader's language, never a stack trace or JSON."""

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, error: CsrfRejected) -> HTMLResponse:
        both = {"in_vietnamese": Translator("vi"), "in_english": Translator("en")}
        return render(request, "csrf.html", both, status_code=403)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        t = translator(request)
        flash(request, "info", t("login.expired" if error.expired else "login.required"))
        return redirect("/staff/login")

    @app.exception_handler(RoleNotAllowed)
    async def _role(request: Request, error: RoleNotAllowed) -> HTMLResponse:
        t = translator(request)
        return error_page(request, 403, "error.forbidden.title", t("error.forbidden.detail"))

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(request: Request, error: ServiceUnavailable) -> HTMLResponse:
        t = translator(request)
        return error_page(request, 503, "error.unavailable.title", t("error.unavailable.detail"))

    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError) -> Response:
        t = translator(request)
        if error.status == 401 and staff_of(request) is not None:
            session_of(request).pop("staff", None)
            flash(request, "info", t("login.expired"))
            return redirect("/staff/login")
        if error.status == 403:
            return error_page(request, 403, "error.forbidden.title", t("error.forbidden.detail"))
        if error.status == 404:
            return error_page(request, 404, "error.not_found.title", t("error.not_found.detail"))
        if error.status == 429:
            return error_page(request, 429, "error.too_many.title", t("error.too_many.detail"))
        if error.status >= 500:
            return error_page(
                request, 503, "error.unavailable.title", t("error.unavailable.detail")
            )
        return render(
            request,
            "error.html",
            {
                "title": error.title or t("error.title"),
                "detail": error.detail,
                "field_errors": [(t.field(e.field), e.message) for e in error.errors],
            },
            status_code=error.status,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> HTMLResponse:
        t = translator(request)
        if error.status_code == 404:
            return error_page(request, 404, "error.not_found.title", t("error.not_found.detail"))
        if error.status_code == 405:
            return error_page(
                request, 405, "error.bad_request.title", t("error.bad_request.detail")
            )
        return error_page(
            request, error.status_code, "error.bad_request.title", t("error.bad_request.detail")
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> HTMLResponse:
        # Only path parameters are validated by FastAPI here (a case id that is not a UUID).
        t = translator(request)
        return error_page(request, 404, "error.not_found.title", t("error.not_found.detail"))
