"""Plan the stage clocks of a new case from the SLA policy."""

from dataclasses import dataclass
from datetime import datetime, timedelta

STAGES = ("received", "verified", "classified", "handled")


@dataclass(frozen=True)
class ClockPlan:
    """How one stage clock starts."""

    stage: str
    status: str
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    policy_version: str


class ClockPlanner:
    """Turn a case's kind and priority into its four stage clocks."""

    policy_version = "skeleton-1"

    def plan(self, *, kind: str, priority: str, received_at: datetime) -> list[ClockPlan]:
        """Received is met at once (intake registered it); the others run from receipt."""
        days = {"verified": 7, "classified": 1, "handled": 30}
        plans = [
            ClockPlan("received", "met", received_at, received_at, received_at, self.policy_version)
        ]
        for stage in STAGES[1:]:
            plans.append(
                ClockPlan(
                    stage,
                    "running",
                    received_at,
                    received_at + timedelta(days=days[stage]),
                    None,
                    self.policy_version,
                )
            )
        return plans
