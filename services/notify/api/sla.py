"""Live SLA state for the web console: a case's stage clocks, and a scope's warnings and breaches.

The periodic reports count a stage in the period its deadline falls in; these endpoints show
where things stand now. They carry deadlines, kinds, wards and units — never tip text or names.
"""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from services.notify.config import NotifySettings
from services.notify.db.tables import SlaClock
from services.notify.reports import TRACKED_STAGES
from shared.auth import Principal, require_roles
from shared.problems import Problem, Text, field_problem, problem_responses

router = APIRouter(
    prefix="/api/v1/sla",
    tags=["sla"],
    responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
)


def _settings(request: Request) -> NotifySettings:
    return request.app.state.notify.settings


ClockReader = Annotated[
    Principal,
    Depends(
        require_roles("officer", "supervisor", "city_monitor", "auditor", settings_of=_settings)
    ),
]
BoardReader = Annotated[
    Principal,
    Depends(require_roles("supervisor", "city_monitor", "auditor", settings_of=_settings)),
]

ClockState = Literal[
    "pending", "on_time", "warning", "breached", "paused", "met", "late", "cancelled"
]

CLOCKS_NOT_FOUND = Problem(
    status=404,
    slug="clocks-not-found",
    title=Text("Không tìm thấy thời hạn", "No deadlines found"),
    detail=Text(
        "Vụ việc này chưa có thời hạn nào trong phạm vi của bạn.",
        "This case has no deadlines in your scope (yet).",
    ),
)


class ClockRead(BaseModel):
    """One stage clock of a case, as the console shows it (no personal data)."""

    case_id: str
    stage: str
    kind: str
    priority: str
    ward_code: str | None
    unit: str | None
    category: str | None
    status: str
    state: ClockState
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    extended_days: int
    warnings_sent: int


class StageBoard(BaseModel):
    """How one stage stands: open clocks by state, and finished ones on time or late."""

    stage: str
    on_time: int
    warning: int
    breached: int
    paused: int
    met: int
    late: int


class SlaBoard(BaseModel):
    """A scope's live SLA state: counts per stage and the open warnings and breaches."""

    ward_code: str | None
    as_of: datetime
    stages: list[StageBoard]
    breached: list[ClockRead]
    warnings: list[ClockRead]


def clock_state(
    *,
    status: str,
    due_at: datetime | None,
    completed_at: datetime | None,
    warnings_sent: int,
    now: datetime,
) -> ClockState:
    """Say where a clock stands now: open (on time, warning, breached), paused, or finished."""
    if status in {"pending", "paused", "cancelled"}:
        return status  # type: ignore[return-value]
    if completed_at is not None:
        return "met" if due_at is None or completed_at <= due_at else "late"
    if status == "breached" or (due_at is not None and due_at <= now):
        return "breached"
    return "warning" if warnings_sent > 0 else "on_time"


def _read(row: Any, now: datetime) -> ClockRead:
    return ClockRead(
        case_id=str(row.case_id),
        stage=row.stage,
        kind=row.kind,
        priority=row.priority,
        ward_code=row.ward_code,
        unit=row.unit,
        category=row.category,
        status=row.status,
        state=clock_state(
            status=row.status,
            due_at=row.due_at,
            completed_at=row.completed_at,
            warnings_sent=row.warnings_sent,
            now=now,
        ),
        started_at=row.started_at,
        due_at=row.due_at,
        completed_at=row.completed_at,
        extended_days=row.extended_days,
        warnings_sent=row.warnings_sent,
    )


def _bounded(name: str, value: datetime | None) -> datetime | None:
    """An aware time between 2000 and 2200 (naive times are taken as UTC)."""
    if value is None:
        return None
    if not 2000 <= value.year <= 2200:
        raise field_problem(
            name, Text("Thời gian phải trong khoảng 2000–2200.", "The time must lie in 2000–2200.")
        )
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _may_read_case(principal: Principal, ward_code: str | None, unit: str | None) -> bool:
    """Officers: their ward, never cases escalated over their unit; supervisors: their ward
    and the manual-triage pool; city monitors and auditors: everywhere."""
    if principal.role in {"city_monitor", "auditor"}:
        return True
    if principal.role == "supervisor":
        return ward_code is None or ward_code == principal.ward_code
    return ward_code is not None and ward_code == principal.ward_code and unit != "supervisor"


