"""Behaviour shared by the three consumers, run against each: redelivery and poison messages."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.intake.bootstrap import bootstrap as bootstrap_intake
from services.intake.config import IntakeSettings
from services.intake.domain.submission import SubmitTip
from services.intake.usecases import Intake
from services.notify.bootstrap import bootstrap as bootstrap_notify
from services.notify.config import NotifySettings
from services.triage.bootstrap import bootstrap as bootstrap_triage
from services.triage.config import TriageSettings
from shared.contracts import CaseAssignedV1, CloudEvent, EventData, TipReceivedV1
from shared.contracts.topics import dead_letter_topic
from shared.runtime import HasRuntime
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import running
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@dataclass
class ConsumerCase:
    """How to drive one service's consumer and count the effect of one event."""

    name: str
    build: Callable[[Infra, str], HasRuntime]
    # Prepare state the event refers to; return the event to deliver.
    make_event: Callable[[HasRuntime], Awaitable[EventData]]
    # Count the effect of that event in the service's own tables.
    count_effect: Callable[[asyncpg.Pool, EventData], Awaitable[int]]
    expected_effect: int


def _settings(cls, infra: Infra, prefix: str):  # type: ignore[no-untyped-def]
    return cls(
        database_url=infra.database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        run_relay=False,
    )


def _case_assigned(tip_id: str, code: str) -> CaseAssignedV1:
    now = datetime.now(UTC)
    return CaseAssignedV1(
        case_id=str(uuid.uuid4()),
        tip_id=tip_id,
        tracking_code=code,
        kind="feedback",
        ward_code="09562",
        ward_name="Phường Yên Nghĩa",
        unit="police",
        priority="normal",
        category="unclassified",
        received_at=now,
        assigned_at=now,
    )


async def _intake_event(service: HasRuntime) -> EventData:
    assert isinstance(service, Intake)
    accepted, _ = await service.submit(
        SubmitTip(kind="feedback", text="Nhà nghỉ ở ngõ 5 có hoạt động mua bán dâm"),
        channel="api",
        english=False,
    )
    async with service.runtime.sessions() as session:
        from services.intake.db import repository

        tip, _ = await repository.get_tip_with_status(
            session=session, tracking_code=accepted.tracking_code
        )
    return _case_assigned(str(tip.id), accepted.tracking_code)


async def _count_intake(db: asyncpg.Pool, event: EventData) -> int:
    timeline = await db.fetchval(
        "SELECT timeline FROM intake.tip_status WHERE tip_id = $1", uuid.UUID(event.tip_id)
    )
    import json

    return sum(1 for entry in json.loads(timeline) if entry["stage"] == "assigned")


async def _triage_event(service: HasRuntime) -> EventData:
    return TipReceivedV1(
        tip_id=str(uuid.uuid4()),
        tracking_code=f"TB-{uuid.uuid4().hex[:4].upper()}-TEST",
        kind="crime_denunciation",
        channel="api",
        text="Có người môi giới mại dâm ở công viên",
        ward_code="09562",
        received_at=datetime.now(UTC),
    )


async def _count_triage(db: asyncpg.Pool, event: EventData) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM triage.case_tips WHERE tip_id = $1", uuid.UUID(event.tip_id)
    )


async def _notify_event(service: HasRuntime) -> EventData:
    return _case_assigned(str(uuid.uuid4()), "TB-NOTI-FY00")


async def _count_notify(db: asyncpg.Pool, event: EventData) -> int:
    return await db.fetchval(
        "SELECT count(*) FROM notify.sla_clocks WHERE case_id = $1", uuid.UUID(event.case_id)
    )


CONSUMERS = [
    ConsumerCase(
        "intake",
        lambda i, p: bootstrap_intake(_settings(IntakeSettings, i, p)),
        _intake_event,
        _count_intake,
        1,
    ),
    ConsumerCase(
        "triage",
        lambda i, p: bootstrap_triage(_settings(TriageSettings, i, p)),
        _triage_event,
        _count_triage,
        1,
    ),
    ConsumerCase(
        "notify",
        lambda i, p: bootstrap_notify(_settings(NotifySettings, i, p), run_workers=False),
        _notify_event,
        _count_notify,
        4,
    ),
]


