"""The hotline bridge, the SMS gateway webhook and the Open311 facade."""

import asyncio
import hashlib
import hmac
import time
import urllib.parse
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from georeport import GeoReport

from deploy.local.processes import ServiceProcess
from services.intake.config import DEV_AUTH_SECRET, DEV_SMS_SECRET
from shared.auth import Principal, issue_token

pytestmark = pytest.mark.integration


def _token(role: str) -> str:
    principal = Principal("u-" + role, role, "09562", None)
    return issue_token(principal, secret=DEV_AUTH_SECRET, ttl=timedelta(minutes=5))


async def test_hotline_needs_an_operator_and_keeps_the_call_time_and_no_number(
    intake: ServiceProcess, db: asyncpg.Pool
) -> None:
    called = (datetime.now(UTC) - timedelta(minutes=7)).replace(microsecond=0)
    number = f"09{int(time.time() * 1000) % 10**8:08d}"
    call = {
        "kind": "crime_denunciation",
        "text": "Người gọi báo có nhóm bảo kê quán karaoke ép các cô gái tiếp khách.",
        "call_started_at": called.isoformat(),
        "caller_number": number,
        "caller_consents_to_contact": False,
    }
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        anonymous = await client.post("/api/v1/hotline/tips", json=call)
        officer = await client.post(
            "/api/v1/hotline/tips",
            json=call,
            headers={"Authorization": f"Bearer {_token('officer')}"},
        )
        operator = {"Authorization": f"Bearer {_token('hotline_operator')}"}
        first = await client.post("/api/v1/hotline/tips", json=call, headers=operator)
        second = await client.post(
            "/api/v1/hotline/tips",
            headers=operator,
            json={**call, "caller_number": "+84" + number[1:]},
        )
        future = await client.post(
            "/api/v1/hotline/tips",
            headers=operator,
            json={**call, "call_started_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
        )
    assert anonymous.status_code == 401
    assert officer.status_code == 403
    assert first.status_code == 202, first.text
    assert datetime.fromisoformat(first.json()["received_at"]) == called
    assert first.json()["earlier_tips_from_caller"] == 0
    assert second.json()["earlier_tips_from_caller"] == 1  # same caller, other spelling
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "call_started_at"
    rows = await db.fetch(
        "SELECT row_to_json(t)::text AS raw, caller_hash, channel, "
        "contact_sealed FROM intake.tips t WHERE tracking_code = ANY($1)",
        [first.json()["tracking_code"], second.json()["tracking_code"]],
    )
    assert {r["channel"] for r in rows} == {"hotline"}
    assert len({r["caller_hash"] for r in rows}) == 1
    assert all(r["contact_sealed"] is None for r in rows)  # no consent, no number kept
    assert not any(number[1:] in r["raw"] for r in rows)


def _signed(
    body: dict[str, str], secret: str = DEV_SMS_SECRET, skew: int = 0
) -> tuple[bytes, dict[str, str]]:
    raw = urllib.parse.urlencode(body).encode()
    timestamp = str(int(time.time()) + skew)
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return raw, {
        "content-type": "application/x-www-form-urlencoded",
        "X-Tinbao-Timestamp": timestamp,
        "X-Tinbao-Signature": f"sha256={digest}",
    }


async def test_sms_gateway_is_signed_and_gets_an_sms_ready_reply(intake: ServiceProcess) -> None:
    message = {
        "sender": "0987654321",
        "message_id": f"sms-{time.time_ns()}",
        "body": "TG Có người môi giới mại dâm trước cổng chợ đêm lúc 22 giờ",
    }
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        forged_raw, forged = _signed(message, secret="wrong-secret")
        stale_raw, stale = _signed(message, skew=-3600)
        raw, headers = _signed(message)
        refused = await client.post("/api/v1/gateways/sms", content=forged_raw, headers=forged)
        replayed_late = await client.post("/api/v1/gateways/sms", content=stale_raw, headers=stale)
        reply = await client.post("/api/v1/gateways/sms", content=raw, headers=headers)
        again = await client.post("/api/v1/gateways/sms", content=raw, headers=headers)
        short_raw, short = _signed({"sender": "0987654321", "body": "alo"})
        too_short = await client.post("/api/v1/gateways/sms", content=short_raw, headers=short)
    assert refused.status_code == 401 and replayed_late.status_code == 401
    assert reply.status_code == 200
    text = reply.text
    assert text.startswith("Da tiep nhan tin bao. Ma theo doi TB-")
    assert text.isascii() and len(text) <= 160
    assert again.text == text  # the gateway's retry of one message_id makes no second tip
    assert too_short.status_code == 200 and "qua ngan" in too_short.text


async def test_a_replayed_sms_without_message_id_makes_no_second_tip(
    intake: ServiceProcess, db: asyncpg.Pool
) -> None:
    marker = f"replay{time.time_ns()}"
    message = {"sender": "0987654321", "body": f"TG Co nguoi moi gioi mai dam o cho dem {marker}"}
    other = {**message, "body": message["body"] + " lan hai"}
    async with httpx.AsyncClient(base_url=intake.url, timeout=30) as client:
        raw, headers = _signed(message)
        first = await client.post("/api/v1/gateways/sms", content=raw, headers=headers)
        # A captured request sent again within the tolerance: the same signature.
        replayed = await client.post("/api/v1/gateways/sms", content=raw, headers=headers)
        # Genuinely different messages: another timestamp (well inside the tolerance), another
        # body.
        later_raw, later = _signed(message, skew=-120)
        later_answer = await client.post("/api/v1/gateways/sms", content=later_raw, headers=later)
        other_raw, other_headers = _signed(other)
        other_answer = await client.post(
            "/api/v1/gateways/sms", content=other_raw, headers=other_headers
        )
    assert first.status_code == replayed.status_code == 200
    assert first.text.startswith("Da tiep nhan tin bao. Ma theo doi TB-")
    assert replayed.text == first.text  # the same reply: the same tracking code and secret
    assert later_answer.status_code == other_answer.status_code == 200
    codes = await db.fetch(
        "SELECT tracking_code FROM intake.tips WHERE channel = 'sms' AND text LIKE $1",
        f"%{marker}%",
    )
    tracking_codes = [row["tracking_code"] for row in codes]
    assert len(tracking_codes) == 3  # first (replayed once), later, other
    assert len(set(tracking_codes)) == 3
    assert sum(code in first.text for code in tracking_codes) == 1


async def test_open311_round_trip_through_a_third_party_client(intake: ServiceProcess) -> None:
    root = intake.url + "/open311/v2"
    client = GeoReport(root)
    services = await asyncio.to_thread(client.get_service_list)
    assert {s["service_code"] for s in services} >= {"crime_denunciation", "feedback"}
    definition = await asyncio.to_thread(client.get_service_definition, "feedback")
    assert {a["code"] for a in definition["attributes"]} >= {"venue_name", "occurred_at"}

    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(
            root + "/requests.json",
            data={
                "service_code": "feedback",
                "description": "Quán massage Thư Giãn có dấu hiệu mua bán dâm sau 22 giờ.",
                "address_string": "Số 5 ngõ 7 Quang Trung, Hà Nội",
                "lat": "20.9581",
                "long": "105.7421",
                "email": "nguoidan@example.vn",
                "attribute[venue_name]": "Thư Giãn",
            },
        )
        bad = await http.post(
            root + "/requests.json", data={"service_code": "gossip", "description": "x"}
        )
        bad_xml = await http.post(root + "/requests.xml", data={"description": "thiếu mã"})
    assert created.status_code == 201, created.text
    request_id = created.json()[0]["service_request_id"]
    assert created.json()[0]["tracking_code"].startswith("TB-")
    assert "không được lưu" in created.json()[0]["service_notice"]  # no consent, contact dropped
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    assert "service_code" in bad.json()[0]["description"]
    assert bad_xml.status_code == 400 and b"<errors><error><code>400</code>" in bad_xml.content

    one = await asyncio.to_thread(client.get_service_request, request_id)
    assert one["status"] == "open" and one["service_code"] == "feedback"
    assert one["description"] is None and one["lat"] is None  # never text or coordinates
    listed = await asyncio.to_thread(client.get_service_requests, service_code="feedback")
    assert request_id in {r["service_request_id"] for r in listed}
    assert all(r["description"] is None for r in listed)
    xml_client = GeoReport(root, output_format="xml")
    as_xml = await asyncio.to_thread(xml_client.get_service_request, request_id)
    assert as_xml["service_request_id"] == request_id
