"""What every page shares: templates, the language, the signed-in staff member, messages."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from services.console.clients import ServiceClients
from services.console.config import ConsoleSettings
from services.console.csrf import CSRF_FIELD, ensure_token
from services.console.i18n import LANGUAGE_COOKIE, Language, Translator, choose_language
from services.console.sessions import Session, session_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"

# Where each role starts after signing in.
ROLE_HOME = {
    "officer": "/cases",
    "supervisor": "/dashboard",
    "city_monitor": "/dashboard",
    "auditor": "/dashboard",
    "hotline_operator": "/hotline",
    "admin": "/hotline",
}
CASE_ROLES = ("officer", "supervisor")
DASHBOARD_ROLES = ("supervisor", "city_monitor", "auditor")
HOTLINE_ROLES = ("hotline_operator", "admin")


def template_environment() -> jinja2.Environment:
    """Jinja with autoescaping on everywhere: tip text is shown as text, never as markup."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class SignInRequired(Exception):
    """The page needs a signed-in staff member (answered with a redirect to sign-in)."""

    def __init__(self, *, expired: bool = False) -> None:
        super().__init__("sign-in required")
        self.expired = expired


class RoleNotAllowed(Exception):
    """The signed-in staff member's role may not use this page (answered with 403)."""


@dataclass(frozen=True)
class StaffMember:
    """Who is signed in, from the session (the token itself is checked by the services)."""

    token: str
    username: str
    role: str
    ward_code: str | None
    unit: str | None

    @property
    def user_id(self) -> str | None:
        """The token's subject, read without verifying: only to say "me" on a page."""
        try:
            payload = self.token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError, binascii.Error):
            return None
        return str(claims.get("sub")) if isinstance(claims, dict) else None


def language_of(request: Request) -> Language:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def translator(request: Request) -> Translator:
    return Translator(language_of(request))


def clients(request: Request) -> ServiceClients:
    return request.app.state.clients


def settings(request: Request) -> ConsoleSettings:
    return request.app.state.settings


def staff_of(request: Request) -> StaffMember | None:
    data = session_of(request).get("staff")
    if not isinstance(data, dict) or not data.get("token"):
        return None
    return StaffMember(
        token=str(data["token"]),
        username=str(data.get("username", "")),
        role=str(data.get("role", "")),
        ward_code=data.get("ward_code"),
        unit=data.get("unit"),
    )


def require_staff(request: Request, *roles: str) -> StaffMember:
    """The signed-in staff member, if their role is one of `roles`."""
    staff = staff_of(request)
    if staff is None:
        raise SignInRequired
    if roles and staff.role not in roles:
        raise RoleNotAllowed
    return staff


def flash(request: Request, kind: str, text: str) -> None:
    """A message for the next page shown (kind: success, error, info)."""
    session = session_of(request)
    messages = list(session.get("flash", []))
    messages.append({"kind": kind, "text": text})
    session["flash"] = messages[-5:]


def _pop_flashes(session: Session) -> list[dict[str, str]]:
    messages = session.get("flash", [])
    if messages:
        del session["flash"]
    return list(messages)


def switch_language_url(request: Request, language: Language) -> str:
    """This page in the other language (the query holds no personal data: only filters)."""
    other = "en" if language == "vi" else "vi"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", other))
    return f"{request.url.path}?{urlencode(params)}"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with what every template uses (words, CSRF token, staff, messages)."""
    t = translator(request)
    session = session_of(request)
    environment: jinja2.Environment = request.app.state.templates
    now = datetime.now(UTC)

    def deadline(state: str | None, due_at: str | datetime | None) -> DeadlineView:
        return deadline_view(t, state, due_at, now)

    page = environment.get_template(name).render(
        {
            "request": request,
            "t": t,
            "lang": t.language,
            "csrf_field": CSRF_FIELD,
            "csrf_token": ensure_token(session),
            "staff": staff_of(request),
            "role_home": ROLE_HOME,
            "flashes": _pop_flashes(session),
            "switch_language_url": switch_language_url(request, t.language),
            "now": now,
            "deadline": deadline,
            **(context or {}),
        }
    )
    return HTMLResponse(page, status_code=status_code)


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: after a form, the browser loads the result page with GET."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status_code: int, title_key: str, detail: str) -> HTMLResponse:
    t = translator(request)
    return render(
        request,
        "error.html",
        {"title": t(title_key), "detail": detail, "field_errors": []},
        status_code=status_code,
    )


OPEN_STATES = ("on_time", "warning", "breached")


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as a person reads it: a state (colour and words) and the time left or over."""

    state: str
    words: str
    remaining: str


def deadline_view(
    t: Translator, state: str | None, due_at: str | datetime | None, now: datetime
) -> DeadlineView:
    """Describe a deadline; an open one past its time reads "breached" even before the sweep."""
    due = datetime.fromisoformat(due_at) if isinstance(due_at, str) and due_at else due_at
    state = state or "on_time"
    if state in OPEN_STATES:
        if not isinstance(due, datetime):
            return DeadlineView("none", t("sla.no_deadline"), "")
        seconds = (due - now).total_seconds()
        if seconds <= 0:
            return DeadlineView(
                "breached", t("sla.breached"), t("sla.over", duration=t.duration(seconds))
            )
        return DeadlineView(state, t(f"sla.{state}"), t("sla.left", duration=t.duration(seconds)))
    return DeadlineView(state, t(f"sla.{state}"), "")
