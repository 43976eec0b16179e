"""Fault injection under a steady stream of tips: kill, freeze and restart every part.

After each scenario the databases and topics are counted: every accepted tip has exactly
one case assignment, one set of SLA clocks and a visible status; no event was applied twice;
poison messages sit in dead-letter topics; clients saw only 202 or 503.
`make test` runs a short stream; `make reliability` a long one (TINBAO_RELIABILITY_SECONDS).
"""

import asyncio
import json
import os
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from shared.contracts import CaseAssignedV1, CloudEvent
from shared.contracts.topics import dead_letter_topic
from tests.reliability.conftest import RESULTS
from tests.reliability.load import StreamResult, stream
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import Stack, process_stack
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SECONDS = float(os.environ.get("TINBAO_RELIABILITY_SECONDS", "6"))
RATE = float(os.environ.get("TINBAO_RELIABILITY_RATE", "15"))
# The producer's request timeout is 15 s: a freeze must outlast it to test anything.
FREEZE_SECONDS = float(os.environ.get("TINBAO_RELIABILITY_FREEZE_SECONDS", "18"))

Fault = Callable[[Stack, Infra, str], Awaitable[int]]


async def _restart_process(stack: Stack, name: str) -> int:
    process = stack.processes[name]
    process.kill()
    await asyncio.sleep(1.5)
    process.start()
    await asyncio.to_thread(process.wait_ready, 90, path="/healthz")
    return 0


async def kill_kafka(stack: Stack, infra: Infra, prefix: str) -> int:
    await asyncio.to_thread(infra.kill_kafka)
    await asyncio.sleep(3)
    await asyncio.to_thread(infra.start_kafka)
    return 0


async def freeze_kafka(stack: Stack, infra: Infra, prefix: str) -> int:
    await asyncio.to_thread(infra.freeze_kafka)
    await asyncio.sleep(FREEZE_SECONDS)
    await asyncio.to_thread(infra.thaw_kafka)
    return 0


async def restart_postgres(stack: Stack, infra: Infra, prefix: str) -> int:
    await asyncio.to_thread(infra.stop_postgres)
    await asyncio.sleep(3)
    await asyncio.to_thread(infra.start_postgres)
    return 0


async def poison(stack: Stack, infra: Infra, prefix: str) -> int:
    """Two poison messages into each consumed topic; returns how many were sent."""
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for topic in ("tips.received", "cases.events"):
            await producer.send_and_wait(prefix + topic, b"\x00not an event", key=b"poison")
            await producer.send_and_wait(
                prefix + topic,
                json.dumps(
                    {
                        "specversion": "1.0",
                        "id": "x",
                        "source": "/evil",
                        "type": "vn.tinbao.tip.received.v1",
                        "data": {"tip_id": 1},
                    }
                ).encode(),
                key=b"poison",
            )
    finally:
        await producer.stop()
    return 4  # triage reads tips.received (2); intake and notify read cases.events (2 each)


SCENARIOS: dict[str, Fault] = {
    "kill -9 kafka": kill_kafka,
    "kill -9 intake": lambda s, i, p: _restart_process(s, "intake"),
    "kill -9 triage": lambda s, i, p: _restart_process(s, "triage"),
    "kill -9 notify": lambda s, i, p: _restart_process(s, "notify"),
    "restart postgresql": restart_postgres,
    "freeze kafka (SIGSTOP)": freeze_kafka,
    "poison messages": poison,
}


async def _count(
    db: asyncpg.Pool, infra: Infra, prefix: str, result: StreamResult, expected_poison: int
) -> dict[str, object]:
    codes = sorted(set(result.accepted.values()))
    rows = await eventually(
        lambda: db.fetch(
            "SELECT tracking_code, case_id FROM triage.case_tips WHERE tracking_code = ANY($1)",
            codes,
        ),
        lambda r: len(r) == len(codes),
        timeout=240,
        interval=1,
        what="every tip assigned",
    )
    cases = sorted({r["case_id"] for r in rows})
    clocks = await eventually(
        lambda: db.fetch(
            "SELECT case_id, count(*) AS n FROM notify.sla_clocks "
            "WHERE case_id = ANY($1) GROUP BY case_id",
            cases,
        ),
        lambda r: len(r) == len(cases),
        timeout=240,
        interval=1,
        what="every case has clocks",
    )
    statuses = await eventually(
        lambda: db.fetch(
            "SELECT t.tracking_code, s.case_id, s.timeline FROM intake.tips t "
            "JOIN intake.tip_status s ON s.tip_id = t.id WHERE t.tracking_code = ANY($1)",
            codes,
        ),
        lambda r: len(r) == len(codes) and all(x["case_id"] for x in r),
        timeout=240,
        interval=1,
        what="every status shows the assignment",
    )
    records = await read_topic(
        infra.kafka_bootstrap, prefix + "cases.events", at_least=len(codes), timeout=60
    )
    event_ids: dict[str, set[str]] = defaultdict(set)
    for record in records:
        try:
            event = CloudEvent.from_bytes(record.value)
        except ValueError:
            continue  # the poison scenario's own garbage
        if event.type == CaseAssignedV1.event_type:
            event_ids[event.data["tracking_code"]].add(event.id)
    assigned_twice = sum(len(event_ids[c]) - 1 for c in codes if len(event_ids[c]) > 1)
    applied_twice = sum(
        1 for s in statuses if sum(e["stage"] == "assigned" for e in json.loads(s["timeline"])) != 1
    )
    wrong_clocks = sum(1 for c in clocks if c["n"] != 4)
    dead = 0
    if expected_poison:
        for consumer in ("triage", "intake", "notify"):
            parked = await read_topic(
                infra.kafka_bootstrap, dead_letter_topic(prefix + consumer), timeout=10
            )
            dead += sum(1 for r in parked if dict(r.headers).get("dlt.reason"))
    return {
        "sent": result.sent,
        "accepted": len(codes),
        "assigned": len(rows),
        "duplicates": assigned_twice + applied_twice + wrong_clocks,
        "lost": len(codes) - len({r["tracking_code"] for r in rows}),
        "5xx": result.server_errors,
        "503": result.statuses.get(503, 0),
        "dead-lettered": dead,
    }


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_nothing_lost_nothing_doubled_under(
    name: str, infra: Infra, db: asyncpg.Pool, topic_prefix: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    result = StreamResult()
    expected_poison = 0
    with process_stack(infra, topic_prefix, tmp_path) as stack:
        load = asyncio.create_task(
            stream(stack.intake.url, rate=RATE, seconds=SECONDS, result=result)
        )
        await asyncio.sleep(SECONDS / 3)
        expected_poison = await SCENARIOS[name](stack, infra, topic_prefix)
        await load
        row = await _count(db, infra, topic_prefix, result, expected_poison)
    row = {"scenario": name, **row, "seconds": round(time.monotonic() - started)}
    RESULTS.append(row)
    assert result.sent == row["accepted"], row  # every client eventually got its 202
    assert row["lost"] == 0 and row["duplicates"] == 0 and row["5xx"] == 0, row
    assert row["dead-lettered"] == expected_poison, row
