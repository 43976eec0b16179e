"""`tinbao report …`: the periodic SLA reports from the command line.

  tinbao report monthly 2026-10 --ward 09562 --out reports/
  tinbao report annual 2026                       (citywide)
Writes CSV, XLSX and a PNG chart, and prints the table.
"""

import argparse
import asyncio
import sys
from pathlib import Path

from services.notify.config import NotifySettings
from services.notify.reports import Report, compute_report, period_for, to_csv, to_png, to_xlsx
from shared.db import create_engine, session_factory


def _print(report: Report) -> None:
    print(
        f"\nBáo cáo {report.period.label} — {report.scope} "
        f"(hạn nộp {report.period.report_due.isoformat()})"
    )
    print(f"{'Giai đoạn':<12}{'Đến hạn':>9}{'Đúng hạn':>10}{'Trễ':>6}{'Còn mở':>8}{'%':>8}  ")
    for stage in report.stages:
        pct = stage.compliance_pct
        bar = "█" * int((pct or 0) / 5) if pct is not None else ""
        shown = f"{pct:.1f}" if pct is not None else "—"
        print(
            f"{stage.stage:<12}{stage.due:>9}{stage.on_time:>10}{stage.late:>6}"
            f"{stage.still_open:>8}{shown:>8}  {bar}"
        )


async def _compute(args: argparse.Namespace) -> Report:
    settings = NotifySettings()
    engine = create_engine(settings, application_name="tinbao-report")
    try:
        period = period_for(args.kind, args.period)
        async with session_factory(engine)() as session:
            return await compute_report(session, period, ward_code=args.ward)
    finally:
        await engine.dispose()


def _report(args: argparse.Namespace) -> int:
    print(f"[1/3] Đang tính số liệu… / computing ({args.kind} {args.period})", flush=True)
    report = asyncio.run(_compute(args))
    _print(report)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"tinbao-{args.kind}-{args.period}-{args.ward or 'toan-thanh-pho'}"
    print(f"\n[2/3] Đang ghi tệp… / writing files to {out}/", flush=True)
    writers = {"csv": to_csv, "xlsx": to_xlsx, "png": to_png}
    for fmt in args.format.split(","):
        path = out / f"{stem}.{fmt}"
        path.write_bytes(writers[fmt](report))
        print(f"      {path}")
    print("[3/3] Xong / done")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="tinbao", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    report = sub.add_parser("report", help="periodic SLA report (CSV, XLSX, PNG)")
    report.add_argument("kind", choices=["monthly", "six_month", "nine_month", "annual"])
    report.add_argument("period", help="2026-10 for monthly, 2026 for the others")
    report.add_argument("--ward", help="ward code (default: citywide)")
    report.add_argument("--out", default="reports")
    report.add_argument("--format", default="csv,xlsx,png")
    args = parser.parse_args()
    sys.exit(_report(args))


if __name__ == "__main__":
    main()
