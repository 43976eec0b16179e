"""What this machine allows: PostgreSQL's durable single-row commits, Kafka's producer rate."""

import asyncio
import json
import re
import time
import uuid

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.local.processes import REPO_ROOT

KAFKA_LIBS = REPO_ROOT / "deploy" / "kafka" / "target" / "kafka-libs"
# A tip.received event as intake publishes it is about 1 KB of JSON.
EVENT_BYTES = 1000


async def postgres_commit_limit(dsn: str, seconds: float, connections: int = 8) -> float:
    """Single-row INSERT + COMMIT per transaction, fsync on, from 8 connections at once."""
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    await pool.execute(
        "CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE IF NOT EXISTS bench.inserts "
        "(id bigserial primary key, body text, at timestamptz default now())"
    )
    body = "x" * EVENT_BYTES
    count = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal count
        async with pool.acquire() as connection:
            statement = await connection.prepare("INSERT INTO bench.inserts (body) VALUES ($1)")
            while time.monotonic() < deadline:
                await statement.fetch(body)
                count += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.monotonic() - started
    await pool.close()
    return count / elapsed


async def create_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 6, 1)])
    finally:
        await admin.close()


async def kafka_perf_test(bootstrap: str, records: int) -> dict[str, float]:
    """Kafka's own ProducerPerformance (acks=all, idempotent, 1 KB records): the ceiling."""
    topic = f"bench.perf.{uuid.uuid4().hex[:8]}"
    await create_topic(bootstrap, topic)
    process = await asyncio.create_subprocess_exec(
        "java",
        "-Xmx512m",
        "-cp",
        f"{KAFKA_LIBS}/*",
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic",
        topic,
        "--num-records",
        str(records),
        "--record-size",
        str(EVENT_BYTES),
        "--throughput",
        "-1",
        "--producer-props",
        f"bootstrap.servers={bootstrap}",
        "acks=all",
        "enable.idempotence=true",
        "linger.ms=5",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=180)
    # The last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, ... P99 ms 99th"
    summary = out.decode(errors="replace").strip().splitlines()[-1]
    found = re.search(r"([\d.]+) records/sec.*?([\d.]+) ms avg latency", summary)
    if process.returncode != 0 or found is None:
        raise RuntimeError(f"ProducerPerformance failed: {summary}")
    return {"records_per_s": float(found.group(1)), "avg_latency_ms": float(found.group(2))}


async def aiokafka_producer_rate(bootstrap: str, messages: int) -> float:
    """The client tinbao uses (aiokafka, acks=all, idempotent), same message size."""
    topic = f"bench.producer.{uuid.uuid4().hex[:8]}"
    await create_topic(bootstrap, topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    payload = json.dumps({"data": "x" * (EVENT_BYTES - 40), "id": str(uuid.uuid4())}).encode()
    started = time.monotonic()
    futures = []
    for i in range(messages):
        futures.append(await producer.send(topic, payload, key=str(i % 97).encode()))
        if len(futures) >= 5000:
            await asyncio.gather(*futures)
            futures = []
    await asyncio.gather(*futures)
    elapsed = time.monotonic() - started
    await producer.stop()
    return messages / elapsed
