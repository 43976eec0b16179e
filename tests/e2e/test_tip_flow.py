"""One tip (and many) travel intake → triage → notify and back to the tipster's status."""

import asyncio
import signal
from collections import defaultdict

import asyncpg
import httpx
import pytest

from shared.contracts import CaseAssignedV1, CloudEvent
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import Stack, gather_limited, vietnamese_tip
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _submit(client: httpx.AsyncClient, index: int) -> dict[str, str]:
    response = await client.post("/api/v1/tips", json=vietnamese_tip(index))
    assert response.status_code == 202, response.text
    return response.json()


async def _assignments(db: asyncpg.Pool, codes: list[str]) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT tracking_code, count(*) AS n FROM triage.case_tips "
        "WHERE tracking_code = ANY($1) GROUP BY tracking_code",
        codes,
    )
    return {row["tracking_code"]: row["n"] for row in rows}


async def _assigned_event_ids(
    infra: Infra, topic_prefix: str, at_least: int
) -> dict[str, set[str]]:
    records = await read_topic(
        infra.kafka_bootstrap, topic_prefix + "cases.events", at_least=at_least, timeout=60
    )
    ids: dict[str, set[str]] = defaultdict(set)
    for record in records:
        event = CloudEvent.from_bytes(record.value)
        if event.type == CaseAssignedV1.event_type:
            ids[event.data["tracking_code"]].add(event.id)
    return ids


async def _assert_exactly_once(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str, accepted: list[dict[str, str]]
) -> None:
    codes = [a["tracking_code"] for a in accepted]
    assert len(set(codes)) == len(codes)
    counts = await eventually(
        lambda: _assignments(db, codes),
        lambda c: len(c) == len(codes),
        timeout=120,
        what="every tip assigned",
    )
    assert set(counts.values()) == {1}, "a tip was assigned twice"
    event_ids = await _assigned_event_ids(infra, topic_prefix, len(codes))
    assert set(event_ids) == set(codes), "a tip has no case.assigned event"
    assert all(len(ids) == 1 for ids in event_ids.values()), "a tip has two case.assigned events"
    case_ids = [
        r["case_id"]
        for r in await db.fetch(
            "SELECT case_id FROM triage.case_tips WHERE tracking_code = ANY($1)", codes
        )
    ]
    clocks = await eventually(
        lambda: db.fetch(
            "SELECT case_id, count(*) AS n FROM notify.sla_clocks WHERE case_id = ANY($1) "
            "GROUP BY case_id",
            case_ids,
        ),
        lambda rows: len(rows) == len(case_ids),
        timeout=60,
        what="every case has its SLA clocks",
    )
    assert {row["n"] for row in clocks} == {4}


async def _status(client: httpx.AsyncClient, accepted: dict[str, str]) -> dict[str, object]:
    response = await client.get(
        f"/api/v1/tips/{accepted['tracking_code']}/status",
        headers={"X-Tip-Secret": accepted["secret"]},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_200_concurrent_tips_are_each_assigned_exactly_once_and_visible(
    stack: Stack, infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    async with httpx.AsyncClient(base_url=stack.intake.url, timeout=60) as client:
        accepted = await asyncio.gather(*(_submit(client, i) for i in range(200)))
        await _assert_exactly_once(infra, db, topic_prefix, accepted)

        async def all_statuses() -> list[dict[str, object]]:
            return await gather_limited([_status(client, a) for a in accepted], limit=20)

        statuses = await eventually(
            all_statuses,
            lambda s: all(x["unit"] in {"police", "culture_social"} for x in s),
            timeout=60,
            what="status shows the unit",
        )
    assert all(s["stage"] == "received" for s in statuses)
    assert {s["ward_name"] for s in statuses} == {"Phường Yên Nghĩa"}
    first = statuses[0]
    assert first["timeline"][0]["stage"] == "received"
    assert first["timeline"][-1]["stage"] == "assigned"


async def test_triage_killed_mid_stream_still_assigns_every_tip_once(
    stack: Stack, infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    async with httpx.AsyncClient(base_url=stack.intake.url, timeout=60) as client:
        first = await gather_limited([_submit(client, i) for i in range(150)], limit=25)
        codes = [a["tracking_code"] for a in first]
        # Kill as soon as triage is part-way through the stream.
        await eventually(
            lambda: _assignments(db, codes),
            lambda c: len(c) >= 10,
            timeout=60,
            what="triage started assigning",
        )
        stack.triage.signal(signal.SIGKILL)
        stack.triage.process.wait(timeout=10)
        done_at_kill = len(await _assignments(db, codes))
        second = await gather_limited([_submit(client, i) for i in range(150, 300)], limit=25)
        stack.triage.start()
        stack.triage.wait_ready(timeout=90)
        await _assert_exactly_once(infra, db, topic_prefix, first + second)
    assert done_at_kill < 300


async def test_wrong_secret_and_unknown_code_look_the_same(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as client:
        accepted = await _submit(client, 1)
        wrong = await client.get(
            f"/api/v1/tips/{accepted['tracking_code']}/status",
            headers={"X-Tip-Secret": "AAAA-AAAA-AAAA-AAAA"},
        )
        unknown = await client.get(
            "/api/v1/tips/TB-AAAA-AAAA/status", headers={"X-Tip-Secret": accepted["secret"]}
        )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert "Mã theo dõi hoặc mã bí mật không đúng" in wrong.json()["detail"]


async def test_the_ward_is_resolved_from_the_address_text(stack: Stack, db: asyncpg.Pool) -> None:
    addresses = {
        "so 5 ngo 7 p yen nghia ha noi": "09562",  # no diacritics, abbreviated
        "Ngõ 7 Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội": "00070",  # old district
        "P.12 Q.Gò Vấp TPHCM": "26882",  # numbered ward of Sài Gòn, old district
        "Phường Tân Phong": None,  # in several provinces: manual triage, never a guess
    }
    async with httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as client:
        answers = {}
        for address in addresses:
            answer = await client.post(
                "/api/v1/tips",
                json={
                    "kind": "feedback",
                    "address": address,
                    "text": "Quán karaoke có nhân viên nữ tiếp khách trong phòng kín, có dấu hiệu "
                    "mua bán dâm.",
                },
            )
            answers[address] = answer.json()
        rows = await eventually(
            lambda: db.fetch(
                "SELECT t.tracking_code, c.ward_code, c.status, c.reasons FROM triage.case_tips t "
                "JOIN triage.cases c ON c.id = t.case_id WHERE t.tracking_code = ANY($1)",
                [a["tracking_code"] for a in answers.values()],
            ),
            lambda r: len(r) == len(addresses),
            what="triaged",
        )
        by_code = {r["tracking_code"]: r for r in rows}
        for address, ward in addresses.items():
            row = by_code[answers[address]["tracking_code"]]
            assert row["ward_code"] == ward, (address, row["reasons"])
            if ward is None:
                assert row["status"] == "manual_triage"
        status = await eventually(
            lambda: client.get(
                f"/api/v1/tips/{answers['P.12 Q.Gò Vấp TPHCM']['tracking_code']}/status",
                headers={"X-Tip-Secret": answers["P.12 Q.Gò Vấp TPHCM"]["secret"]},
            ),
            lambda r: r.json()["ward_name"] is not None,
            what="ward shown to the citizen",
        )
        assert status.json()["ward_name"] == "Phường An Hội Tây"
