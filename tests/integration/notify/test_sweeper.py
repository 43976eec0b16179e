"""SLA clocks under an injected clock: warnings and breaches on time, across restarts."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.notify.bootstrap import bootstrap
from services.notify.config import NotifySettings
from shared.contracts import CaseAssignedV1, CaseStageCompletedV1, CloudEvent
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import running
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

RECEIVED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # a Monday, 08:00 in Hà Nội


class SteppedClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def _settings(infra: Infra, prefix: str) -> NotifySettings:
    return NotifySettings(
        database_url=infra.database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        sweep_interval_seconds=3600,
    )


def _assigned(case_id: str, kind: str = "feedback") -> CaseAssignedV1:
    return CaseAssignedV1(
        case_id=case_id,
        tip_id=str(uuid.uuid4()),
        tracking_code="TB-CLCK-TEST",
        kind=kind,
        ward_code="09562",
        ward_name="Phường Yên Nghĩa",
        unit="culture_social",
        priority="normal",
        category="unclassified",
        received_at=RECEIVED,
        assigned_at=RECEIVED,
    )


async def _send(infra: Infra, topic: str, *events: object) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                topic,
                CloudEvent.wrap(event, source="/tests").to_bytes(),
                key=event.partition_key().encode(),
            )
    finally:
        await producer.stop()


async def _clocks(db: asyncpg.Pool, case_id: str) -> dict[str, asyncpg.Record]:
    rows = await db.fetch("SELECT * FROM notify.sla_clocks WHERE case_id = $1", uuid.UUID(case_id))
    return {row["stage"]: row for row in rows}


async def _sla_events(infra: Infra, prefix: str, case_id: str, at_least: int) -> list[CloudEvent]:
    records = await read_topic(infra.kafka_bootstrap, prefix + "sla.events", at_least=at_least)
    events = [CloudEvent.from_bytes(r.value) for r in records]
    return [e for e in events if e.data["case_id"] == case_id]


@pytest.fixture
def stepped() -> Iterator[SteppedClock]:
    yield SteppedClock(RECEIVED)


async def test_warnings_then_breach_then_met_at_the_right_moments(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str, stepped: SteppedClock
) -> None:
    notify = bootstrap(_settings(infra, topic_prefix), clock=stepped, run_workers=False)
    case_id = str(uuid.uuid4())
    async with running(notify):
        await _send(infra, topic_prefix + "cases.events", _assigned(case_id))
        clocks = await eventually(lambda: _clocks(db, case_id), lambda c: len(c) == 4)
        verified_due = clocks["verified"]["due_at"]
        assert clocks["received"]["status"] == "met"
        start = clocks["verified"]["started_at"]
        budget = verified_due - start

        # The sweeper sweeps the whole table (other tests' clocks too): judge this case only.
        await notify.sweeper.sweep(start + budget * 0.49)
        assert (await _clocks(db, case_id))["verified"]["warnings_sent"] == 0
        await notify.sweeper.sweep(start + budget * 0.5 + timedelta(seconds=1))
        assert (await _clocks(db, case_id))["verified"]["warnings_sent"] == 1  # the 50% point
        await notify.sweeper.sweep(start + budget * 0.6)
        assert (await _clocks(db, case_id))["verified"]["warnings_sent"] == 1  # nothing twice
        await notify.sweeper.sweep(verified_due + timedelta(seconds=1))
        clocks = await _clocks(db, case_id)
        assert clocks["verified"]["status"] == "breached"
        # Feedback is verified and answered within 10 working days: both breach together.
        assert clocks["classified"]["status"] == "breached"
        assert clocks["handled"]["status"] == "running"  # 15 working days (policy)

        done = CaseStageCompletedV1(
            case_id=case_id,
            version=2,
            stage="handled",
            outcome="support_provided",
            kind="feedback",
            priority="normal",
            unit="culture_social",
            ward_code="09562",
            tip_ids=[],
            completed_at=verified_due + timedelta(hours=1),
        )
        await _send(infra, topic_prefix + "cases.events", done)
        await eventually(
            lambda: _clocks(db, case_id),
            lambda c: c["handled"]["status"] == "met",
            what="handled met",
        )
        events = await eventually(
            lambda: _sla_events(infra, topic_prefix, case_id, 1),
            lambda e: any(x.type.endswith("sla.met.v1") for x in e),
            what="events relayed",
        )
    kinds = [e.type.rsplit(".", 2)[-2] for e in events]
    assert kinds.count("clocks_started") == 1
    assert kinds.count("breached") == 2
    assert kinds.count("met") == 1
    assert "warning" in kinds
    breach = next(e for e in events if e.type.endswith("breached.v1"))
    assert breach.data["stage"] == "verified" and breach.data["case_sla_state"] == "breached"


async def test_a_deadline_that_passed_while_notify_was_down_is_reported_on_start(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str, stepped: SteppedClock
) -> None:
    case_id = str(uuid.uuid4())
    first = bootstrap(_settings(infra, topic_prefix), clock=stepped, run_workers=False)
    async with running(first):
        await _send(infra, topic_prefix + "cases.events", _assigned(case_id, "crime_report"))
        await eventually(lambda: _clocks(db, case_id), lambda c: len(c) == 4)
    # Notify is down for two days; the 24-hour classification deadline passes meanwhile.
    stepped.current = RECEIVED + timedelta(days=2)
    second = bootstrap(_settings(infra, topic_prefix), clock=stepped)  # sweeper on, as in prod
    async with running(second):
        clocks = await eventually(
            lambda: _clocks(db, case_id),
            lambda c: c["classified"]["status"] == "breached",
            timeout=30,
            what="breach reported on start",
        )
        events = await eventually(
            lambda: _sla_events(infra, topic_prefix, case_id, 1),
            lambda e: any(x.type.endswith("breached.v1") for x in e),
            what="breach relayed",
        )
    assert len(clocks) == 4  # the restart lost and doubled nothing
    breaches = [e for e in events if e.type.endswith("breached.v1")]
    assert {e.data["stage"] for e in breaches} >= {"classified"}
    assert len({(e.data["stage"]) for e in breaches}) == len(breaches)  # each once


async def test_a_handled_clock_anchored_on_acceptance_starts_when_the_case_is_classified(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str, stepped: SteppedClock
) -> None:
    notify = bootstrap(_settings(infra, topic_prefix), clock=stepped, run_workers=False)
    case_id = str(uuid.uuid4())
    accepted = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # Wed 4/3, 10:00 in Hà Nội
    async with running(notify):
        await _send(infra, topic_prefix + "cases.events", _assigned(case_id, "denunciation"))
        clocks = await eventually(lambda: _clocks(db, case_id), lambda c: len(c) == 4)
        assert clocks["handled"]["status"] == "pending" and clocks["handled"]["due_at"] is None
        await _send(
            infra,
            topic_prefix + "cases.events",
            CaseStageCompletedV1(
                case_id=case_id,
                version=2,
                stage="classified",
                outcome="accepted",
                kind="denunciation",
                priority="normal",
                unit="police",
                ward_code="09562",
                tip_ids=[],
                completed_at=accepted,
            ),
        )
        clocks = await eventually(
            lambda: _clocks(db, case_id),
            lambda c: c["handled"]["status"] == "running",
            what="handled clock starts on acceptance",
        )
    # 30 calendar days after 4/3: day 30 = Fri 3/4/2026, a working day → 24:00 local.
    assert clocks["handled"]["started_at"] == accepted
    assert clocks["handled"]["due_at"] == datetime(2026, 4, 3, 17, 0, tzinfo=UTC)
    assert len(json.loads(clocks["handled"]["warn_points"])) == 3  # 50%, 80%, 5 days before
