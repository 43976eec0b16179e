"""Properties of the legal deadline arithmetic, for any start time and any number of days."""

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import cache

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.notify.domain.clocks import (
    STAGES,
    ClockPlanner,
    budget_left,
    extended_due,
    resumed_due,
)
from services.notify.domain.legal_policy import LegalPolicy
from services.notify.domain.working_days import (
    WorkingCalendar,
    add_months,
    due_at,
    end_of_day,
    local_day,
    warning_times,
)
from services.notify.reports import period_for
from shared.contracts.events import TipKind

PROPERTIES = settings(max_examples=150, deadline=None)
KINDS = TipKind.__args__  # type: ignore[attr-defined]

# Any instant from 2020 to 2060 (the holidays package knows the lunar calendar there).
MOMENT = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
DAYS = st.integers(min_value=1, max_value=60)


@cache
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@cache
def policy() -> LegalPolicy:
    return LegalPolicy(calendar=cal())


def last_day(due: datetime) -> date:
    """The local day a deadline closes (deadlines fall at 24:00 local time)."""
    return local_day(due - timedelta(microseconds=1))


@PROPERTIES
@given(MOMENT, DAYS)
def test_n_working_days_end_on_a_working_day_after_exactly_n_of_them(
    start: datetime, days: int
) -> None:
    due = due_at(start, days, "WORK_DAYS", cal())
    end = last_day(due)
    assert due == end_of_day(end)
    assert cal().is_working_day(end)
    first = local_day(start)
    counted = sum(
        cal().is_working_day(first + timedelta(days=i)) for i in range(1, (end - first).days + 1)
    )
    assert counted == days
    assert due > start


@PROPERTIES
@given(MOMENT, DAYS, DAYS)
def test_working_day_deadlines_grow_with_the_days(start: datetime, a: int, b: int) -> None:
    fewer, more = sorted((a, b))
    assert due_at(start, fewer, "WORK_DAYS", cal()) <= due_at(start, more, "WORK_DAYS", cal())
    if fewer < more:
        assert due_at(start, fewer, "WORK_DAYS", cal()) < due_at(start, more, "WORK_DAYS", cal())


@PROPERTIES
@given(MOMENT, MOMENT, DAYS, st.sampled_from(["WORK_DAYS", "CAL_DAYS", "MONTHS", "HOURS"]))
def test_a_later_start_never_gives_an_earlier_deadline(
    one: datetime, other: datetime, days: int, unit: str
) -> None:
    earlier, later = sorted((one, other))
    limit = days if unit != "MONTHS" else days % 12 + 1
    assert due_at(earlier, limit, unit, cal()) <= due_at(later, limit, unit, cal())


@PROPERTIES
@given(MOMENT, DAYS)
def test_calendar_days_ending_on_a_day_off_run_to_the_next_working_day(
    start: datetime, days: int
) -> None:
    due = due_at(start, days, "CAL_DAYS", cal())
    nominal = local_day(start) + timedelta(days=days)
    end = last_day(due)
    assert due == end_of_day(end)
    assert end >= nominal
    assert cal().is_working_day(end)
    # Every day from the nominal last day up to the real one is a day off.
    assert not any(
        cal().is_working_day(nominal + timedelta(days=i)) for i in range((end - nominal).days)
    )
    if cal().is_working_day(nominal):
        assert end == nominal


@PROPERTIES
@given(MOMENT, st.integers(min_value=1, max_value=24))
def test_months_end_on_a_working_day_no_earlier_than_the_same_date(
    start: datetime, months: int
) -> None:
    due = due_at(start, months, "MONTHS", cal())
    end = last_day(due)
    assert cal().is_working_day(end)
    assert end >= add_months(local_day(start), months)


@PROPERTIES
@given(MOMENT, st.floats(min_value=0.5, max_value=720, allow_nan=False))
def test_hour_limits_are_wall_clock(start: datetime, hours: float) -> None:
    assert due_at(start, hours, "HOURS", cal()) - start == timedelta(hours=hours)


