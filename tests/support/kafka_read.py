"""Read back what landed on a topic, without joining a consumer group."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord


async def read_topic(
    bootstrap: str, topic: str, *, at_least: int = 0, timeout: float = 30.0
) -> list[ConsumerRecord]:
    """Return every record of `topic` from the beginning, waiting for `at_least` of them."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        deadline = time.monotonic() + timeout
        while not partitions and time.monotonic() < deadline:
            await consumer._client.force_metadata_update()  # the topic may be new
            partitions = consumer.partitions_for_topic(topic) or set()
            await asyncio.sleep(0.2)
        assignment = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assignment)
        await consumer.seek_to_beginning(*assignment)
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for part in batch.values():
                records.extend(part)
            if not batch and len(records) >= at_least:
                break
    finally:
        await consumer.stop()
    return records
