"""Where a stage clock stands now, as the live SLA API reports it."""

from datetime import UTC, datetime, timedelta

import pytest

from services.notify.api.sla import clock_state

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("status", "due", "completed", "warnings", "expected"),
    [
        ("running", NOW + HOUR, None, 0, "on_time"),
        ("running", NOW + HOUR, None, 1, "warning"),
        ("running", NOW - HOUR, None, 0, "breached"),  # past due before the sweeper saw it
        ("breached", NOW - HOUR, None, 2, "breached"),
        ("met", NOW + HOUR, NOW, 0, "met"),
        ("breached", NOW - HOUR, NOW, 2, "late"),
        ("pending", None, None, 0, "pending"),
        ("paused", None, None, 1, "paused"),
        ("cancelled", NOW + HOUR, NOW, 0, "cancelled"),
    ],
)
def test_clock_state(
    status: str,
    due: datetime | None,
    completed: datetime | None,
    warnings: int,
    expected: str,
) -> None:
    state = clock_state(
        status=status, due_at=due, completed_at=completed, warnings_sent=warnings, now=NOW
    )
    assert state == expected