async def _publish(infra: Infra, topic: str, *messages: tuple[bytes, bytes]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=infra.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        # A topic created a moment ago may still lack a leader on some partition; the
        # experiment starts once every partition is served.
        async def every_partition_led() -> bool:
            await producer.client.force_metadata_update()
            cluster = producer.client.cluster
            partitions = cluster.partitions_for_topic(topic) or set()
            return bool(partitions) and partitions == cluster.available_partitions_for_topic(topic)

        await eventually(every_partition_led, bool, timeout=30, what=f"leaders for {topic}")
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


@pytest.mark.parametrize("case", CONSUMERS, ids=lambda c: c.name)
async def test_an_event_delivered_twice_has_one_effect(
    case: ConsumerCase, infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    service = case.build(infra, topic_prefix)
    async with running(service):
        event = await case.make_event(service)
        envelope = CloudEvent.wrap(event, source="/tests")
        key = event.partition_key().encode()
        topic = topic_prefix + event.topic
        await _publish(infra, topic, (key, envelope.to_bytes()), (key, envelope.to_bytes()))
        marker = await case.make_event(service)  # a second event after the duplicate
        # On the same key, hence the same partition: applied only after the duplicate was seen.
        await _publish(infra, topic, (key, CloudEvent.wrap(marker, source="/tests").to_bytes()))

        async def effects() -> tuple[int, int]:
            return await case.count_effect(db, event), await case.count_effect(db, marker)

        # Once the later event is applied, the duplicate before it has surely been seen.
        counts = await eventually(
            effects,
            lambda c: c[1] == case.expected_effect,
            timeout=60,
            what=f"{case.name} applies events",
        )
        assert counts[0] == case.expected_effect
        inbox = await db.fetchval(
            f"SELECT count(*) FROM {case.name}.inbox WHERE event_id = $1", envelope.id
        )
        assert inbox == 1


@pytest.mark.parametrize("case", CONSUMERS, ids=lambda c: c.name)
async def test_poison_messages_go_to_the_dead_letter_topic_and_the_partition_keeps_flowing(
    case: ConsumerCase, infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    service = case.build(infra, topic_prefix)
    async with running(service):
        good = await case.make_event(service)
        topic = topic_prefix + good.topic
        key = good.partition_key().encode()
        broken = CloudEvent.wrap(good, source="/tests").model_dump(mode="json")
        broken["data"] = {"tracking_code": 12}  # right type name, wrong payload
        import orjson

        await _publish(
            infra,
            topic,
            (key, b"\xff\xfe not json at all"),
            (key, orjson.dumps(broken)),
            (key, CloudEvent.wrap(good, source="/tests").to_bytes()),
        )
        await eventually(
            lambda: case.count_effect(db, good),
            lambda n: n == case.expected_effect,
            timeout=60,
            what="the good event after the poison ones",
        )
        parked = await read_topic(
            infra.kafka_bootstrap, dead_letter_topic(topic_prefix + case.name), at_least=2
        )
        reasons = sorted(dict(r.headers)["dlt.reason"].decode() for r in parked)
        assert len(parked) == 2, reasons
        assert reasons[0].startswith("invalid vn.tinbao.")
        assert reasons[1].startswith("not a CloudEvent")
        assert {dict(r.headers)["dlt.topic"].decode() for r in parked} == {topic}


async def test_a_failing_event_in_a_batch_is_dead_lettered_alone_and_the_rest_apply_once(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    """Events of a partition are applied one transaction per batch; a handler failure rolls
    the batch back and replays it event by event, so only the failing event is parked."""
    from shared.kafka import EventConsumer, create_producer, ensure_topics

    settings = _settings(IntakeSettings, infra, topic_prefix)
    runtime = bootstrap_intake(settings).runtime
    calls: list[str] = []

    async def handler(uow, data: EventData, envelope: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        calls.append(envelope.id)
        if "POISON" in data.text:
            raise ValueError("this event cannot be applied")
        # A real effect in the same transaction: its outbox row (deleted below).
        await uow.add_event(envelope.id, topic="batch.test", key="k", payload=b"{}")

    events = [
        CloudEvent.wrap(
            TipReceivedV1(
                tip_id=str(uuid.uuid4()),
                tracking_code="TB-BATC-HTST",
                kind="feedback",
                channel="api",
                text="POISON" if n == 5 else f"tin báo số {n}",
                received_at=datetime.now(UTC),
            ),
            source="/tests",
        )
        for n in range(12)
    ]
    await ensure_topics(settings, groups=("batchtest",))
    # All on one key: one partition, delivered as one batch.
    await _publish(
        infra,
        topic_prefix + "tips.received",
        *[(b"same-key", e.to_bytes()) for e in events],
        (b"same-key", events[0].to_bytes()),  # and a redelivery
    )
    producer = create_producer(settings, client_id="batch-test")
    await producer.start()
    consumer = EventConsumer(
        settings=settings,
        consumer_name="batchtest",
        topics=("tips.received",),
        handlers={TipReceivedV1: handler},
        unit_of_work=runtime.unit_of_work,
        producer=producer,
        service="intake",
    )
    import asyncio

    task = asyncio.create_task(consumer.run())
    ids = [e.id for e in events]
    try:
        parked = await read_topic(infra.kafka_bootstrap, consumer.dead_letter_topic, at_least=1)
        applied = await eventually(
            lambda: db.fetchval(
                "SELECT count(*) FROM intake.inbox WHERE consumer = 'batchtest' "
                "AND event_id = ANY($1::uuid[])",
                ids,
            ),
            lambda n: n == 11,
            timeout=60,
            what="the eleven good events applied",
        )
        assert applied == 11
        effects = await db.fetchval(
            "SELECT count(*) FROM intake.outbox WHERE event_id = ANY($1::uuid[])", ids
        )
        assert effects == 11  # each good event's effect exactly once, none of the poison one
        assert len(parked) == 1
        assert dict(parked[0].headers)["dlt.reason"].decode().startswith("ValueError")
        assert parked[0].value == events[5].to_bytes()
        assert calls.count(events[5].id) >= 2  # tried in the batch, then alone
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, timeout=30)
        await producer.stop()
        await db.execute("DELETE FROM intake.outbox WHERE event_id = ANY($1::uuid[])", ids)
        await runtime.engine.dispose()
