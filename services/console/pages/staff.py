"""Staff sign-in and sign-out (triage issues the bearer token; the session keeps it)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.clients import ApiError
from services.console.csrf import checked_form, rotate_token
from services.console.forms import text_values
from services.console.sessions import session_of
from services.console.web import (
    ROLE_HOME,
    clients,
    flash,
    redirect,
    render,
    staff_of,
    translator,
)

router = APIRouter(tags=["staff"])


@router.get("/staff/login", response_class=HTMLResponse)
async def login_form(request: Request) -> Response:
    """The sign-in form (or the staff member's own page when already signed in)."""
    staff = staff_of(request)
    if staff is not None:
        return redirect(ROLE_HOME.get(staff.role, "/"))
    return render(request, "login.html", {"username": "", "error": None})


@router.post("/staff/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """Check the password with triage and keep the token in the session."""
    form = await checked_form(request)
    t = translator(request)
    values = text_values(form, ("username",))
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    try:
        answer = await clients(request).sign_in(values["username"], password, language=t.language)
    except ApiError as error:
        if error.status not in {400, 401, 422}:
            raise
        return render(
            request,
            "login.html",
            {"username": values["username"], "error": t("login.failed")},
            status_code=401,
        )
    session = session_of(request)
    # A new session on sign-in: nothing a visitor held before (codes, token) carries over.
    session.clear()
    rotate_token(session)
    session["staff"] = {
        "token": answer["access_token"],
        "username": values["username"],
        "role": answer["role"],
        "ward_code": answer.get("ward_code"),
        "unit": answer.get("unit"),
    }
    flash(request, "success", t("login.welcome", username=values["username"]))
    return redirect(ROLE_HOME.get(answer["role"], "/"))


@router.post("/staff/logout", response_class=HTMLResponse)
async def logout(request: Request) -> Response:
    """Forget the token."""
    await checked_form(request)
    session = session_of(request)
    session.clear()
    rotate_token(session)
    flash(request, "success", translator(request)("login.signed_out"))
    return redirect("/")
