"""The SLA dashboard of ward supervisors, city monitors and auditors (from notify's API)."""

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.i18n import LOCAL_ZONE
from services.console.web import (
    CASE_ROLES,
    DASHBOARD_ROLES,
    StaffMember,
    clients,
    error_page,
    render,
    require_staff,
    translator,
)

router = APIRouter(tags=["supervisor"])
PERIOD_KINDS = ("monthly", "six_month", "nine_month", "annual")
STAGES = ("received", "verified", "classified", "handled")
FORMATS = ("csv", "xlsx", "png")
TREND_MONTHS = 6
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
_WARD = re.compile(r"^\d{5}$")
# One colour per stage in the trend chart (the table says the same in words).
STAGE_COLOURS = {
    "received": "#1565c0",
    "verified": "#6a1b9a",
    "classified": "#ef6c00",
    "handled": "#2e7d32",
}


def today_local() -> date:
    return datetime.now(UTC).astimezone(LOCAL_ZONE).date()


def default_period(kind: str, today: date) -> str:
    return f"{today.year}-{today.month:02d}" if kind == "monthly" else str(today.year)


def period_valid(kind: str, period: str) -> bool:
    pattern = _MONTH if kind == "monthly" else _YEAR
    return bool(pattern.match(period)) and 2000 <= int(period[:4]) <= 2200


def months_ending(last: date, count: int) -> list[str]:
    """The `count` months up to and including `last`'s month, oldest first (as 2026-11)."""
    months = []
    year, month = last.year, last.month
    for _ in range(count):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def rating(pct: float | None) -> str:
    """Colour class of an on-time rate against the 100% target."""
    if pct is None:
        return "none"
    return "ok" if pct >= 100 else "warn" if pct >= 90 else "bad"


@dataclass(frozen=True)
class TrendLine:
    stage: str
    colour: str
    points: str
    dots: list[tuple[float, float, float]]


@dataclass(frozen=True)
class TrendChart:
    """A line chart of monthly on-time rates, drawn as inline SVG by the template."""

    width: int
    height: int
    left: int
    right: int
    top: int
    plot_height: int
    months: list[tuple[float, str]]
    lines: list[TrendLine]
    ticks: list[tuple[float, int]]


def trend_chart(reports: list[tuple[str, dict[str, Any]]]) -> TrendChart:
    """Place each stage's monthly rate on a 0–100% scale; months with nothing due are gaps."""
    width, height, left, top, bottom, right = 640, 260, 44, 16, 36, 36
    plot_width, plot_height = width - left - right, height - top - bottom
    step = plot_width / max(len(reports) - 1, 1)

    def y(pct: float) -> float:
        return round(top + plot_height * (1 - pct / 100), 1)

    lines = []
    for stage in STAGES:
        dots = []
        for index, (_, report) in enumerate(reports):
            figures = next((s for s in report.get("stages", []) if s.get("stage") == stage), {})
            pct = figures.get("compliance_pct")
            if pct is not None:
                dots.append((round(left + index * step, 1), y(float(pct)), float(pct)))
        points = " ".join(f"{x},{py}" for x, py, _ in dots)
        lines.append(TrendLine(stage, STAGE_COLOURS[stage], points, dots))
    months = [(round(left + i * step, 1), label) for i, (label, _) in enumerate(reports)]
    ticks = [(y(value), value) for value in (0, 25, 50, 75, 100)]
    return TrendChart(width, height, left, width - right, top, plot_height, months, lines, ticks)


def _scope(staff: StaffMember, asked: str | None) -> str | None:
    """Supervisors see their ward; monitors and auditors the ward asked for, or the city."""
    if staff.role == "supervisor":
        return staff.ward_code
    return asked if asked and _WARD.match(asked) else None


def _choice(request: Request, staff: StaffMember) -> tuple[str, str, str | None, bool]:
    query = request.query_params
    kind = query.get("kind", "monthly")
    kind = kind if kind in PERIOD_KINDS else "monthly"
    period = query.get("period", "").strip()
    bad = bool(period) and not period_valid(kind, period)
    if not period or bad:
        period = default_period(kind, today_local())
    return kind, period, _scope(staff, query.get("ward", "").strip()), bad


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> HTMLResponse:
    """Four-stage on-time rates against 100%, a six-month trend, live warnings and breaches."""
    staff = require_staff(request, *DASHBOARD_ROLES)
    t = translator(request)
    kind, period, ward, bad_period = _choice(request, staff)
    api = clients(request)
    report = await api.report(staff.token, kind, period, ward=ward, language=t.language)
    start, end = report["period"]["start"], report["period"]["end"]
    last_day = datetime.fromisoformat(end).date() - timedelta(days=1)
    months = months_ending(min(last_day, today_local()), TREND_MONTHS)
    board, *monthly = await asyncio.gather(
        api.sla_board(
            staff.token,
            ward=ward,
            started_from=start,
            started_before=end,
            language=t.language,
        ),
        *(api.report(staff.token, "monthly", m, ward=ward, language=t.language) for m in months),
    )
    return render(
        request,
        "dashboard.html",
        {
            "kind": kind,
            "period": period,
            "ward": ward,
            "bad_period": bad_period,
            "period_kinds": PERIOD_KINDS,
            "report": report,
            "board": board,
            "trend": trend_chart(list(zip(months, monthly, strict=True))),
            "rating": rating,
            "can_open_cases": staff.role in CASE_ROLES,
            "ward_fixed": staff.role == "supervisor",
        },
    )


@router.get("/dashboard/report.{fmt}")
async def download(fmt: str, request: Request) -> Response:
    """The report as CSV, XLSX or PNG, fetched with the token kept in the session."""
    staff = require_staff(request, *DASHBOARD_ROLES)
    t = translator(request)
    if fmt not in FORMATS:
        return error_page(request, 404, "error.not_found.title", t("error.not_found.detail"))
    kind, period, ward, _ = _choice(request, staff)
    report = await clients(request).report_file(
        staff.token, kind, period, ward=ward, fmt=fmt, language=t.language
    )
    return Response(
        report.content,
        media_type=report.media_type,
        headers={"Content-Disposition": report.disposition},
    )
