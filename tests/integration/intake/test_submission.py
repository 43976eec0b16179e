"""Submitting tips: idempotency, privacy at rest, validation and limits (real PostgreSQL)."""

import asyncio
import base64
import uuid

import asyncpg
import httpx
import pytest

from deploy.local.processes import ServiceProcess

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TIP = {"kind": "feedback", "text": "Nhà nghỉ Hoa Sen ở ngõ 3 có người môi giới mại dâm buổi tối."}


async def test_fifty_parallel_retries_of_one_key_create_one_tip(
    intake: ServiceProcess, db: asyncpg.Pool
) -> None:
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=60) as client:
        answers = await asyncio.gather(
            *(
                client.post("/api/v1/tips", json=TIP, headers={"Idempotency-Key": key})
                for _ in range(50)
            )
        )
    assert {a.status_code for a in answers} == {202}
    bodies = [a.json() for a in answers]
    assert len({(b["tracking_code"], b["secret"]) for b in bodies}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 49
    count = await db.fetchval(
        "SELECT count(*) FROM intake.tips WHERE tracking_code = $1", bodies[0]["tracking_code"]
    )
    assert count == 1


async def test_a_key_reused_with_another_body_is_rejected_not_merged(
    intake: ServiceProcess,
) -> None:
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        first = await client.post("/api/v1/tips", json=TIP, headers={"Idempotency-Key": key})
        other = await client.post(
            "/api/v1/tips",
            json={**TIP, "kind": "petition"},
            headers={"Idempotency-Key": key, "Accept-Language": "en"},
        )
    assert first.status_code == 202
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "different body" in other.json()["detail"]


async def test_contact_and_photos_are_encrypted_and_no_ip_is_stored(
    intake: ServiceProcess, db: asyncpg.Pool
) -> None:
    tip = {
        **TIP,
        "contact": {
            "name": "Nguyễn Thị Hồng",
            "phone": "0912 345 678",
            "email": "hong.nguyen@example.vn",
            "consent": True,
        },
        "attachments": [
            {"content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}
        ],
    }
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        answer = await client.post(
            "/api/v1/tips", json=tip, headers={"User-Agent": "Mozilla/5.0 PrivacyProbe"}
        )
    assert answer.status_code == 202, answer.text
    code, secret = answer.json()["tracking_code"], answer.json()["secret"]
    row = await db.fetchrow(
        "SELECT t.*, row_to_json(t)::text AS raw FROM intake.tips t WHERE tracking_code = $1", code
    )
    assert row["is_anonymous"] is False
    assert row["contact_sealed"] is not None
    stored = row["raw"] + row["contact_sealed"].hex()
    for secret_value in (
        "912345678",
        "0912 345 678",
        "hong.nguyen",
        "Hồng",
        "127.0.0.1",
        "PrivacyProbe",
        secret,
    ):
        assert secret_value not in stored
        assert secret_value.encode() not in row["contact_sealed"]
    sealed = await db.fetchval(
        "SELECT sealed FROM intake.attachments a JOIN intake.tips t ON t.id = a.tip_id "
        "WHERE t.tracking_code = $1",
        code,
    )
    assert not sealed.startswith(b"\x89PNG") and b"\x89PNG" not in sealed
    columns = {
        r["column_name"]
        for r in await db.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'intake'"
        )
    }
    assert not {c for c in columns if "ip" in c.split("_") or "agent" in c or c == "addr"}


async def test_contact_without_consent_is_refused_with_a_clear_message(
    intake: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        answer = await client.post(
            "/api/v1/tips", json={**TIP, "contact": {"phone": "0912345678", "consent": False}}
        )
    assert answer.status_code == 422
    error = answer.json()["errors"][0]
    assert error["field"] == "contact"
    assert "consent: true" in error["message"]


async def test_oversized_bodies_and_wrong_images_are_problems_not_crashes(
    intake: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        huge = await client.post(
            "/api/v1/tips",
            content=b"{" + b" " * (3 * 1024 * 1024) + b"}",
            headers={"content-type": "application/json"},
        )
        fake = await client.post(
            "/api/v1/tips",
            json={
                **TIP,
                "attachments": [
                    {"content_type": "image/jpeg", "data_base64": base64.b64encode(PNG).decode()}
                ],
            },
        )
    assert huge.status_code == 413
    assert huge.json()["type"].endswith("/too-large")
    assert fake.status_code == 422
    assert fake.json()["errors"][0]["field"] == "attachments.0"
