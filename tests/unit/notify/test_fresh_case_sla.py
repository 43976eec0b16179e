"""A new case's nearest deadline and state, computed from its clock plans."""

from datetime import UTC, datetime, timedelta
from typing import get_args

from services.notify.domain.clocks import ClockPlan, ClockPlanner, fresh_case_sla
from shared.contracts.events import TipKind

RECEIVED = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def test_the_nearest_running_deadline_and_on_time() -> None:
    plans = [
        ClockPlan("received", "met", RECEIVED, RECEIVED, RECEIVED, "v"),
        ClockPlan("verified", "running", RECEIVED, RECEIVED + timedelta(days=20), None, "v"),
        ClockPlan("classified", "running", RECEIVED, RECEIVED + timedelta(days=3), None, "v"),
        ClockPlan("handled", "pending", RECEIVED, None, None, "v", "classified"),
    ]
    assert fresh_case_sla(plans) == (RECEIVED + timedelta(days=3), "on_time")


def test_no_running_clock_means_no_deadline() -> None:
    plans = [ClockPlan("received", "met", RECEIVED, RECEIVED, RECEIVED, "v")]
    assert fresh_case_sla(plans) == (None, "on_time")


def test_the_legal_plans_of_every_kind_have_a_deadline() -> None:
    planner = ClockPlanner()
    for kind in get_args(TipKind):
        for priority in ("urgent", "normal"):
            plans = planner.plan(kind=kind, priority=priority, received_at=RECEIVED)
            due, state = fresh_case_sla(plans)
            running = [p.due_at for p in plans if p.status == "running"]
            assert due == min(running) and state == "on_time"
