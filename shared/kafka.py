"""Kafka helpers: a safe producer, topic creation and the idempotent consumer loop."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from shared import metrics
from shared.contracts import EVENT_TYPES, CloudEvent, EventData
from shared.contracts.topics import DEAD_LETTER_PARTITIONS, PARTITIONS, dead_letter_topic
from shared.db import UnitOfWork
from shared.errors import describe_failure, is_transient
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Handler = Callable[[UnitOfWork, Any, CloudEvent], Awaitable[None]]
UnitOfWorkFactory = Callable[[], Any]


def create_producer(settings: ServiceSettings, *, client_id: str) -> AIOKafkaProducer:
    """Build a producer that never loses or doubles a send: acks=all, idempotence on."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )


async def ensure_topics(settings: ServiceSettings, *, groups: tuple[str, ...] = ()) -> None:
    """Create the system's topics (and the given groups' dead-letter topics) if missing."""
    wanted = {settings.topic(name): count for name, count in PARTITIONS.items()}
    for group in groups:
        wanted[dead_letter_topic(settings.group(group))] = DEAD_LETTER_PARTITIONS
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap, client_id="tinbao-admin"
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name=name, num_partitions=count, replication_factor=1)
            for name, count in wanted.items()
            if name not in existing
        ]
        if missing:
            # Another service may have created them a moment ago.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Commit what was processed before partitions move to another member."""

    def __init__(self, loop: "EventConsumer") -> None:
        self._loop = loop

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._loop.commit_processed()

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class EventConsumer:
    """Consume events, apply each in one transaction with its inbox row, then commit offsets.

    Delivery is at least once; the inbox makes a redelivered event a no-op.
    Transient failures (database or broker unreachable) are retried without
    moving forward; any other failure is retried a few times and then the
    message goes to the dead-letter topic with its reason, so the partition
    keeps flowing.
    """

    def __init__(
        self,
        *,
        settings: ServiceSettings,
        consumer_name: str,
        topics: tuple[str, ...],
        handlers: Mapping[type[EventData], Handler],
        unit_of_work: UnitOfWorkFactory,
        producer: AIOKafkaProducer,
        service: str,
    ) -> None:
        self._settings = settings
        self._consumer_name = consumer_name
        self._group = settings.group(consumer_name)
        self._topics = tuple(settings.topic(t) for t in topics)
        self._handlers = dict(handlers)
        self._unit_of_work = unit_of_work
        self._producer = producer
        self._service = service
        self._consumer: AIOKafkaConsumer | None = None
        self._processed: dict[TopicPartition, int] = {}
        self._stopping = asyncio.Event()
        self.ready = False

    @property
    def dead_letter_topic(self) -> str:
        return dead_letter_topic(self._group)

    async def run(self) -> None:
        """Consume until `stop()`; reconnects by itself when the broker goes away."""
        while not self._stopping.is_set():
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.ready = False
                log.exception("consumer crashed; restarting", extra={"consumer": self._group})
                await self._sleep(2.0)

    async def stop(self) -> None:
        """Finish the current message, commit, and leave the group."""
        self._stopping.set()

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap,
            group_id=self._group,
            client_id=f"{self._service}-{self._consumer_name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=200,
            # Under load the broker answers once 64 KiB are waiting or after 20 ms, instead
            # of one fetch per message: fewer, fuller batches for the broker and for us.
            fetch_min_bytes=64 * 1024,
            fetch_max_wait_ms=20,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=2_000,
        )
        consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await consumer.start()
        self._consumer = consumer
        try:
            self.ready = True
            while not self._stopping.is_set():
                batches = await consumer.getmany(timeout_ms=500, max_records=200)
                if not batches or self._stopping.is_set():
                    continue
                # Partitions are independent (a key keeps a case in one partition), so their
                # batches run side by side, each in order and in its own transaction: one
                # partition's database round trips overlap another's work. A failure cancels
                # the others, whose transactions roll back; they are redelivered.
                async with asyncio.TaskGroup() as group:
                    for partition, records in batches.items():
                        group.create_task(self._process_partition(partition, records))
                done = dict(self._processed)
                await self.commit_processed()
                for partition, next_offset in done.items():
                    metrics.CONSUMER_LAG.labels(
                        self._service, self._group, str(partition.partition)
                    ).set(max(0, (consumer.highwater(partition) or 0) - next_offset))
        finally:
            self.ready = False
            try:
                await self.commit_processed()
            finally:
                self._consumer = None
                await consumer.stop()

    async def _process_partition(
        self, partition: TopicPartition, records: list[ConsumerRecord]
    ) -> None:
        await self._process_batch(records)
        self._processed[partition] = records[-1].offset + 1

    async def commit_processed(self) -> None:
        """Commit offsets of every record whose effect is already committed."""
        if not self._processed or self._consumer is None:
            return
        offsets, self._processed = self._processed, {}
        try:
            await self._consumer.commit(offsets)
        except KafkaError:
            # Not fatal: the inbox turns the redelivery that follows into a no-op.
            log.warning("offset commit failed", extra={"consumer": self._group})

    async def _process_batch(self, records: list[ConsumerRecord]) -> None:
        """Apply a partition's batch in one transaction; one by one if any event fails.

        One transaction per batch spares a session, an inbox insert and a commit per
        event, which is most of a consumer's CPU. Any failure rolls the whole batch back
        (its inbox rows too), and the events are then applied one at a time, so a poison
        message still reaches the dead-letter topic alone and a transient failure is
        retried per event.
        """
        parsed = [item for record in records if (item := await self._parse(record)) is not None]
        if len(parsed) > 1:
            try:
                await self._apply_many(parsed)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning(
                    "batch failed; applying its events one by one",
                    extra={"consumer": self._group, "error": error.__class__.__name__},
                )
        for handler, data, envelope, record in parsed:
            await self._apply_with_retries(handler, data, envelope, record)

    async def _parse(
        self, record: ConsumerRecord
    ) -> tuple[Handler, EventData, CloudEvent, ConsumerRecord] | None:
        """Decode a record for one of our handlers; dead-letter what cannot be read."""
        try:
            envelope = CloudEvent.from_bytes(record.value)
        except (ValueError, ValidationError) as error:
            await self._dead_letter(record, f"not a CloudEvent: {error.__class__.__name__}")
            return None
        event_class = EVENT_TYPES.get(envelope.type)
        handler = self._handlers.get(event_class) if event_class else None
        if handler is None:
            return None  # another consumer's event on a shared topic
        try:
            data = event_class.model_validate(envelope.data)
        except ValidationError as error:
            fields = ",".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
            await self._dead_letter(record, f"invalid {envelope.type}: fields {fields}")
            return None
        return handler, data, envelope, record

    async def _apply_many(
        self, parsed: list[tuple[Handler, EventData, CloudEvent, ConsumerRecord]]
    ) -> None:
        async with self._unit_of_work() as uow:
            fresh = await uow.mark_applied_many(
                consumer=self._consumer_name, event_ids=[item[2].id for item in parsed]
            )
            for handler, data, envelope, _record in parsed:
                if envelope.id not in fresh:
                    metrics.EVENTS_DUPLICATE.labels(self._service, self._group).inc()
                    continue
                fresh.discard(envelope.id)  # a redelivery inside the same batch
                await handler(uow, data, envelope)
            await uow.commit()
        for _handler, _data, envelope, _record in parsed:
            metrics.EVENTS_CONSUMED.labels(self._service, self._group, envelope.type).inc()

    async def _apply_with_retries(
        self, handler: Handler, data: EventData, envelope: CloudEvent, record: ConsumerRecord
    ) -> None:
        attempts = 0
        while True:
            attempts += 1
            try:
                await self._apply(handler, data, envelope)
                metrics.EVENTS_CONSUMED.labels(self._service, self._group, envelope.type).inc()
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if is_transient(error):
                    log.warning(
                        "transient failure; retrying",
                        extra={"event_id": envelope.id, "error": error.__class__.__name__},
                    )
                    await self._sleep(min(5.0, 0.2 * attempts))
                    attempts = 0 if attempts > 50 else attempts
                    continue
                if attempts >= self._settings.consumer_max_attempts:
                    log.exception("event failed; dead-lettered", extra={"event_id": envelope.id})
                    await self._dead_letter(record, describe_failure(error))
                    return
                await self._sleep(0.1 * attempts)

    async def _apply(self, handler: Handler, data: EventData, envelope: CloudEvent) -> None:
        async with self._unit_of_work() as uow:
            if not await uow.mark_applied(consumer=self._consumer_name, event_id=envelope.id):
                metrics.EVENTS_DUPLICATE.labels(self._service, self._group).inc()
                return
            await handler(uow, data, envelope)
            await uow.commit()

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        """Park a message on the dead-letter topic; retried until the broker takes it."""
        headers = [
            ("dlt.reason", reason.encode()),
            ("dlt.topic", record.topic.encode()),
            ("dlt.partition", str(record.partition).encode()),
            ("dlt.offset", str(record.offset).encode()),
            ("dlt.consumer", self._group.encode()),
        ]
        while True:
            try:
                await self._producer.send_and_wait(
                    self.dead_letter_topic, record.value, key=record.key, headers=headers
                )
                break
            except KafkaError:
                await self._sleep(1.0)
        metrics.EVENTS_DEAD_LETTERED.labels(self._service, self._group).inc()
        log.error("message dead-lettered", extra={"consumer": self._group, "reason": reason})

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
