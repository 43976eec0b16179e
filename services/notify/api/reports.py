"""Report downloads for supervisors, city monitors and auditors."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from services.notify.reports import compute_report, period_for, to_csv, to_png, to_xlsx
from shared.auth import Principal, require_roles
from shared.problems import Problem, Text, field_problem, problem_responses

router = APIRouter(
    prefix="/api/v1/reports",
    tags=["reports"],
    responses=problem_responses(400, 401, 403, 413, 422, 503),
)

ReportReader = Annotated[
    Principal,
    Depends(
        require_roles(
            "supervisor",
            "city_monitor",
            "auditor",
            settings_of=lambda request: request.app.state.notify.settings,
        )
    ),
]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
}


def _bad_period(spec: str) -> Problem:
    return field_problem(
        "period",
        Text(
            f"Không hiểu '{spec}': dùng 2026-10 cho báo cáo tháng, 2026 cho các kỳ khác.",
            f"Cannot read '{spec}': use 2026-10 for monthly, 2026 for the others.",
        ),
    )


@router.get("/{kind}/{period}")
async def report(
    kind: Literal["monthly", "six_month", "nine_month", "annual"],
    period: str,
    principal: ReportReader,
    request: Request,
    ward: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    format: Literal["json", "csv", "xlsx", "png"] = "json",
) -> Response:
    """A periodic SLA report (JSON, CSV, XLSX or a PNG chart); supervisors see their ward."""
    if principal.role == "supervisor":
        ward = principal.ward_code  # a supervisor's scope is their ward, whatever was asked
    try:
        chosen = period_for(kind, period)
    except (ValueError, KeyError):
        raise _bad_period(period) from None
    notify = request.app.state.notify
    async with notify.runtime.sessions() as session:
        figures = await compute_report(session, chosen, ward_code=ward, as_of=notify.clock.now())
    if format == "json":
        return JSONResponse(_jsonable(figures.as_dict()))
    body = {"csv": to_csv, "xlsx": to_xlsx, "png": to_png}[format](figures)
    filename = f"tinbao-{kind}-{period}-{ward or 'toan-thanh-pho'}.{format}"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _jsonable(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
