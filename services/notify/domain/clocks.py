"""Plan the stage clocks of a new case from the SLA policy."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

STAGES = ("received", "verified", "classified", "handled")
WARNING_FRACTIONS = (0.5, 0.8)


@dataclass(frozen=True)
class ClockPlan:
    """How one stage clock starts."""

    stage: str
    status: str
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    policy_version: str
    warn_points: list[datetime] = field(default_factory=list)


class DeadlinePolicy(Protocol):
    """Where deadlines come from: the legal policy (calendar, working days) or a stand-in."""

    version: str

    def due(self, *, kind: str, priority: str, stage: str, start: datetime) -> datetime: ...

    def warnings(
        self, *, kind: str, priority: str, stage: str, start: datetime, due: datetime
    ) -> list[datetime]: ...


class FixedDaysPolicy:
    """A stand-in policy in calendar time: urgent and crime classification 24 h."""

    version = "fixed-days-1"
    DAYS: ClassVar[dict[str, int]] = {"verified": 7, "classified": 10, "handled": 30}

    def due(self, *, kind: str, priority: str, stage: str, start: datetime) -> datetime:
        if priority == "urgent" and kind.startswith("crime"):
            return start + timedelta(hours=24)
        if kind.startswith("crime") and stage == "classified":
            return start + timedelta(hours=24)
        return start + timedelta(days=self.DAYS[stage])

    def warnings(
        self, *, kind: str, priority: str, stage: str, start: datetime, due: datetime
    ) -> list[datetime]:
        return [start + (due - start) * fraction for fraction in WARNING_FRACTIONS]


class ClockPlanner:
    """Turn a case's kind and priority into its four stage clocks."""

    def __init__(self, policy: DeadlinePolicy | None = None) -> None:
        self.policy = policy or FixedDaysPolicy()

    def plan(self, *, kind: str, priority: str, received_at: datetime) -> list[ClockPlan]:
        """Received is met at once (intake registered it); the others run from receipt."""
        version = self.policy.version
        plans = [ClockPlan("received", "met", received_at, received_at, received_at, version)]
        for stage in STAGES[1:]:
            due = self.policy.due(kind=kind, priority=priority, stage=stage, start=received_at)
            warn = self.policy.warnings(
                kind=kind, priority=priority, stage=stage, start=received_at, due=due
            )
            plans.append(
                ClockPlan(
                    stage,
                    "running",
                    received_at,
                    due,
                    None,
                    version,
                    sorted(w for w in warn if w < due),
                )
            )
        return plans