@router.get("/cases/{case_id}", response_model=list[ClockRead])
async def case_clocks(
    case_id: uuid.UUID, principal: ClockReader, request: Request
) -> list[ClockRead]:
    """A case's stage clocks (received, verified, classified, handled) and where each stands."""
    notify = request.app.state.notify
    c = SlaClock.__table__.c
    async with notify.runtime.sessions() as session:
        rows = (
            await session.execute(sa.select(SlaClock.__table__).where(c.case_id == case_id))
        ).all()
    if not rows or not all(_may_read_case(principal, r.ward_code, r.unit) for r in rows):
        raise CLOCKS_NOT_FOUND  # others' cases look exactly like missing ones
    now = notify.clock.now()
    order = {stage: index for index, stage in enumerate(TRACKED_STAGES)}
    return [_read(r, now) for r in sorted(rows, key=lambda r: order.get(r.stage, 99))]


@router.get("/board", response_model=SlaBoard)
async def board(
    principal: BoardReader,
    request: Request,
    ward: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    started_from: Annotated[
        datetime | None, Query(description="Count clocks started at or after this time")
    ] = None,
    started_before: Annotated[
        datetime | None, Query(description="Count clocks started before this time")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> SlaBoard:
    """Live SLA state of a scope: per stage, open clocks by state and finished ones on time or
    late; the open breaches and warnings, nearest deadline first. Supervisors see their ward."""
    if principal.role == "supervisor":
        ward = principal.ward_code
    started_from = _bounded("started_from", started_from)
    started_before = _bounded("started_before", started_before)
    notify = request.app.state.notify
    now = notify.clock.now()
    c = SlaClock.__table__.c
    scope = [c.ward_code == ward] if ward else []
    period = [c.started_at >= started_from] if started_from else []
    period += [c.started_at < started_before] if started_before else []
    open_clock = c.completed_at.is_(None) & c.status.in_(("running", "breached"))
    overdue = open_clock & ((c.status == "breached") | (c.due_at <= now))
    warned = open_clock & (c.status == "running") & (c.due_at > now) & (c.warnings_sent > 0)
    finished = c.completed_at.is_not(None) & (c.status != "cancelled")
    late = finished & (c.completed_at > c.due_at)
    counts = (
        sa.select(
            c.stage,
            sa.func.count().filter(open_clock & ~overdue & (c.warnings_sent == 0)).label("on_time"),
            sa.func.count().filter(warned).label("warning"),
            sa.func.count().filter(overdue).label("breached"),
            sa.func.count().filter(c.status == "paused").label("paused"),
            sa.func.count().filter(finished & ~late).label("met"),
            sa.func.count().filter(late).label("late"),
        )
        .where(*scope, *period)
        .group_by(c.stage)
    )
    table = SlaClock.__table__
    async with notify.runtime.sessions() as session:
        by_stage = {row.stage: row for row in await session.execute(counts)}
        breached = (
            await session.execute(
                sa.select(table).where(overdue, *scope).order_by(c.due_at).limit(limit)
            )
        ).all()
        warnings = (
            await session.execute(
                sa.select(table).where(warned, *scope).order_by(c.due_at).limit(limit)
            )
        ).all()
    stages = []
    for stage in TRACKED_STAGES:
        row = by_stage.get(stage)
        figures = {
            name: int(getattr(row, name)) if row else 0
            for name in ("on_time", "warning", "breached", "paused", "met", "late")
        }
        stages.append(StageBoard(stage=stage, **figures))
    return SlaBoard(
        ward_code=ward,
        as_of=now,
        stages=stages,
        breached=[_read(r, now) for r in breached],
        warnings=[_read(r, now) for r in warnings],
    )
