"""Intake keeps its promise through outages: Kafka down → still accepts; PostgreSQL down → 503."""

import re

import asyncpg
import httpx
import pytest

from deploy.local.processes import ServiceProcess
from shared.contracts import CloudEvent
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TIP = {
    "kind": "petition",
    "text": "Đề nghị kiểm tra các cơ sở massage mở cửa khuya trên đường Lê Lợi.",
}


def _backlog(metrics_text: str) -> float:
    match = re.search(r'^tinbao_outbox_backlog\{service="intake"\} (\S+)$', metrics_text, re.M)
    return float(match.group(1)) if match else -1.0


async def test_tips_are_accepted_with_kafka_down_and_delivered_after_it_returns(
    intake: ServiceProcess, infra: Infra, intake_prefix: str
) -> None:
    infra.kill_kafka()
    try:
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
            answers = [await client.post("/api/v1/tips", json=TIP) for _ in range(20)]
            assert {a.status_code for a in answers} == {202}

            async def backlog() -> float:
                return _backlog((await client.get("/metrics")).text)

            await eventually(backlog, lambda b: b >= 20, timeout=30, what="outbox backlog shown")
            ready = await client.get("/readyz")
            assert ready.status_code in {200, 503}  # readiness may lag; acceptance must not
    finally:
        infra.start_kafka()
    codes = {a.json()["tracking_code"] for a in answers}

    async def delivered() -> set[str]:
        records = await read_topic(
            infra.kafka_bootstrap, intake_prefix + "tips.received", at_least=len(codes), timeout=20
        )
        return {CloudEvent.from_bytes(r.value).data["tracking_code"] for r in records}

    seen = await eventually(
        delivered,
        lambda s: codes <= s,
        timeout=120,
        interval=1,
        what="relay catches up after Kafka returns",
    )
    assert codes <= seen
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        await eventually(
            lambda: client.get("/metrics"),
            lambda r: _backlog(r.text) == 0,
            timeout=30,
            what="backlog drained",
        )


async def test_postgres_down_answers_503_and_recovers_without_restart(
    intake: ServiceProcess, infra: Infra, db: asyncpg.Pool
) -> None:
    infra.stop_postgres()
    try:
        async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
            down = await client.post("/api/v1/tips", json=TIP)
            status = await client.get(
                "/api/v1/tips/TB-AAAA-AAAA/status", headers={"X-Tip-Secret": "AAAA-AAAA-AAAA-AAAA"}
            )
            english = await client.post("/api/v1/tips", json=TIP, headers={"Accept-Language": "en"})
    finally:
        infra.start_postgres()
    for answer in (down, status, english):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"]
    assert "thử lại" in down.json()["detail"]
    assert "retry" in english.json()["detail"]
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        back = await eventually(
            lambda: client.post("/api/v1/tips", json=TIP),
            lambda r: r.status_code == 202,
            timeout=60,
            what="intake recovers by itself",
        )
    code = back.json()["tracking_code"]
    assert await db.fetchval("SELECT count(*) FROM intake.tips WHERE tracking_code = $1", code) == 1
