"""The anonymous follow-up: status, wrong secrets, and the conversation both ways."""

import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from deploy.local.processes import ServiceProcess
from services.intake.domain.codes import new_tracking_code
from shared.contracts import CaseQuestionAskedV1, CloudEvent, TipFollowUpAddedV1
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

TIP = {
    "kind": "crime_denunciation",
    "text": "Có đường dây môi giới mại dâm qua Zalo hoạt động ở khu trọ sinh viên.",
}


async def _submit(client: httpx.AsyncClient) -> dict[str, str]:
    answer = await client.post("/api/v1/tips", json=TIP)
    assert answer.status_code == 202
    return answer.json()


async def test_wrong_secrets_lock_a_code_and_unknown_codes_behave_the_same(
    intake: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        tip = await _submit(client)
        unknown = new_tracking_code()
        answers = {}
        for code in (tip["tracking_code"], unknown):
            statuses = []
            for _ in range(6):
                wrong = await client.get(
                    f"/api/v1/tips/{code}/status", headers={"X-Tip-Secret": "AAAA-AAAA-AAAA-AAAA"}
                )
                statuses.append(wrong.status_code)
            answers[code] = statuses
        locked_right = await client.get(
            f"/api/v1/tips/{tip['tracking_code']}/status", headers={"X-Tip-Secret": tip["secret"]}
        )
    assert answers[tip["tracking_code"]] == answers[unknown] == [404] * 5 + [429]
    assert locked_right.status_code == 429  # even the right secret waits out the lockout
    assert int(locked_right.headers["retry-after"]) > 0


async def test_the_conversation_goes_both_ways(
    intake: ServiceProcess, infra: Infra, db: asyncpg.Pool, intake_prefix: str
) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        tip = await _submit(client)
        headers = {"X-Tip-Secret": tip["secret"]}
        tip_id = await db.fetchval(
            "SELECT id FROM intake.tips WHERE tracking_code = $1", tip["tracking_code"]
        )
        question = CaseQuestionAskedV1(
            case_id=str(uuid.uuid4()),
            tip_id=str(tip_id),
            question_id=str(uuid.uuid4()),
            text="Bạn có thể cho biết đường dây hoạt động vào giờ nào không?",
            asked_at=datetime.now(UTC),
        )
        producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait(
                intake_prefix + "cases.events",
                CloudEvent.wrap(question, source="/tests").to_bytes(),
                key=question.case_id.encode(),
            )
        finally:
            await producer.stop()

        async def messages() -> list[dict[str, str]]:
            answer = await client.get(
                f"/api/v1/tips/{tip['tracking_code']}/messages", headers=headers
            )
            return answer.json()

        inbox = await eventually(messages, lambda m: len(m) == 1, what="question delivered")
        assert inbox[0]["direction"] == "to_tipster"
        assert inbox[0]["text"].startswith("Bạn có thể cho biết")
        status = await client.get(f"/api/v1/tips/{tip['tracking_code']}/status", headers=headers)
        assert status.json()["open_questions"] == 1

        reply = await client.post(
            f"/api/v1/tips/{tip['tracking_code']}/messages",
            headers=headers,
            json={
                "text": "Thường từ 21 giờ đến 1 giờ sáng, ở tầng 3.",
                "in_reply_to": inbox[0]["id"],
            },
        )
        assert reply.status_code == 201, reply.text
        status = await client.get(f"/api/v1/tips/{tip['tracking_code']}/status", headers=headers)
        assert status.json()["open_questions"] == 0
        forbidden = await client.post(
            f"/api/v1/tips/{tip['tracking_code']}/messages",
            headers={"X-Tip-Secret": "AAAA-AAAA-AAAA-AAAA"},
            json={"text": "giả mạo"},
        )
        assert forbidden.status_code == 404

    records = await read_topic(infra.kafka_bootstrap, intake_prefix + "tips.followups", at_least=1)
    followups = [CloudEvent.from_bytes(r.value) for r in records]
    mine = [e for e in followups if e.data["tracking_code"] == tip["tracking_code"]]
    assert len(mine) == 1
    added = TipFollowUpAddedV1.model_validate(mine[0].data)
    assert added.in_reply_to == inbox[0]["id"]
    assert added.text.startswith("Thường từ 21 giờ")
