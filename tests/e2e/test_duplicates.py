"""Tips about one venue join one case, even with two triage consumers racing."""

import asyncio
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from deploy.local.postgres import free_port
from deploy.local.processes import ServiceProcess
from tests.support.infra import Infra
from tests.support.services import Stack
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _consumed(metrics: str) -> float:
    """Tips a triage process applied, from its /metrics."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("tinbao_events_consumed_total") and "tip.received" in line
    )


async def test_concurrent_tips_about_one_venue_make_one_case_with_two_consumers(
    stack: Stack, infra: Infra, db: asyncpg.Pool, topic_prefix: str, tmp_path: Path
) -> None:
    second = ServiceProcess("triage", free_port(), stack.triage.env, tmp_path / "triage-2.log")
    second.start()
    try:
        second.wait_ready(timeout=90)
        venue = f"Karaoke Ánh Trăng {uuid.uuid4().hex[:4]}"
        same_venue = [
            {
                "kind": "feedback",
                "ward_code": "09562",
                "venue_name": venue,
                "text": f"Lần {i}: quán {venue} có gái bán dâm, khách ra vào phòng kín.",
            }
            for i in range(20)
        ]
        other = [
            {
                "kind": "feedback",
                "ward_code": "09562",
                "venue_name": f"Nhà nghỉ số {uuid.uuid4().hex[:6]}",
                "text": "Nhà nghỉ cho thuê phòng theo giờ có dấu hiệu mua bán dâm.",
            }
            for _ in range(10)
        ]
        async with httpx.AsyncClient(base_url=stack.intake.url, timeout=60) as client:
            answers = await asyncio.gather(
                *(client.post("/api/v1/tips", json=t) for t in same_venue + other)
            )
        codes = [a.json()["tracking_code"] for a in answers]
        rows = await eventually(
            lambda: db.fetch(
                "SELECT tracking_code, case_id FROM triage.case_tips WHERE tracking_code = ANY($1)",
                codes,
            ),
            lambda r: len(r) == len(codes),
            timeout=90,
            what="all tips triaged",
        )
        case_of = {r["tracking_code"]: r["case_id"] for r in rows}
        venue_cases = {case_of[c] for c in codes[:20]}
        other_cases = [case_of[c] for c in codes[20:]]
        assert len(venue_cases) == 1, f"one venue split into {len(venue_cases)} cases"
        assert len(set(other_cases)) == 10 and not venue_cases & set(other_cases)
        linked = await db.fetch(
            "SELECT action FROM triage.case_events WHERE case_id = $1", next(iter(venue_cases))
        )
        assert Counter(r["action"] for r in linked) == {"opened": 1, "tip_linked": 19}
        async with httpx.AsyncClient(timeout=10) as client:
            consumed = [
                _consumed((await client.get(process.url + "/metrics")).text)
                for process in (stack.triage, second)
            ]
        assert all(n > 0 for n in consumed), f"one consumer did nothing: {consumed}"
    finally:
        second.stop()
