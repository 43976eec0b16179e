"""Legal deadline arithmetic, checked by hand against the Vietnamese calendar."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.notify.domain.clocks import ClockPlanner
from services.notify.domain.legal_policy import POLICY_FILE, LegalPolicy
from services.notify.domain.working_days import WorkingCalendar, due_at, warning_times


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 17), False),  # Tết Nguyên đán 2026
        (date(2026, 2, 23), True),  # first working day after Tết
        (date(2026, 4, 27), False),  # Hùng Kings' day (10/3 lunar) observed on Monday
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), False),
        (date(2026, 8, 22), True),  # make-up Saturday for the 2026 swap
        (date(2026, 8, 31), False),  # the swapped day off
        (date(2026, 9, 2), False),
        (date(2026, 11, 24), False),  # Vietnamese Culture Day, from 2026
        (date(2027, 2, 4), False),  # Tết 2027 starts on the 29th of the lunar year
        (date(2026, 11, 21), False),  # an ordinary Saturday
    ],
)
def test_vietnamese_working_days(cal: WorkingCalendar, day: date, working: bool) -> None:
    assert cal.is_working_day(day) is working


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day(
    cal: WorkingCalendar,
) -> None:
    # Fri 24/4 10:00 in Hà Nội; day 1 = 25/4 … day 7 = Fri 1/5 (holiday); Sat, Sun off
    # → the end of Mon 4/5, 24:00 local = 17:00 UTC.
    assert due_at(utc("2026-04-24T03:00"), 7, "CAL_DAYS", cal) == utc("2026-05-04T17:00")


def test_the_local_date_decides_the_first_day(cal: WorkingCalendar) -> None:
    # 29/4 18:00 UTC is already 30/4 01:00 in Hà Nội: day 1 is 1/5 (holiday) → Mon 4/5.
    assert due_at(utc("2026-04-29T18:00"), 1, "CAL_DAYS", cal) == utc("2026-05-04T17:00")


def test_working_days_across_tet_2026(cal: WorkingCalendar) -> None:
    # Thu 12/2: 13/2 (1); 16–20/2 Tết; 23–27/2 (2–6); 2/3 (7), 3/3 (8), 4/3 (9), 5/3 (10).
    assert due_at(utc("2026-02-12T02:00"), 10, "WORK_DAYS", cal) == utc("2026-03-05T17:00")


def test_working_days_count_the_make_up_saturday_and_skip_the_swap(cal: WorkingCalendar) -> None:
    # Fri 21/8: Sat 22/8 (1, make-up), 24–28/8 (2–6), 31/8 off, 1–2/9 National Day, 3/9 (7).
    assert due_at(utc("2026-08-21T02:00"), 7, "WORK_DAYS", cal) == utc("2026-09-03T17:00")


def test_hours_are_wall_clock(cal: WorkingCalendar) -> None:
    assert due_at(utc("2026-11-22T20:00"), 24, "HOURS", cal) == utc("2026-11-23T20:00")


def test_months_clamp_to_the_month_end_then_skip_days_off(cal: WorkingCalendar) -> None:
    # 31/1 + 1 month = 28/2/2026, a Saturday → Mon 2/3.
    assert due_at(utc("2026-01-31T02:00"), 1, "MONTHS", cal) == utc("2026-03-02T17:00")


def test_across_the_year_end(cal: WorkingCalendar) -> None:
    # Fri 25/12/2026 + 7 days = Fri 1/1/2027 (New Year) → Mon 4/1/2027.
    assert due_at(utc("2026-12-25T02:00"), 7, "CAL_DAYS", cal) == utc("2027-01-04T17:00")


def test_warnings_at_half_four_fifths_and_five_days_before() -> None:
    start, due = utc("2026-10-01T00:00"), utc("2026-10-31T00:00")
    points = warning_times(start, due, [0.5, 0.8], 5)
    assert points == [utc("2026-10-16T00:00"), utc("2026-10-25T00:00"), utc("2026-10-26T00:00")]


def test_complaint_acceptance_rule_changes_on_1_july_2026() -> None:
    policy = LegalPolicy()
    before = policy.rule_for(
        kind="complaint", priority="normal", stage="classified", at=utc("2026-06-15T02:00")
    )
    after = policy.rule_for(
        kind="complaint", priority="normal", stage="classified", at=utc("2026-07-15T02:00")
    )
    assert (before.limit, before.unit) == (10, "WORK_DAYS")
    assert (after.limit, after.unit, after.status) == (7, "WORK_DAYS", "secondary")


def test_urgent_crime_runs_on_the_24_hour_clock() -> None:
    policy = LegalPolicy()
    start = utc("2026-11-22T15:00")
    for stage in ("verified", "classified", "handled"):
        assert policy.due(
            kind="crime_denunciation", priority="urgent", stage=stage, start=start
        ) == utc("2026-11-23T15:00")


def test_a_denunciation_is_handled_within_30_days_of_acceptance() -> None:
    plans = {
        p.stage: p
        for p in ClockPlanner(LegalPolicy()).plan(
            kind="denunciation", priority="normal", received_at=utc("2026-10-05T02:00")
        )
    }
    assert plans["received"].status == "met"
    assert plans["classified"].status == "running"
    # 7 working days after Mon 5/10: 6,7,8,9/10, 12,13,14/10 → end of Wed 14/10.
    assert plans["classified"].due_at == utc("2026-10-14T17:00")
    assert (plans["handled"].status, plans["handled"].anchor) == ("pending", "classified")


def test_the_policy_version_follows_the_file(tmp_path: Path) -> None:
    assert LegalPolicy().version == LegalPolicy().version
    changed = tmp_path / "deadlines.toml"
    changed.write_text(
        POLICY_FILE.read_text(encoding="utf-8").replace("limit = 15", "limit = 20"),
        encoding="utf-8",
    )
    assert LegalPolicy(changed).version != LegalPolicy().version
