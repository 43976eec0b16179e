"""Metrics and alert rules pass Prometheus' own checker (promtool, from Debian's package)."""

import asyncio
import subprocess
import uuid
from pathlib import Path

import asyncpg
import pytest
from prometheus_client import generate_latest

from services.notify.config import NotifySettings
from services.notify.db.tables import SlaClock  # noqa: F401 (registers the table)
from services.notify.sla_metrics import SlaMetricsRefresher
from shared.db import create_engine, session_factory
from tests.support.infra import Infra

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
PROMTOOL = ROOT / ".run" / "tools" / "usr" / "bin" / "promtool"


def _promtool() -> Path:
    assert PROMTOOL.exists(), "promtool missing: run deploy/tools.sh (make test does)"
    return PROMTOOL


async def test_sla_metrics_are_valid_prometheus_exposition(infra: Infra, db: asyncpg.Pool) -> None:
    await db.execute(
        "INSERT INTO notify.sla_clocks (case_id, stage, kind, priority, ward_code, unit, status,"
        " started_at, due_at, policy_version) VALUES ($1, 'verified', 'feedback', 'normal',"
        " '09562', 'culture_social', 'running', now(), now() + interval '7 days', 'test')",
        uuid.uuid4(),
    )
    engine = create_engine(NotifySettings(database_url=infra.database_url), application_name="test")
    try:
        await SlaMetricsRefresher(sessions=session_factory(engine)).refresh()
    finally:
        await engine.dispose()
    exposition = generate_latest()
    assert b"tinbao_sla_compliance_ratio{" in exposition  # per ward/unit/kind/stage series
    checked = await asyncio.to_thread(
        subprocess.run,
        [str(_promtool()), "check", "metrics"],
        input=exposition,
        capture_output=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()
    assert checked.stdout.strip() == b"", checked.stdout.decode()  # no lint findings


def test_alert_rules_pass_promtool() -> None:
    checked = subprocess.run(
        [str(_promtool()), "check", "rules", str(ROOT / "deploy/prometheus/alerts.yml")],
        capture_output=True,
        timeout=60,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 8 rules found" in checked.stdout
