"""The monthly report against a hand-checked fixture (real PostgreSQL)."""

import io
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from openpyxl import load_workbook

from services.notify.reports import compute_report, period_for, to_csv, to_png, to_xlsx
from shared.db import create_engine, session_factory
from shared.settings import ServiceSettings
from tests.support.infra import Infra

pytestmark = pytest.mark.integration


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (case, stage, kind, channel, category, started, due, completed, outcome)
# Times are 05:00 UTC (12:00 in Hà Nội) so no period edge is near.
FIXTURE = [
    (
        "A",
        "received",
        "feedback",
        "api",
        "establishment",
        "2026-10-02T05:00",
        "2026-10-02T05:00",
        "2026-10-02T05:00",
        None,
    ),
    (
        "A",
        "verified",
        "feedback",
        "api",
        "establishment",
        "2026-10-02T05:00",
        "2026-10-09T05:00",
        "2026-10-08T05:00",
        "founded",
    ),
    (
        "A",
        "classified",
        "feedback",
        "api",
        "establishment",
        "2026-10-02T05:00",
        "2026-10-12T05:00",
        "2026-10-13T05:00",
        "administrative_violation",
    ),
    (
        "A",
        "handled",
        "feedback",
        "api",
        "establishment",
        "2026-10-02T05:00",
        "2026-11-02T05:00",
        None,
        None,
    ),
    (
        "B",
        "received",
        "crime_report",
        "hotline",
        "procuring",
        "2026-10-20T05:00",
        "2026-10-20T05:00",
        "2026-10-20T05:00",
        None,
    ),
    (
        "B",
        "verified",
        "crime_report",
        "hotline",
        "procuring",
        "2026-10-20T05:00",
        "2026-10-27T05:00",
        None,
        None,
    ),
    (
        "B",
        "classified",
        "crime_report",
        "hotline",
        "procuring",
        "2026-10-20T05:00",
        "2026-10-21T05:00",
        "2026-10-21T05:00",
        "criminal",
    ),
    (
        "B",
        "handled",
        "crime_report",
        "hotline",
        "procuring",
        "2026-10-20T05:00",
        "2026-10-27T05:00",
        "2026-10-26T05:00",
        "transferred_to_investigation",
    ),
    (
        "C",
        "received",
        "feedback",
        "open311",
        "establishment",
        "2026-09-28T05:00",
        "2026-09-28T05:00",
        "2026-09-28T05:00",
        None,
    ),
    (
        "C",
        "verified",
        "feedback",
        "open311",
        "establishment",
        "2026-09-28T05:00",
        "2026-10-05T05:00",
        "2026-10-04T05:00",
        "founded",
    ),
    (
        "C",
        "classified",
        "feedback",
        "open311",
        "establishment",
        "2026-09-28T05:00",
        "2026-10-08T05:00",
        "2026-10-09T05:00",
        "administrative_violation",
    ),
    (
        "C",
        "handled",
        "feedback",
        "open311",
        "establishment",
        "2026-09-28T05:00",
        "2026-10-28T05:00",
        "2026-10-30T05:00",
        "admin_sanction",
    ),
]


@pytest.fixture
async def ward(db: asyncpg.Pool) -> AsyncIterator[str]:
    """A ward code of this test's own, filled with the fixture clocks (and one elsewhere)."""
    code = f"9{random.randrange(10**4):04d}"
    other = f"8{random.randrange(10**4):04d}"
    cases = {name: uuid.uuid4() for name in "ABCD"}
    rows = [
        (
            cases[c],
            stage,
            kind,
            channel,
            category,
            t(start),
            t(due),
            t(done) if done else None,
            outcome,
            code,
        )
        for c, stage, kind, channel, category, start, due, done, outcome in FIXTURE
    ]
    rows.append(
        (
            cases["D"],
            "received",
            "feedback",
            "api",
            "x",
            t("2026-10-10T05:00"),
            t("2026-10-10T05:00"),
            t("2026-10-10T05:00"),
            None,
            other,
        )
    )
    await db.executemany(
        "INSERT INTO notify.sla_clocks (case_id, stage, kind, channel, category, started_at, "
        "due_at, completed_at, outcome, ward_code, priority, status, policy_version) VALUES "
        "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'normal',"
        " CASE WHEN $8::timestamptz IS NULL THEN 'running' WHEN $8 <= $7 THEN 'met'"
        " ELSE 'breached' END, 'fixture')",
        rows,
    )
    yield code


async def test_monthly_report_matches_the_hand_checked_figures(infra: Infra, ward: str) -> None:
    engine = create_engine(
        ServiceSettings(database_url=infra.database_url), application_name="test"
    )
    try:
        async with session_factory(engine)() as session:
            report = await compute_report(
                session,
                period_for("monthly", "2026-10"),
                ward_code=ward,
                as_of=t("2026-11-05T00:00"),
            )
    finally:
        await engine.dispose()
    figures = {
        s.stage: (s.due, s.on_time, s.late, s.still_open, s.compliance_pct) for s in report.stages
    }
    assert figures == {
        "received": (2, 2, 0, 0, 100.0),  # A, B (C was received in September)
        "verified": (3, 2, 1, 1, 66.7),  # A, C on time; B still open past its deadline
        "classified": (3, 1, 2, 0, 33.3),  # B on time; A, C a day late
        "handled": (2, 1, 1, 0, 50.0),  # B on time, C late; A is due in November
    }
    durations = {s.stage: (s.average_hours, s.p90_hours) for s in report.stages}
    assert durations["verified"] == (144.0, 144.0)
    assert durations["classified"] == (184.0, 264.0)  # 24, 264, 264 h
    assert durations["handled"] == (456.0, 705.6)  # 144, 768 h → p90 = 144 + 0.9·624
    assert report.by_kind == {"crime_report": 1, "feedback": 1}
    assert report.by_channel == {"api": 1, "hotline": 1}
    assert report.by_category == {"establishment": 1, "procuring": 1}
    assert report.by_outcome == {"admin_sanction": 1, "transferred_to_investigation": 1}
    assert report.period.report_due.isoformat() == "2026-11-10"

    csv_text = to_csv(report).decode("utf-8-sig")
    assert "Xác minh (verified),3,2,1,1,66.7,100" in csv_text
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    sheet = book["Tiến độ"]
    assert [c.value for c in sheet[6]][:6] == ["Phân loại (classified)", 3, 1, 2, 0, 33.3]
    png = to_png(report)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_periods_follow_the_schedule() -> None:
    october = period_for("monthly", "2026-10")
    assert (october.start.isoformat(), october.end.isoformat()) == (
        "2026-10-01T00:00:00+07:00",
        "2026-11-01T00:00:00+07:00",
    )
    annual = period_for("annual", "2026")
    assert annual.report_due.isoformat() == "2026-11-10"
    assert period_for("six_month", "2026").end.isoformat() == "2026-07-01T00:00:00+07:00"
