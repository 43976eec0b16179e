"""Periodic SLA reports: per stage due / on time / late / still open against the 100% target.

A stage counts in the period in which its deadline falls. A stage still open after its
deadline counts as late ("quá hạn") in every report, as the design requires.
"""

import csv
import io
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.db.tables import SlaClock
from shared.vocabulary import KIND_NAMES, STAGE_NAMES

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULE = Path(__file__).resolve().parent / "data" / "report_schedule.toml"
PeriodKind = Literal["monthly", "six_month", "nine_month", "annual"]
TRACKED_STAGES = ("received", "verified", "classified", "handled")


@dataclass(frozen=True)
class Period:
    """A reporting period in local time, [start, end), and when its report is due."""

    kind: str
    label: str
    start: datetime
    end: datetime
    report_due: date


def _local(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


def period_for(kind: PeriodKind, spec: str, schedule_path: Path = SCHEDULE) -> Period:
    """Build a period: monthly "2026-10"; six_month, nine_month, annual "2026".

    Raises ValueError for anything else, including years outside 2000–2200 (year 1 has no
    earlier month to start from, and the report query failed on it as a 500).
    """
    year_part = spec.split("-")[0]
    if not (year_part.isascii() and year_part.isdigit() and 2000 <= int(year_part) <= 2200):
        raise ValueError(f"year out of range in {spec!r}")
    schedule = tomllib.loads(schedule_path.read_text(encoding="utf-8"))
    cutoff = int(schedule.get("cutoff_day", 1))
    due = schedule["due"]
    if kind == "monthly":
        year, month = (int(part) for part in spec.split("-"))
        end_day = date(year, month, 1) if cutoff == 1 else date(year, month, cutoff)
        end_day = _add_months(end_day, 1) if cutoff == 1 else end_day
        start_day = _add_months(end_day, -1)
        report_due = date(end_day.year, end_day.month, int(due["monthly_day_of_next_month"]))
        if cutoff != 1:
            report_due = _add_months(date(year, month, int(due["monthly_day_of_next_month"])), 1)
        return Period(
            kind, f"Tháng {month:02d}/{year}", _local(start_day), _local(end_day), report_due
        )
    year = int(spec)
    first_month = int(schedule.get("year_start_month", 1))
    start_day = date(year if first_month == 1 else year - 1, first_month, cutoff)
    months = {"six_month": 6, "nine_month": 9, "annual": 12}[kind]
    end_day = _add_months(start_day, months)
    month_day = due[kind].split("-")
    labels = {"six_month": "6 tháng", "nine_month": "9 tháng", "annual": "Năm"}
    return Period(
        kind,
        f"{labels[kind]} {year}",
        _local(start_day),
        _local(end_day),
        date(year, int(month_day[0]), int(month_day[1])),
    )


@dataclass
class StageFigures:
    stage: str
    due: int
    on_time: int
    late: int
    still_open: int
    compliance_pct: float | None
    average_hours: float | None
    p90_hours: float | None


@dataclass
class Report:
    """The figures a ward sends up, for one period and scope."""

    period: Period
    ward_code: str | None
    generated_at: datetime
    stages: list[StageFigures]
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return f"Phường/xã {self.ward_code}" if self.ward_code else "Toàn thành phố"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["scope"] = self.scope
        return data


async def compute_report(
    session: AsyncSession, period: Period, *, ward_code: str | None, as_of: datetime | None = None
) -> Report:
    """Count the period's figures from the clocks (one grouped query per table section)."""
    as_of = as_of or datetime.now(UTC)
    c = SlaClock.__table__.c
    scope = [c.ward_code == ward_code] if ward_code else []
    counted = c.status != "cancelled"  # clocks of merged duplicates count nowhere
    due_in_period = [
        c.due_at >= period.start,
        c.due_at < period.end,
        c.due_at <= as_of,
        counted,
        *scope,
    ]
    late_done = c.completed_at.is_not(None) & (c.completed_at > c.due_at)
    hours = sa.extract("epoch", c.completed_at - c.started_at) / 3600.0
    rows = {
        row.stage: row
        for row in await session.execute(
            sa.select(
                c.stage,
                sa.func.count().label("due"),
                sa.func.count()
                .filter(c.completed_at.is_not(None) & (c.completed_at <= c.due_at))
                .label("on_time"),
                sa.func.count().filter(late_done).label("late"),
                sa.func.count().filter(c.completed_at.is_(None)).label("still_open"),
                sa.func.avg(hours).label("average"),
                sa.func.percentile_cont(0.9).within_group(hours).label("p90"),
            )
            .where(*due_in_period)
            .group_by(c.stage)
        )
    }
    stages = []
    for stage in TRACKED_STAGES:
        row = rows.get(stage)
        due = row.due if row else 0
        on_time = row.on_time if row else 0
        stages.append(
            StageFigures(
                stage=stage,
                due=due,
                on_time=on_time,
                late=(row.late if row else 0) + (row.still_open if row else 0),
                still_open=row.still_open if row else 0,
                compliance_pct=round(100.0 * on_time / due, 1) if due else None,
                average_hours=round(row.average, 1) if row and row.average is not None else None,
                p90_hours=round(row.p90, 1) if row and row.p90 is not None else None,
            )
        )
    received = [
        c.stage == "received",
        c.started_at >= period.start,
        c.started_at < period.end,
        counted,
        *scope,
    ]

    async def counts(column: sa.ColumnElement[Any], *where: Any) -> dict[str, int]:
        # A literal, not a bind parameter: GROUP BY must see the same expression as SELECT.
        key = sa.func.coalesce(column, sa.literal_column("'unknown'")).label("key")
        result = await session.execute(sa.select(key, sa.func.count()).where(*where).group_by(key))
        return dict(sorted((str(k), int(v)) for k, v in result.all()))

    handled = [
        c.stage == "handled",
        c.completed_at >= period.start,
        c.completed_at < period.end,
        *scope,
    ]
    return Report(
        period=period,
        ward_code=ward_code,
        generated_at=as_of,
        stages=stages,
        by_kind=await counts(c.kind, *received),
        by_category=await counts(c.category, *received),
        by_channel=await counts(c.channel, *received),
        by_outcome=await counts(c.outcome, *handled),
    )


HEADERS = [
    "Giai đoạn / Stage",
    "Đến hạn / Due",
    "Đúng hạn / On time",
    "Trễ hạn / Late",
    "Còn mở quá hạn / Still open",
    "Tỷ lệ đúng hạn % / On-time %",
    "Mục tiêu % / Target %",
    "TB giờ / Avg h",
    "P90 giờ / P90 h",
]


def _stage_rows(report: Report) -> list[list[Any]]:
    return [
        [
            f"{STAGE_NAMES[s.stage][0]} ({s.stage})",
            s.due,
            s.on_time,
            s.late,
            s.still_open,
            s.compliance_pct if s.compliance_pct is not None else "—",
            100,
            s.average_hours if s.average_hours is not None else "—",
            s.p90_hours if s.p90_hours is not None else "—",
        ]
        for s in report.stages
    ]


def _breakdowns(report: Report) -> list[tuple[str, dict[str, int]]]:
    kinds = {f"{KIND_NAMES.get(k, (k,))[0]} ({k})": v for k, v in report.by_kind.items()}
    return [
        ("Theo loại / By kind", kinds),
        ("Theo lĩnh vực / By category", report.by_category),
        ("Theo kênh / By channel", report.by_channel),
        ("Theo kết quả / By outcome", report.by_outcome),
    ]


def to_csv(report: Report) -> bytes:
    """CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            f"Báo cáo {report.period.label}",
            report.scope,
            f"{report.period.start.date()} – {(report.period.end - timedelta(days=1)).date()}",
            f"Hạn nộp {report.period.report_due.isoformat()}",
        ]
    )
    writer.writerow(HEADERS)
    writer.writerows(_stage_rows(report))
    for title, counts in _breakdowns(report):
        writer.writerow([])
        writer.writerow([title, "Số lượng / Count"])
        writer.writerows(counts.items())
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """An Excel workbook: the stage table, then one sheet per breakdown."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Tiến độ"
    sheet.append([f"Báo cáo {report.period.label} — {report.scope}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"Kỳ: {report.period.start.date()} đến "
            f"{(report.period.end - timedelta(days=1)).date()}; hạn nộp "
            f"{report.period.report_due.isoformat()}"
        ]
    )
    sheet.append(HEADERS)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in _stage_rows(report):
        sheet.append(row)
        pct = row[5]
        if isinstance(pct, float) and pct < 100:
            sheet.cell(sheet.max_row, 6).fill = PatternFill("solid", fgColor="FDE2E1")
    for column, width in zip("ABCDEFGHI", (26, 12, 14, 12, 16, 16, 12, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    for title, counts in _breakdowns(report):
        extra = book.create_sheet(title.split(" / ")[0][:31])
        extra.append([title, "Số lượng / Count"])
        for key, value in counts.items():
            extra.append([key, value])
        extra.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_png(report: Report) -> bytes:
    """A bar chart of on-time % per stage against the 100% target, to paste in a report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [STAGE_NAMES[s.stage][0] for s in report.stages]
    values = [s.compliance_pct or 0 for s in report.stages]
    colours = ["#2e7d32" if v >= 100 else "#f9a825" if v >= 90 else "#c62828" for v in values]
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=120)
    bars = axis.bar(labels, values, color=colours)
    axis.axhline(100, color="#1565c0", linestyle="--", linewidth=1.5, label="Mục tiêu 100%")
    for bar, stage in zip(bars, report.stages, strict=True):
        text = (
            f"{stage.compliance_pct:.1f}%\n{stage.on_time}/{stage.due}"
            if stage.compliance_pct is not None
            else "chưa đến hạn"
        )
        axis.annotate(
            text,
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=9,
            xytext=(0, 3),
            textcoords="offset points",
        )
    axis.set_ylim(0, 118)
    axis.set_ylabel("Tỷ lệ đúng hạn (%)")
    axis.set_title(f"Tỷ lệ xử lý đúng hạn — {report.period.label} — {report.scope}")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09), frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
