"""Intake deletes what it keeps only for a while: old idempotency answers, old lockout counters."""

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from services.intake.bootstrap import bootstrap
from services.intake.config import IntakeSettings
from services.intake.retention import RetentionWorker
from tests.support.infra import Infra

pytestmark = pytest.mark.integration


async def test_expired_answers_and_counters_are_deleted_and_fresh_ones_kept(
    infra: Infra, db: asyncpg.Pool, intake_prefix: str
) -> None:
    settings = IntakeSettings(
        database_url=infra.database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=intake_prefix,
    )
    intake = bootstrap(settings)
    now = datetime.now(UTC)
    old_key, fresh_key = f"old-{uuid.uuid4()}", f"fresh-{uuid.uuid4()}"
    old_code, fresh_code = f"TB-OLD-{uuid.uuid4().hex[:6]}", f"TB-NEW-{uuid.uuid4().hex[:6]}"
    await db.executemany(
        "INSERT INTO intake.idempotency_keys (key_hash, request_hash, response_sealed, "
        "created_at) VALUES ($1, 'h', '\\x00', $2)",
        [(old_key, now - timedelta(hours=25)), (fresh_key, now - timedelta(hours=23))],
    )
    await db.executemany(
        "INSERT INTO intake.secret_failures (tracking_code, failures, window_started_at) "
        "VALUES ($1, 5, $2)",
        [(old_code, now - timedelta(minutes=16)), (fresh_code, now - timedelta(minutes=14))],
    )
    worker = RetentionWorker(settings=settings, runtime=intake.runtime, clock=intake.clock)
    try:
        keys, failures = await worker.purge()
        left_keys = await db.fetch(
            "SELECT key_hash FROM intake.idempotency_keys WHERE key_hash = ANY($1)",
            [old_key, fresh_key],
        )
        left_codes = await db.fetch(
            "SELECT tracking_code FROM intake.secret_failures WHERE tracking_code = ANY($1)",
            [old_code, fresh_code],
        )
        assert [r["key_hash"] for r in left_keys] == [fresh_key]
        assert [r["tracking_code"] for r in left_codes] == [fresh_code]
        assert keys >= 1 and failures >= 1
    finally:
        await db.execute("DELETE FROM intake.idempotency_keys WHERE key_hash = $1", fresh_key)
        await db.execute("DELETE FROM intake.secret_failures WHERE tracking_code = $1", fresh_code)
        await intake.runtime.stop()  # closes its pools (it was never started)
