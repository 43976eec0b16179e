"""Vietnam's working days and the legal deadline arithmetic (times in UTC, days in Hà Nội)."""

import calendar
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OVERRIDES = Path(__file__).resolve().parents[1] / "data" / "holiday_overrides.toml"


class WorkingCalendar:
    """Weekends, public holidays (Tết and Hùng Kings' day by the lunar calendar, swaps and
    compensating days, from the `holidays` package) and a local file of late announcements."""

    def __init__(self, overrides: Path | None = OVERRIDES) -> None:
        data = tomllib.loads(overrides.read_text(encoding="utf-8")) if overrides else {}
        self._days_off = {date.fromisoformat(d["date"]) for d in data.get("day_off", [])}
        self._working = {date.fromisoformat(d["date"]) for d in data.get("working_day", [])}
        self._years: dict[int, holidays.HolidayBase] = {}

    def _holidays(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            self._years[year] = holidays.country_holidays("VN", years=year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        """Mon–Fri that is no holiday, or a make-up working Saturday."""
        if day in self._working:
            return True
        if day in self._days_off:
            return False
        return self._holidays(day.year).is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day on or after `day`."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    return WorkingCalendar()


def local_day(moment: datetime) -> date:
    return moment.astimezone(VN).date()


def end_of_day(day: date) -> datetime:
    """24:00 of a local day, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_at(start: datetime, limit: float, unit: str, cal: WorkingCalendar) -> datetime:
    """The deadline of a clock that starts at `start` (aware), per the unit's legal rule."""
    if unit == "HOURS":
        return start + timedelta(hours=limit)
    first = local_day(start)
    if unit == "WORK_DAYS":
        day, counted = first, 0
        while counted < int(limit):
            day += timedelta(days=1)
            if cal.is_working_day(day):
                counted += 1
        return end_of_day(day)
    if unit == "CAL_DAYS":
        last = first + timedelta(days=int(limit))  # the day after the start is day 1
    elif unit == "MONTHS":
        last = add_months(first, int(limit))
    else:
        raise ValueError(f"unknown unit {unit!r}")
    # A period ending on a day off ends at the end of the next working day (BLDS Đ.148).
    return end_of_day(cal.next_working_day(last))


def warning_times(
    start: datetime, due: datetime, fractions: list[float], days_before: int | None
) -> list[datetime]:
    """When to warn: at fractions of the budget, and N calendar days before the deadline."""
    points = [start + (due - start) * fraction for fraction in fractions]
    if days_before:
        before = due - timedelta(days=days_before)
        if before > start:
            points.append(before)
    return sorted({p for p in points if start < p < due})
