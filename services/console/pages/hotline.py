"""The hotline operator's fast entry form, for a call in progress."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.clients import ApiError
from services.console.csrf import checked_form
from services.console.forms import (
    KINDS,
    TIP_FIELDS,
    hotline_body,
    new_submission_id,
    submission_id,
    text_values,
)
from services.console.i18n import LOCAL_ZONE
from services.console.sessions import session_of
from services.console.web import HOTLINE_ROLES, clients, redirect, render, require_staff, translator

router = APIRouter(tags=["hotline"])
HOTLINE_FIELDS = (*TIP_FIELDS, "call_started_at", "caller_number")


def _now_local() -> str:
    return datetime.now(UTC).astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def _form(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    receipt: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    values = values or {"call_started_at": _now_local(), "kind": "feedback"}
    return render(
        request,
        "hotline.html",
        {
            "kinds": KINDS,
            "values": values,
            "errors": errors or {},
            "receipt": receipt,
            "submission_id": values.get("submission_id") or new_submission_id(),
        },
        status_code=status_code,
    )


@router.get("/hotline", response_class=HTMLResponse)
async def hotline_form(request: Request) -> HTMLResponse:
    """The entry form; after a call, the codes to read to the caller."""
    require_staff(request, *HOTLINE_ROLES)
    receipt = session_of(request).pop("hotline_receipt", None)
    return _form(request, receipt=receipt if isinstance(receipt, dict) else None)


@router.post("/hotline", response_class=HTMLResponse)
async def record_call(request: Request) -> Response:
    """Send the call to intake's hotline bridge with the operator's token."""
    staff = require_staff(request, *HOTLINE_ROLES)
    form = await checked_form(request)
    t = translator(request)
    values = text_values(form, HOTLINE_FIELDS)
    values["submission_id"] = submission_id(form.get("submission_id"))
    caller_consents = form.get("caller_consents") == "on"
    body, errors = hotline_body(values, caller_consents=caller_consents, t=t)
    if errors:
        return _form(request, values=values, errors=errors, status_code=422)
    try:
        answer = await clients(request).hotline_tip(
            staff.token, body, idempotency_key=values["submission_id"], language=t.language
        )
    except ApiError as error:
        if error.status != 422:
            raise
        field_errors = {e.field: e.message for e in error.errors} or {"body": error.detail}
        return _form(request, values=values, errors=field_errors, status_code=422)
    session_of(request)["hotline_receipt"] = {
        "code": answer["tracking_code"],
        "secret": answer["secret"],
        "earlier": answer.get("earlier_tips_from_caller", 0),
    }
    return redirect("/hotline")
