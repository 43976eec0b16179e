"""Citizen pages: send a tip, keep its codes, follow it and answer the unit's questions.

The tracking code and secret travel only in POST bodies and the signed session cookie, never
in a URL, so they stay out of browser history, proxies and logs.
"""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.console.clients import ApiError
from services.console.csrf import checked_form
from services.console.forms import (
    CONTACT_FIELDS,
    KINDS,
    TIP_FIELDS,
    new_submission_id,
    submission_id,
    text_values,
    tip_body,
)
from services.console.sessions import session_of
from services.console.web import clients, flash, redirect, render, settings, translator

router = APIRouter(tags=["citizen"])


def _tip_form(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    photo_dropped: bool = False,
) -> HTMLResponse:
    values = values or {}
    return render(
        request,
        "tip_new.html",
        {
            "kinds": KINDS,
            "values": values,
            "errors": errors or {},
            "consent": values.get("contact_consent") == "on",
            "submission_id": values.get("submission_id") or new_submission_id(),
            "photo_dropped": photo_dropped,
        },
        status_code=status_code,
    )


@router.get("/tips/new", response_class=HTMLResponse)
async def new_tip(request: Request) -> HTMLResponse:
    """The tip form."""
    return _tip_form(request)


async def _photo(upload: object) -> bytes | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read()
    return data or None


@router.post("/tips/new", response_class=HTMLResponse)
async def send_tip(request: Request) -> Response:
    """Send the tip to intake; on success show the codes (after a redirect)."""
    form = await checked_form(request, max_files=1)
    t = translator(request)
    values = text_values(form, (*TIP_FIELDS, *CONTACT_FIELDS))
    values["contact_consent"] = "on" if form.get("contact_consent") == "on" else ""
    values["submission_id"] = submission_id(form.get("submission_id"))
    photo = await _photo(form.get("photo"))
    body, errors = tip_body(
        values,
        consent=values["contact_consent"] == "on",
        photo=photo,
        max_photo_bytes=settings(request).max_photo_bytes,
        t=t,
    )
    if errors:
        return _tip_form(
            request, values=values, errors=errors, status_code=422, photo_dropped=bool(photo)
        )
    try:
        answer = await clients(request).submit_tip(
            body, idempotency_key=values["submission_id"], language=t.language
        )
    except ApiError as error:
        if error.status != 422:
            raise
        field_errors = {e.field: e.message for e in error.errors} or {"body": error.detail}
        return _tip_form(
            request,
            values=values,
            errors=field_errors,
            status_code=422,
            photo_dropped=bool(photo),
        )
    session = session_of(request)
    receipt = {
        "code": answer["tracking_code"],
        "secret": answer["secret"],
        "received_at": answer["received_at"],
    }
    session["receipt"] = receipt
    session["tip"] = {"code": receipt["code"], "secret": receipt["secret"]}
    return redirect("/tips/submitted")


@router.get("/tips/submitted", response_class=HTMLResponse)
async def tip_submitted(request: Request) -> Response:
    """The tracking code and secret, with the warning to keep them."""
    receipt = session_of(request).get("receipt")
    if not isinstance(receipt, dict):
        return redirect("/tips/new")
    return render(request, "tip_done.html", {"receipt": receipt})


@router.get("/tips/track", response_class=HTMLResponse)
async def track(request: Request) -> Response:
    """The tip's progress if this browser holds its codes, else the form asking for them."""
    tip = session_of(request).get("tip")
    if not isinstance(tip, dict):
        return render(request, "track_form.html", {"code": "", "error": None})
    t = translator(request)
    api = clients(request)
    try:
        status, messages = await asyncio.gather(
            api.tip_status(tip["code"], tip["secret"], language=t.language),
            api.tip_messages(tip["code"], tip["secret"], language=t.language),
        )
    except ApiError as error:
        if error.status not in {404, 429}:
            raise
        session_of(request).pop("tip", None)
        message = t("track.too_many") if error.status == 429 else error.detail
        return render(
            request,
            "track_form.html",
            {"code": tip["code"], "error": message},
            status_code=error.status,
        )
    return render(request, "track_status.html", {"status": status, "messages": messages})


@router.post("/tips/track", response_class=HTMLResponse)
async def open_tip(request: Request) -> Response:
    """Check the code and secret with intake; remember them in this browser's session."""
    form = await checked_form(request)
    t = translator(request)
    values = text_values(form, ("code", "secret"))
    try:
        status = await clients(request).tip_status(
            values["code"], values["secret"], language=t.language
        )
    except ApiError as error:
        if error.status not in {404, 422, 429}:
            raise
        message = t("track.too_many") if error.status == 429 else error.detail
        return render(
            request,
            "track_form.html",
            {"code": values["code"], "error": message},
            status_code=404 if error.status == 422 else error.status,
        )
    session = session_of(request)
    session["tip"] = {"code": status["tracking_code"], "secret": values["secret"]}
    return redirect("/tips/track")


@router.post("/tips/track/messages", response_class=HTMLResponse)
async def send_message(request: Request) -> Response:
    """Answer a question or add information (anonymously, through intake)."""
    form = await checked_form(request)
    tip = session_of(request).get("tip")
    if not isinstance(tip, dict):
        return redirect("/tips/track")
    t = translator(request)
    values = text_values(form, ("text", "in_reply_to"))
    try:
        await clients(request).add_tip_message(
            tip["code"],
            tip["secret"],
            text=values["text"],
            in_reply_to=values["in_reply_to"] or None,
            language=t.language,
        )
    except ApiError as error:
        if error.status != 422:
            raise
        details: list[Any] = [f"{t.field(e.field)}: {e.message}" for e in error.errors]
        flash(request, "error", "; ".join(details) or error.detail)
        return redirect("/tips/track")
    flash(request, "success", t("track.sent"))
    return redirect("/tips/track")


@router.post("/tips/forget", response_class=HTMLResponse)
async def forget_tip(request: Request) -> Response:
    """Remove the codes from this browser's session."""
    await checked_form(request)
    session = session_of(request)
    session.pop("tip", None)
    session.pop("receipt", None)
    flash(request, "success", translator(request)("track.forgotten"))
    return redirect("/")
