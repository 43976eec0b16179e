"""The officer's queue and case page, with a form for every triage action."""

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.clients import ApiError
from services.console.csrf import checked_form
from services.console.forms import ACTIONS, action_body, text_values
from services.console.i18n import LABELS
from services.console.web import (
    CASE_ROLES,
    StaffMember,
    clients,
    error_page,
    flash,
    redirect,
    render,
    require_staff,
    translator,
)

router = APIRouter(tags=["officer"])
PAGE_SIZE = 50
# Timeline entries that name another case, and how the page labels the link.
LINKING_ACTIONS = {
    "merged_in": ("from_case_id", "case.linked.merged_in"),
    "merged_into": ("case_id", "case.linked.merged_into"),
    "split": ("new_case_id", "case.linked.split"),
    "split_from": ("from_case_id", "case.linked.split_from"),
}


def _queue_params(request: Request) -> dict[str, str | int]:
    """The queue's filters from the query string (only known values pass)."""
    query = request.query_params
    params: dict[str, str | int] = {"limit": PAGE_SIZE}
    if query.get("priority") in LABELS["priority"]:
        params["priority"] = query["priority"]
    if query.get("status") in LABELS["status"]:
        params["status"] = query["status"]
    if query.get("include_handled") == "1":
        params["include_handled"] = "true"
    offset = query.get("offset", "0")
    params["offset"] = int(offset) if offset.isdigit() and int(offset) < 100_000 else 0
    return params


@router.get("/cases", response_class=HTMLResponse)
async def queue(request: Request) -> HTMLResponse:
    """My queue, as triage orders it: urgent first, then the nearest deadline."""
    staff = require_staff(request, *CASE_ROLES)
    t = translator(request)
    params = _queue_params(request)
    page = await clients(request).queue(staff.token, params, language=t.language)
    return render(request, "queue.html", {"page": page, "params": params, "page_size": PAGE_SIZE})


@router.post("/cases/find", response_class=HTMLResponse)
async def find_case(request: Request) -> Response:
    """Open the case holding a tracking code (sent in a form: codes stay out of URLs)."""
    staff = require_staff(request, *CASE_ROLES)
    form = await checked_form(request)
    t = translator(request)
    code = text_values(form, ("code",))["code"]
    try:
        case = await clients(request).case_by_code(staff.token, code, language=t.language)
    except ApiError as error:
        if error.status not in {404, 422}:
            raise
        flash(request, "error", t("queue.find.none"))
        return redirect("/cases")
    return redirect(f"/cases/{case['id']}")


def _linked_cases(case: dict[str, Any]) -> list[tuple[str, str]]:
    links = []
    for entry in case.get("timeline", []):
        found = LINKING_ACTIONS.get(entry.get("action", ""))
        if found:
            other = (entry.get("detail") or {}).get(found[0])
            if isinstance(other, str):
                links.append((found[1], other))
    return links


def available_actions(case: dict[str, Any], user_id: str | None) -> list[str]:
    """The actions that make sense for the case's status (triage still decides)."""
    status = case.get("status")
    if status == "handled":
        return ["reopen", "note"]
    if status == "merged":
        return ["note"]
    if status == "suspended":
        return ["resume", "note", "question"]
    actions = [a for a in ACTIONS if a not in {"reopen", "resume"}]
    if case.get("assignee_id") and case.get("assignee_id") == user_id:
        actions.remove("claim")
    return actions


async def _case_page(
    request: Request,
    staff: StaffMember,
    case_id: uuid.UUID,
    *,
    status_code: int = 200,
    problem: ApiError | None = None,
    failed_action: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    t = translator(request)
    api = clients(request)
    case, clocks = await asyncio.gather(
        api.case(staff.token, str(case_id), language=t.language),
        api.case_clocks(staff.token, str(case_id), language=t.language),
    )
    return render(
        request,
        "case.html",
        {
            "case": case,
            "clocks": clocks,
            "linked": _linked_cases(case),
            "actions": available_actions(case, staff.user_id),
            "user_id": staff.user_id,
            "problem": problem,
            "failed_action": failed_action,
            "values": values or {},
            "labels": LABELS,
        },
        status_code=status_code,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(case_id: uuid.UUID, request: Request) -> HTMLResponse:
    """A case: its tips, linked cases, timeline, deadlines, and the action forms."""
    staff = require_staff(request, *CASE_ROLES)
    return await _case_page(request, staff, case_id)


@router.post("/cases/{case_id}/actions/{action}", response_class=HTMLResponse)
async def act(case_id: uuid.UUID, action: str, request: Request) -> Response:
    """Record an action; a concurrent change (409) or a refusal (422) is shown on the case."""
    staff = require_staff(request, *CASE_ROLES)
    form = await checked_form(request)
    t = translator(request)
    if action not in ACTIONS:
        return error_page(request, 404, "error.not_found.title", t("error.not_found.detail"))
    body = action_body(action, form)
    if body is None:
        return error_page(request, 400, "error.bad_request.title", t("error.bad_request.detail"))
    try:
        await clients(request).act(staff.token, str(case_id), action, body, language=t.language)
    except ApiError as error:
        if error.status not in {409, 422}:
            raise
        return await _case_page(
            request,
            staff,
            case_id,
            status_code=error.status,
            problem=error,
            failed_action=action,
            values=text_values(form, ACTIONS[action]),
        )
    flash(request, "success", t("case.done", action=t(f"action.{action}")))
    return redirect(f"/cases/{case_id}")
