"""The unit of work's outbox rows: written together at commit, in the order they were raised."""

import uuid

import asyncpg
import pytest

from services.triage.bootstrap import bootstrap as bootstrap_triage
from services.triage.config import TriageSettings
from tests.support.infra import Infra

pytestmark = pytest.mark.integration


def _triage(infra: Infra, prefix: str):  # type: ignore[no-untyped-def]
    settings = TriageSettings(
        database_url=infra.database_url,
        kafka_bootstrap=infra.kafka_bootstrap,
        topic_prefix=prefix,
        run_relay=False,
    )
    return bootstrap_triage(settings).runtime


async def test_events_of_a_transaction_are_stored_in_the_order_they_were_raised(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    runtime = _triage(infra, topic_prefix)
    ids = [str(uuid.uuid4()) for _ in range(7)]
    try:
        async with runtime.unit_of_work() as uow:
            for n, event_id in enumerate(ids):
                await uow.add_event(
                    event_id, topic="order.test", key=f"k{n % 2}", payload=f"{n}".encode()
                )
            before_commit = await db.fetchval(
                "SELECT count(*) FROM triage.outbox WHERE event_id = ANY($1::uuid[])", ids
            )
            await uow.commit()
        rows = await db.fetch(
            "SELECT event_id::text, topic, key, payload FROM triage.outbox "
            "WHERE event_id = ANY($1::uuid[]) ORDER BY id",
            ids,
        )
        assert before_commit == 0  # nothing is visible before the commit
        assert [r["event_id"] for r in rows] == ids  # the relay's order is the raised order
        assert [bytes(r["payload"]) for r in rows] == [f"{n}".encode() for n in range(7)]
        assert {r["topic"] for r in rows} == {topic_prefix + "order.test"}
        assert [r["key"] for r in rows] == [f"k{n % 2}" for n in range(7)]
    finally:
        await db.execute("DELETE FROM triage.outbox WHERE event_id = ANY($1::uuid[])", ids)
        await runtime.engine.dispose()


async def test_events_of_a_rolled_back_transaction_are_never_stored(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    runtime = _triage(infra, topic_prefix)
    event_id = str(uuid.uuid4())
    try:
        with pytest.raises(RuntimeError):
            async with runtime.unit_of_work() as uow:
                await uow.add_event(event_id, topic="order.test", key="k", payload=b"{}")
                raise RuntimeError("the effect failed")
        stored = await db.fetchval(
            "SELECT count(*) FROM triage.outbox WHERE event_id = $1::uuid", event_id
        )
        assert stored == 0
    finally:
        await runtime.engine.dispose()
