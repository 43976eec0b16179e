"""The dashboard's periods, colours and trend chart (pure helpers)."""

from datetime import UTC, date, datetime, timedelta

from services.console.i18n import Translator
from services.console.pages.supervisor import (
    default_period,
    months_ending,
    period_valid,
    rating,
    trend_chart,
)
from services.console.web import deadline_view


def test_periods() -> None:
    today = date(2026, 11, 23)
    assert default_period("monthly", today) == "2026-11"
    assert default_period("annual", today) == "2026"
    assert period_valid("monthly", "2026-11") and not period_valid("monthly", "2026-13")
    assert period_valid("six_month", "2026") and not period_valid("annual", "2026-11")
    assert not period_valid("monthly", "1999-01")
    assert months_ending(date(2026, 2, 10), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_ratings_against_the_100_percent_target() -> None:
    assert [rating(p) for p in (None, 100.0, 95.0, 50.0)] == ["none", "ok", "warn", "bad"]


def test_trend_chart_places_rates_and_leaves_gaps() -> None:
    reports = [
        ("2026-10", {"stages": [{"stage": "received", "compliance_pct": 100.0}]}),
        ("2026-11", {"stages": [{"stage": "received", "compliance_pct": 50.0}]}),
        ("2026-12", {"stages": [{"stage": "received", "compliance_pct": None}]}),
    ]
    chart = trend_chart(reports)
    received = next(line for line in chart.lines if line.stage == "received")
    assert len(received.dots) == 2  # nothing due in December: a gap, not a zero
    (x1, y1, _), (x2, y2, _) = received.dots
    assert x1 < x2 and y1 == chart.top and y2 == chart.top + chart.plot_height / 2
    assert [label for _, label in chart.months] == ["2026-10", "2026-11", "2026-12"]
    assert all(not line.dots for line in chart.lines if line.stage != "received")


def test_deadlines_in_words() -> None:
    vi = Translator("vi")
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    soon = deadline_view(vi, "warning", now + timedelta(hours=5, minutes=3), now)
    assert (soon.state, soon.words, soon.remaining) == (
        "warning",
        "sắp đến hạn",
        "còn 5 giờ 3 phút",
    )
    late = deadline_view(vi, "on_time", (now - timedelta(days=2)).isoformat(), now)
    assert (late.state, late.words, late.remaining) == ("breached", "quá hạn", "quá 2 ngày 0 giờ")
    assert deadline_view(vi, "on_time", None, now).state == "none"
    assert deadline_view(vi, "met", now, now).words == "xong đúng hạn"