@PROPERTIES
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.integers(-36, 36))
def test_adding_months_keeps_the_day_or_the_month_end(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day == min(day.day, calendar.monthrange(moved.year, moved.month)[1])


@PROPERTIES
@given(
    MOMENT,
    st.integers(min_value=1, max_value=90 * 24 * 3600),
    st.lists(st.floats(min_value=-1, max_value=2, allow_nan=False), max_size=4),
    st.one_of(st.none(), st.integers(min_value=0, max_value=100)),
)
def test_warnings_fall_strictly_inside_the_budget_in_order(
    start: datetime, seconds: int, fractions: list[float], days_before: int | None
) -> None:
    due = start + timedelta(seconds=seconds)
    points = warning_times(start, due, fractions, days_before)
    assert points == sorted(set(points))
    assert all(start < p < due for p in points)


@PROPERTIES
@given(
    MOMENT,
    st.sampled_from(KINDS),
    st.sampled_from(["urgent", "normal"]),
    st.sampled_from(STAGES[1:]),
)
def test_the_legal_table_has_a_deadline_for_every_kind_priority_and_stage(
    start: datetime, kind: str, priority: str, stage: str
) -> None:
    due = policy().due(kind=kind, priority=priority, stage=stage, start=start)
    assert due > start
    warnings = policy().warnings(kind=kind, priority=priority, stage=stage, start=start, due=due)
    assert all(start < w < due for w in warnings)


@PROPERTIES
@given(MOMENT, st.sampled_from(KINDS), st.sampled_from(["urgent", "normal"]))
def test_a_new_case_gets_four_clocks_received_met_the_others_ahead(
    received: datetime, kind: str, priority: str
) -> None:
    plans = ClockPlanner(policy()).plan(kind=kind, priority=priority, received_at=received)
    assert [p.stage for p in plans] == list(STAGES)
    assert plans[0].status == "met" and plans[0].completed_at == received
    for plan in plans[1:]:
        assert plan.status in {"running", "pending"}
        if plan.status == "running":
            assert plan.due_at is not None and plan.due_at > received
        else:
            assert plan.due_at is None and plan.anchor in STAGES


@PROPERTIES
@given(MOMENT, DAYS)
def test_an_extension_adds_exactly_the_days(due: datetime, days: int) -> None:
    assert extended_due(due, days) - due == timedelta(days=days)


@PROPERTIES
@given(
    MOMENT,
    st.integers(min_value=-30 * 24 * 3600, max_value=90 * 24 * 3600),
    st.integers(min_value=0, max_value=400 * 24 * 3600),
    st.sampled_from([k for k in KINDS if not k.startswith("crime")]),
)
def test_suspending_and_resuming_keeps_the_budget_left(
    suspended_at: datetime, to_deadline: int, paused_for: int, kind: str
) -> None:
    due = suspended_at + timedelta(seconds=to_deadline)
    kept = budget_left(due, suspended_at)
    assert kept == max(due - suspended_at, timedelta(0))
    resumed_at = suspended_at + timedelta(seconds=paused_for)
    new_due = resumed_due(kind=kind, at=resumed_at, budget=kept)
    assert new_due - resumed_at == kept
    assert new_due >= due  # a pause never shortens a deadline


@PROPERTIES
@given(MOMENT, st.integers(min_value=0, max_value=90 * 24 * 3600), st.sampled_from(KINDS))
def test_a_resumed_crime_case_gets_a_fresh_month(
    resumed_at: datetime, kept_seconds: int, kind: str
) -> None:
    assume(kind.startswith("crime"))
    new_due = resumed_due(kind=kind, at=resumed_at, budget=timedelta(seconds=kept_seconds))
    assert new_due == end_of_day(add_months(local_day(resumed_at), 1))
    assert timedelta(days=28) <= new_due - resumed_at <= timedelta(days=32)


@PROPERTIES
@given(st.integers(min_value=2000, max_value=2200), st.integers(min_value=1, max_value=12))
def test_a_monthly_report_period_is_one_month_starting_on_its_first(year: int, month: int) -> None:
    period = period_for("monthly", f"{year}-{month:02d}")
    assert period.start < period.end
    assert add_months(period.start.date(), 1) == period.end.date()


@PROPERTIES
@given(st.text(max_size=12), st.sampled_from(["monthly", "six_month", "nine_month", "annual"]))
def test_any_report_period_text_is_read_or_refused_with_value_error(spec: str, kind: str) -> None:
    try:
        period = period_for(kind, spec)  # type: ignore[arg-type]
    except ValueError:
        return
    assert period.start < period.end
    assert 2000 <= period.start.year <= 2201
