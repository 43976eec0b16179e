"""Plan the stage clocks of a new case from the SLA policy."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from services.notify.domain.working_days import add_months, end_of_day, local_day

STAGES = ("received", "verified", "classified", "handled")


@dataclass(frozen=True)
class ClockPlan:
    """How one stage clock starts ('pending' until its anchor stage is done)."""

    stage: str
    status: str
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    policy_version: str
    anchor: str = "received"
    warn_points: list[datetime] = field(default_factory=list)


def fresh_case_sla(plans: list[ClockPlan]) -> tuple[datetime | None, str]:
    """A new case's nearest open deadline and state, as case_sla() reads them back.

    Fresh clocks have sent no warning and none is breached yet (the sweeper decides that), so
    the state is on time and the nearest deadline is the earliest running one.
    """
    due = [plan.due_at for plan in plans if plan.status == "running" and plan.due_at is not None]
    return (min(due) if due else None), "on_time"


class DeadlinePolicy(Protocol):
    """Where deadlines come from (the legal policy file in production)."""

    version: str

    def anchor(self, *, kind: str, priority: str, stage: str, at: datetime) -> str: ...

    def due(self, *, kind: str, priority: str, stage: str, start: datetime) -> datetime: ...

    def warnings(
        self, *, kind: str, priority: str, stage: str, start: datetime, due: datetime
    ) -> list[datetime]: ...


class ClockPlanner:
    """Turn a case's kind and priority into its four stage clocks."""

    def __init__(self, policy: DeadlinePolicy | None = None) -> None:
        if policy is None:
            from services.notify.domain.legal_policy import LegalPolicy

            policy = LegalPolicy()
        self.policy = policy

    def start(
        self, *, kind: str, priority: str, stage: str, start: datetime
    ) -> tuple[datetime, list[datetime]]:
        """Deadline and warning times of a clock starting now."""
        due = self.policy.due(kind=kind, priority=priority, stage=stage, start=start)
        return due, self.policy.warnings(
            kind=kind, priority=priority, stage=stage, start=start, due=due
        )

    def plan(self, *, kind: str, priority: str, received_at: datetime) -> list[ClockPlan]:
        """Received is met at once (intake registered it); the others run from their anchor."""
        version = self.policy.version
        plans = [ClockPlan("received", "met", received_at, received_at, received_at, version)]
        for stage in STAGES[1:]:
            anchor = self.policy.anchor(kind=kind, priority=priority, stage=stage, at=received_at)
            if anchor != "received":
                plans.append(ClockPlan(stage, "pending", received_at, None, None, version, anchor))
                continue
            due, warn = self.start(kind=kind, priority=priority, stage=stage, start=received_at)
            plans.append(ClockPlan(stage, "running", received_at, due, None, version, anchor, warn))
        return plans


# Changes to running clocks (documented in the README). Pure, so that their rules can be
# checked for every input, not only the few a scenario test walks through.


def extended_due(due: datetime, days: int) -> datetime:
    """An extension (gia hạn) adds `days` calendar days to a running clock's deadline."""
    return due + timedelta(days=days)


def budget_left(due: datetime, at: datetime) -> timedelta:
    """What a clock suspended at `at` keeps: the time to its deadline, none if it is past."""
    return max(due - at, timedelta(0))


def resumed_due(*, kind: str, at: datetime, budget: timedelta) -> datetime:
    """The deadline of a clock resumed at `at` with the budget it kept.

    A crime case (tố giác, tin báo về tội phạm) gets a fresh one-month budget instead
    (BLTTHS Đ.149), to the end of that day in Hà Nội.
    """
    if kind.startswith("crime"):
        return end_of_day(add_months(local_day(at), 1))
    return at + max(budget, timedelta(0))
