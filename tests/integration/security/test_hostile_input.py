"""Nobody let in, nothing broken: hostile input against the three services as processes.

Every refusal is a 4xx problem+json naming the field and the fix (or, on /open311, the
standard's error list); never a 500, never a silent drop. What is accepted comes back to the
officer exactly as sent, as data.
"""

import asyncio
import base64
import json
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import jwt
import pytest

from services.intake.config import DEV_SMS_SECRET
from services.triage.config import DEV_AUTH_SECRET
from shared.contracts.topics import dead_letter_topic
from tests.integration.security.conftest import Secrets, bearer
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import Stack
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration]

WARD = "00118"  # Phường Bồ Đề: no other test files tips there
PROBLEM = "application/problem+json"

SQL_INJECTION = "'; DROP TABLE intake.tips; DROP TABLE triage.cases; -- ' OR '1'='1 $1 %s \\x27"
SCRIPT_INJECTION = '<script>alert("x")</script><img src=x onerror=alert(1)> {{7*7}} ${7*7}'
# Long runs of combining marks on Vietnamese letters, 4-byte emoji, a right-to-left override,
# zero-width joiners and a byte-order mark: all legitimate Unicode, kept as written.
COMBINING = "ệ" + "\u0301\u0323\u0309" * 300 + "ữ" + "\u0303" * 200
EMOJI = "🏠👧🏻‍👩‍👦💰🚨 𝕳𝖆 𝕹𝖔̣̂𝖎"
RTL = "\u202eỌC NGHỈ NHÀ\u202c \u200d\ufeff"
HOSTILE_TEXT = f"Tố giác: {SQL_INJECTION} {SCRIPT_INJECTION} {COMBINING} {EMOJI} {RTL} kết thúc."


def problem_of(answer: httpx.Response, status: int, field: str | None = None) -> dict:
    """Check a problem+json answer (status, shape, the field named); return its body."""
    assert answer.status_code == status, (answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith(PROBLEM), answer.headers
    body = answer.json()
    assert body["status"] == status and body["type"].startswith("https://tinbao.vn/problems/")
    assert body["title"] and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, (field, body)
        assert all(e["message"] for e in body["errors"])
    return body


def open311_error(answer: httpx.Response, status: int, mentions: str) -> str:
    """Check an error in the Open311 format (JSON list or XML); return its description."""
    assert answer.status_code == status, (answer.status_code, answer.text[:500])
    if answer.headers["content-type"].startswith("text/xml"):
        root = ET.fromstring(answer.content)  # well-formed: whatever was echoed is escaped
        assert root.tag == "errors"
        description = root.findtext("error/description") or ""
        assert root.findtext("error/code") == str(status)
    else:
        assert answer.headers["content-type"].startswith("application/json")
        [error] = answer.json()
        assert error["code"] == status
        description = error["description"]
    assert mentions in description, description
    return description


@pytest.fixture(scope="module")
async def clients(stack: Stack) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as intake,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as triage,
        httpx.AsyncClient(base_url=stack.notify.url, timeout=30) as notify,
    ):
        yield {"intake": intake, "triage": triage, "notify": notify}


@pytest.fixture(scope="module")
async def open_case(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> dict[str, object]:
    """A case in WARD, as its supervisor reads it."""
    tip = await clients["intake"].post(
        "/api/v1/tips",
        json={
            "kind": "feedback",
            "text": "Quán karaoke đầu ngõ có dấu hiệu môi giới mại dâm vào buổi tối.",
            "ward_code": WARD,
        },
    )
    assert tip.status_code == 202, tip.text
    return await case_of(clients["triage"], tip.json()["tracking_code"], stack_secrets)


async def case_of(triage: httpx.AsyncClient, code: str, stack_secrets: Secrets) -> dict:
    """The case of a tip, once triage opened it (read by a supervisor of WARD)."""
    supervisor = bearer(stack_secrets.token("supervisor", WARD))

    async def read() -> httpx.Response:
        return await triage.get(f"/api/v1/cases/by-code/{code}", headers=supervisor)

    answer = await eventually(read, lambda a: a.status_code == 200, what=f"case of {code}")
    return answer.json()


# ------------------------------------------------------------------------------ size, shape


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("service", "path", "content_type", "limit"),
    [
        ("intake", "/api/v1/tips", "application/json", 12 * 1024 * 1024),
        ("intake", "/api/v1/hotline/tips", "application/json", 12 * 1024 * 1024),
        ("intake", "/api/v1/gateways/sms", FORM, 12 * 1024 * 1024),
        ("intake", "/open311/v2/requests.json", FORM, 12 * 1024 * 1024),
        ("triage", "/api/v1/auth/token", FORM, 1024 * 1024),
        ("triage", f"/api/v1/cases/{uuid.uuid4()}/actions/note", "application/json", 1024 * 1024),
    ],
)
async def test_oversized_bodies_get_413_whether_declared_or_streamed(
    clients: dict[str, httpx.AsyncClient],
    stack_secrets: Secrets,
    service: str,
    path: str,
    content_type: str,
    limit: int,
) -> None:
    client = clients[service]
    headers = {"Content-Type": content_type, "Accept-Language": "en"}
    headers |= bearer(stack_secrets.token("hotline_operator" if service == "intake" else "officer"))
    if content_type == FORM:
        body = b"username=a&password=b&sender=1&body=" + b"a" * limit
    else:
        body = b'{"text": "' + b"a" * limit + b'"}'
    declared = await client.post(path, content=body, headers=headers)

    async def stream() -> AsyncIterator[bytes]:  # no Content-Length: the limit must still hold
        for start in range(0, len(body), 256 * 1024):
            yield body[start : start + 256 * 1024]

    streamed = await client.post(path, content=stream(), headers=headers)
    for answer in (declared, streamed):
        assert "exceeds" in problem_of(answer, 413)["detail"]
    assert (await client.get("/readyz")).status_code == 200


async def test_notify_refuses_a_large_body_before_reading_it(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> None:
    # Notify's API reads no bodies at all; a declared large one is refused at the door.
    answer = await clients["notify"].post(
        "/api/v1/reports/monthly/2026-10",
        content=b"x" * (64 * 1024 + 1),
        headers=bearer(stack_secrets.token("auditor")),
    )
    problem_of(answer, 413)


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (DEEP, "100,000 nested arrays"),
        (b'{"kind": "feedback", "text": "abc \xff\xfe def ghi jkl"}', "invalid UTF-8"),
        (b'{"kind": "feedback", "latitude": 1' + b"0" * 5000 + b"}", "a 5,000-digit number"),
    ],
)
async def test_unreadable_json_is_a_400_naming_the_body(
    clients: dict[str, httpx.AsyncClient],
    stack_secrets: Secrets,
    open_case: dict,
    body: bytes,
    why: str,
) -> None:
    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    operator = bearer(stack_secrets.token("hotline_operator"))
    json_type = {"Content-Type": "application/json", "Accept-Language": "en"}
    answers = [
        await clients["intake"].post("/api/v1/tips", content=body, headers=json_type),
        await clients["intake"].post(
            "/api/v1/hotline/tips", content=body, headers=json_type | operator
        ),
        await clients["triage"].post(
            f"/api/v1/cases/{open_case['id']}/actions/note",
            content=body,
            headers=json_type | supervisor,
        ),
        await clients["triage"].post(
            f"/api/v1/cases/{open_case['id']}/merge", content=body, headers=json_type | supervisor
        ),
    ]
    for answer in answers:
        problem = problem_of(answer, 400, "body")
        assert "valid JSON" in problem["errors"][0]["message"], why


async def test_control_characters_and_broken_unicode_are_refused_naming_the_field(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets, open_case: dict
) -> None:
    intake, triage = clients["intake"], clients["triage"]
    ok = "Có người môi giới mại dâm trước cổng chợ đêm"
    for field, value in [
        ("text", ok + "\x00"),
        ("text", ok + "\x1b[31m"),
        ("address", "Số 5\x07 ngõ 7"),
        ("venue_name", "Quán\x00"),
    ]:
        answer = await intake.post(
            "/api/v1/tips", json={"kind": "feedback", "text": ok, field: value}
        )
        problem_of(answer, 422, field)
    surrogate = b'{"kind": "feedback", "text": "abc \\ud800 def ghi jkl"}'
    answer = await intake.post(
        "/api/v1/tips", content=surrogate, headers={"Content-Type": "application/json"}
    )
    problem_of(answer, 422, "text")

    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    action = f"/api/v1/cases/{open_case['id']}/actions"
    version = {"expected_version": open_case["version"]}
    for name, action_name, payload in [
        ("note", "note", {"note": "ghi chú\x00"}),
        ("reason", "suspend", {"reason": "chờ giám định\x1b"}),
        ("summary", "verify", {"result": "founded", "summary": "đã xác minh\x00"}),
    ]:
        answer = await triage.post(
            f"{action}/{action_name}", json=version | payload, headers=supervisor
        )
        problem_of(answer, 422, name)
    answer = await triage.post(
        f"{action}/note",
        content=b'{"expected_version": 1, "note": "abc \\ud800"}',
        headers=supervisor | {"Content-Type": "application/json"},
    )
    problem_of(answer, 422, "note")
    answer = await triage.post(
        "/api/v1/auth/token", data={"username": "can\x00bo", "password": "x" * 10}
    )
    problem_of(answer, 422, "username")
    answer = await triage.post(
        f"/api/v1/cases/{open_case['id']}/split",
        json={"expected_version": 1, "tip_tracking_code": "TB\x00"},
        headers=supervisor,
    )
    problem_of(answer, 422, "tip_tracking_code")
    # Nothing of it reached the case.
    after = await case_of(triage, open_case["tracking_codes"][0], stack_secrets)
    assert after["version"] == open_case["version"]


async def test_a_nul_in_a_path_or_query_is_a_400_naming_where(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> None:
    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    auditor = bearer(stack_secrets.token("auditor"))
    secret = {"X-Tip-Secret": "AAAA-AAAA-AAAA-AAAA"}
    cases = [
        (clients["intake"], "/api/v1/tips/TB%00-AAAA-AAAA/status", secret, "path"),
        (
            clients["intake"],
            "/open311/v2/requests.json?service_request_id=a%00",
            {},
            "service_request_id",
        ),
        (clients["intake"], "/open311/v2/requests/a%00b.json", {}, "path"),
        (clients["triage"], "/api/v1/cases/by-code/TB%00", supervisor, "path"),
        (clients["triage"], "/api/v1/cases?status=%00&limit=5", supervisor, "status"),
        (clients["triage"], "/api/v1/cases?category=x%00y", supervisor, "category"),
        (clients["notify"], "/api/v1/reports/monthly/2026%0010", auditor, "path"),
        (clients["notify"], "/api/v1/sla/board?ward=%00", auditor, "ward"),
    ]
    for client, url, headers, field in cases:
        problem_of(await client.get(url, headers=headers), 400, field)


async def test_numbers_past_what_the_database_holds_are_refused_naming_the_field(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> None:
    # Found by the authenticated contract fuzzing: an offset past 2^63 reached PostgreSQL's
    # bigint OFFSET and failed as a 500.
    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    for url, field in (
        ("/api/v1/cases?offset=50059510626954409790144512", "offset"),
        ("/api/v1/cases?offset=1000001", "offset"),
        (f"/api/v1/cases?category={'x' * 65}", "category"),
    ):
        problem_of(await clients["triage"].get(url, headers=supervisor), 422, field)


async def test_wrongly_typed_action_fields_are_refused_naming_the_field(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets, open_case: dict
) -> None:
    triage = clients["triage"]
    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    action = f"/api/v1/cases/{open_case['id']}/actions"
    version = {"expected_version": open_case["version"]}
    for name, action_name, payload in [
        ("note", "note", {"note": 12345}),
        ("note", "note", {"note": ["a", "b", "c"]}),
        ("reason", "suspend", {"reason": {"x": 1}}),
        ("to_ward_code", "transfer", {"to_ward_code": 118, "reason": "sai phường"}),
        ("to_ward_code", "transfer", {"to_ward_code": "0011８", "reason": "sai phường"}),
        ("to_agency", "transfer", {"to_agency": 5, "reason": "chuyển cơ quan khác"}),
        ("days", "extend", {"stage": "verified", "days": True, "reason": "phức tạp"}),
        ("days", "extend", {"stage": "verified", "days": 10.5, "reason": "phức tạp"}),
        ("result", "verify", {"result": ["founded"], "summary": "đã xác minh"}),
    ]:
        answer = await triage.post(
            f"{action}/{action_name}", json=version | payload, headers=supervisor
        )
        problem_of(answer, 422, name)
    # A ward code no ward has used to move the case out of every queue (and out of sight).
    lost = await triage.post(
        f"{action}/transfer",
        json=version | {"to_ward_code": "99999", "reason": "chuyển phường"},
        headers=supervisor,
    )
    problem_of(lost, 422, "to_ward_code")
    after = await case_of(triage, open_case["tracking_codes"][0], stack_secrets)
    assert (after["ward_code"], after["version"]) == (WARD, open_case["version"])


async def test_times_outside_the_representable_range_are_refused_naming_the_field(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> None:
    intake = clients["intake"]
    text = "Có người môi giới mại dâm trước cổng chợ đêm"
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        answer = await intake.post(
            "/api/v1/tips", json={"kind": "feedback", "text": text, "occurred_at": moment}
        )
        problem_of(answer, 422, "occurred_at")
        answer = await intake.post(
            "/api/v1/hotline/tips",
            json={"kind": "feedback", "text": text, "call_started_at": moment},
            headers=bearer(stack_secrets.token("hotline_operator")),
        )
        problem_of(answer, 422, "call_started_at")
    auditor = bearer(stack_secrets.token("auditor"))
    for kind, period in [("annual", "1"), ("monthly", "0001-01"), ("monthly", "9999-12")]:
        answer = await clients["notify"].get(f"/api/v1/reports/{kind}/{period}", headers=auditor)
        problem_of(answer, 422, "period")
    for query in ("end_date=0001-01-01T00:00:00Z", "end_date=9999-12-31T23:59:59-23:59"):
        answer = await intake.get(f"/open311/v2/requests.json?{query}")
        open311_error(answer, 400, "end_date")


# ------------------------------------------------------------------------------ data stays data


async def test_hostile_text_is_stored_verbatim_and_reaches_the_officer_as_data(
    clients: dict[str, httpx.AsyncClient],
    stack_secrets: Secrets,
    stack: Stack,
    db: asyncpg.Pool,
) -> None:
    intake, triage = clients["intake"], clients["triage"]
    tips_before = await db.fetchval("SELECT count(*) FROM intake.tips")
    web = await intake.post(
        "/api/v1/tips",
        json={
            "kind": "crime_denunciation",
            "text": HOSTILE_TEXT,
            "address": f"Số 7 {SCRIPT_INJECTION[:60]}, Phường Bồ Đề, Hà Nội",
            "venue_name": SQL_INJECTION[:200],
            "ward_code": WARD,
        },
    )
    assert web.status_code == 202, web.text
    hotline = await intake.post(
        "/api/v1/hotline/tips",
        json={
            "kind": "feedback",
            "text": HOSTILE_TEXT,
            "ward_code": WARD,
            "call_started_at": datetime.now(UTC).isoformat(),
        },
        headers=bearer(stack_secrets.token("hotline_operator")),
    )
    assert hotline.status_code == 202, hotline.text
    # An address with a superscript digit used to make the ward resolver raise: the tip was
    # dead-lettered and never became a case. Now it waits in the manual-triage pool.
    unresolvable = await intake.post(
        "/api/v1/tips",
        json={"kind": "feedback", "text": HOSTILE_TEXT, "address": f"Phường ² {SQL_INJECTION}"},
    )
    assert unresolvable.status_code == 202, unresolvable.text
    open311 = await intake.post(
        "/open311/v2/requests.json",
        data={"service_code": "feedback", "description": HOSTILE_TEXT, "address_string": RTL},
    )
    assert open311.status_code == 201, open311.text
    sms_text = f"TG {SQL_INJECTION} {SCRIPT_INJECTION} {EMOJI} Phường Bồ Đề"
    sms_body = urllib.parse.urlencode(
        {"sender": "0987654321", "message_id": f"hostile-{uuid.uuid4().hex}", "body": sms_text}
    ).encode()
    sms = await intake.post(
        "/api/v1/gateways/sms", content=sms_body, headers=stack_secrets.sms_headers(sms_body)
    )
    assert sms.status_code == 200 and "TB-" in sms.text, sms.text
    sms_code = "TB-" + sms.text.split("TB-")[1][:9]

    expected = {
        web.json()["tracking_code"]: HOSTILE_TEXT,
        hotline.json()["tracking_code"]: HOSTILE_TEXT,
        unresolvable.json()["tracking_code"]: HOSTILE_TEXT,
        open311.json()[0]["tracking_code"]: HOSTILE_TEXT,
        sms_code: sms_text.removeprefix("TG "),
    }
    for code, text in expected.items():
        case = await case_of(triage, code, stack_secrets)
        [tip] = [t for t in case["tips"] if t["tracking_code"] == code]
        assert tip["text"] == text, code  # byte for byte, as data
    web_case = await case_of(triage, web.json()["tracking_code"], stack_secrets)
    assert web_case["tips"][0]["venue_name"] == SQL_INJECTION[:200]
    assert SCRIPT_INJECTION[:60] in web_case["tips"][0]["address"]
    pool = await case_of(triage, unresolvable.json()["tracking_code"], stack_secrets)
    assert pool["ward_code"] is None and pool["status"] == "manual_triage"

    # The officer asks back with hostile text; the tipster answers with it; both arrive intact.
    supervisor = bearer(stack_secrets.token("supervisor", WARD))
    question = await triage.post(
        f"/api/v1/cases/{web_case['id']}/actions/question",
        json={"expected_version": web_case["version"], "text": HOSTILE_TEXT},
        headers=supervisor,
    )
    assert question.status_code == 200, question.text
    tipster = {"X-Tip-Secret": web.json()["secret"]}
    messages_url = f"/api/v1/tips/{web.json()['tracking_code']}/messages"
    asked = await eventually(
        lambda: intake.get(messages_url, headers=tipster),
        lambda a: a.status_code == 200 and len(a.json()) == 1,
        what="the question reaches the tipster",
    )
    assert asked.json()[0]["text"] == HOSTILE_TEXT
    reply = await intake.post(
        messages_url,
        json={"text": HOSTILE_TEXT, "in_reply_to": asked.json()[0]["id"]},
        headers=tipster,
    )
    assert reply.status_code == 201, reply.text

    async def followups() -> list[dict]:
        return (await case_of(triage, web.json()["tracking_code"], stack_secrets))["followups"]

    conversation = await eventually(followups, lambda f: len(f) == 2, what="the reply")
    assert [f["text"] for f in conversation] == [HOSTILE_TEXT, HOSTILE_TEXT]

    # Data, not code: the answers carrying it are JSON (never HTML), the tables the injected
    # statements name are still there, and intake holds exactly the five new tips.
    assert question.headers["content-type"] == "application/json"
    for table in ("intake.tips", "triage.cases"):
        assert await db.fetchval("SELECT to_regclass($1) IS NOT NULL", table), table
    assert await db.fetchval("SELECT count(*) FROM intake.tips") == tips_before + 5


async def test_an_idempotency_key_replays_its_body_and_refuses_any_other(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets, db: asyncpg.Pool
) -> None:
    intake = clients["intake"]
    key = {"Idempotency-Key": f"hostile-{uuid.uuid4()}"}
    body = {
        "kind": "feedback",
        "text": "Nhà nghỉ ở ngõ 5 có hoạt động mua bán dâm.",
        "ward_code": WARD,
    }
    other = body | {"text": body["text"] + " Thêm chi tiết."}
    first = await intake.post("/api/v1/tips", json=body, headers=key)
    again = await intake.post("/api/v1/tips", json=body, headers=key)
    changed = await intake.post("/api/v1/tips", json=other, headers=key)
    assert first.status_code == again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()  # the same code and the same secret
    problem = problem_of(changed, 422, "Idempotency-Key")
    assert problem["type"].endswith("/idempotency-key-reused")

    # Raced: one key, five different bodies at once. One tip; the others refused, not merged.
    raced = {"Idempotency-Key": f"hostile-{uuid.uuid4()}"}
    answers = await asyncio.gather(
        *(
            intake.post("/api/v1/tips", json=body | {"text": f"{body['text']} #{i}"}, headers=raced)
            for i in range(5)
        )
    )
    assert sorted(a.status_code for a in answers) == [202, 422, 422, 422, 422]
    winner = next(a for a in answers if a.status_code == 202).json()["tracking_code"]
    stored = await db.fetch(
        "SELECT tracking_code, text FROM intake.tips WHERE text LIKE $1", f"{body['text']} #%"
    )
    assert [r["tracking_code"] for r in stored] == [winner]

    # The hotline keeps its own keys, with the same rule.
    operator = bearer(stack_secrets.token("hotline_operator"))
    call = body | {"call_started_at": datetime.now(UTC).isoformat()}
    hot_key = {"Idempotency-Key": f"hostile-{uuid.uuid4()}"}
    one = await intake.post("/api/v1/hotline/tips", json=call, headers=operator | hot_key)
    two = await intake.post(
        "/api/v1/hotline/tips", json=call | {"text": other["text"]}, headers=operator | hot_key
    )
    assert one.status_code == 202
    problem_of(two, 422, "Idempotency-Key")


# ------------------------------------------------------------------------------ signatures, tokens


async def test_forged_expired_or_missing_gateway_signatures_make_no_tip(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets, db: asyncpg.Pool
) -> None:
    intake = clients["intake"]
    body = f"sender=0912345678&message_id=sig-{uuid.uuid4().hex}&body=TG+Co+nguoi+moi+gioi".encode()
    good = stack_secrets.sms_headers(body)
    forged_with_dev_key = Secrets("x", "x", "x", DEV_SMS_SECRET).sms_headers(body)
    now = time.time()
    attempts: dict[str, dict[str, str | bytes]] = {
        "missing": {"Content-Type": "application/x-www-form-urlencoded"},
        "published development key": forged_with_dev_key,
        "expired": stack_secrets.sms_headers(body, at=now - 360),
        "from the future": stack_secrets.sms_headers(body, at=now + 360),
        "other body": stack_secrets.sms_headers(body + b"+them"),
        "no scheme": good | {"X-Tinbao-Signature": good["X-Tinbao-Signature"][7:]},
        "upper-case scheme": good
        | {"X-Tinbao-Signature": "SHA256=" + good["X-Tinbao-Signature"][7:]},
        # Latin-1 "²" passed isdigit() and then int() raised: a 500, not a 401.
        "superscript timestamp": good | {"X-Tinbao-Timestamp": b"\xb2"},
        "5,000-digit timestamp": good | {"X-Tinbao-Timestamp": "1" * 5000},
        "negative timestamp": good | {"X-Tinbao-Timestamp": "-1"},
    }
    sms_before = await db.fetchval("SELECT count(*) FROM intake.tips WHERE channel = 'sms'")
    for why, headers in attempts.items():
        answer = await intake.post("/api/v1/gateways/sms", content=body, headers=headers)
        assert problem_of(answer, 401)["type"].endswith("/bad-signature"), why
    assert await db.fetchval("SELECT count(*) FROM intake.tips WHERE channel = 'sms'") == sms_before
    accepted = await intake.post("/api/v1/gateways/sms", content=body, headers=good)
    assert accepted.status_code == 200 and "TB-" in accepted.text
    bad_bytes = b"sender=0912345678&body=TG+%FF%FE+khong+phai+UTF-8"
    answer = await intake.post(
        "/api/v1/gateways/sms", content=bad_bytes, headers=stack_secrets.sms_headers(bad_bytes)
    )
    problem_of(answer, 422, "body")
    nul = b"sender=0912345678&body=TG+co+ky+tu%00NUL+o+day"
    answer = await intake.post(
        "/api/v1/gateways/sms", content=nul, headers=stack_secrets.sms_headers(nul)
    )
    problem_of(answer, 422, "body")
    assert (
        await db.fetchval("SELECT count(*) FROM intake.tips WHERE channel = 'sms'")
        == sms_before + 1
    )


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def forged_tokens(stack_secrets: Secrets) -> dict[str, str]:
    """Tokens an attacker can make without the key (and shapes triage never signs)."""
    now = int(time.time())
    claims = {
        "iss": "tinbao",
        "sub": str(uuid.uuid4()),
        "role": "supervisor",
        "ward": WARD,
        "unit": None,
        "iat": now,
        "exp": now + 600,
    }
    genuine = stack_secrets.token("officer", WARD, "police")
    header, payload, signature = genuine.split(".")
    raised = json.loads(base64.urlsafe_b64decode(payload + "=="))
    raised["role"] = "supervisor"
    sign = lambda c, key=stack_secrets.auth, alg="HS256": jwt.encode(c, key, algorithm=alg)  # noqa: E731
    return {
        "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + ".",
        "alg none, no signature part": _b64({"alg": "none"}) + "." + _b64(claims),
        "wrong key": sign(claims, "x" * 40),
        "published development key": sign(claims, DEV_AUTH_SECRET),
        "expired": sign(claims | {"iat": now - 7200, "exp": now - 60}),
        "not yet valid": sign(claims | {"nbf": now + 3600}),
        "role claim raised, signature kept": f"{header}.{_b64(raised)}.{signature}",
        "HS512 with the right key": sign(claims, stack_secrets.auth, "HS512"),
        "no expiry": sign({k: v for k, v in claims.items() if k != "exp"}),
        # The right key, but times no sign-in issues (triage signs for 8 hours at most).
        "no issue time": sign({k: v for k, v in claims.items() if k != "iat"}),
        "ten-year lifetime": sign(claims | {"exp": now + 10 * 365 * 86400}),
        "issued a month ago, expiring soon": sign(claims | {"iat": now - 30 * 86400}),
        "issued in an hour": sign(claims | {"iat": now + 3600, "exp": now + 4200}),
        "other issuer": sign(claims | {"iss": "elsewhere"}),
        "unknown role": sign(claims | {"role": "root"}),
        "ward as a list": sign(claims | {"ward": [WARD]}),
        "garbage": "a.b.c",
    }


async def test_forged_tokens_are_refused_by_every_staff_service(
    clients: dict[str, httpx.AsyncClient], stack_secrets: Secrets
) -> None:
    targets = [
        ("triage", "GET", "/api/v1/cases"),
        ("triage", "GET", "/api/v1/auth/me"),
        ("triage", "GET", "/api/v1/audit"),
        ("notify", "GET", "/api/v1/sla/board"),
        ("notify", "GET", "/api/v1/reports/monthly/2026-10"),
        ("intake", "POST", "/api/v1/hotline/tips"),
    ]
    tokens = forged_tokens(stack_secrets)
    for service, method, path in targets:
        client = clients[service]
        for why, token in tokens.items():
            answer = await client.request(method, path, headers=bearer(token), json={})
            problem_of(answer, 401)
            assert answer.headers["www-authenticate"] == "Bearer", why
        for header in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
            problem_of(await client.request(method, path, headers=header, json={}), 401)
    # The genuine token of the same officer still works: the refusals were about the forgery.
    genuine = bearer(stack_secrets.token("officer", WARD, "police"))
    assert (await clients["triage"].get("/api/v1/cases", headers=genuine)).status_code == 200


# ------------------------------------------------------------------------------ Open311


async def test_open311_bad_input_gets_the_standards_errors_naming_the_field(
    clients: dict[str, httpx.AsyncClient],
) -> None:
    intake = clients["intake"]
    text = "Có người môi giới mại dâm trước cổng chợ đêm"
    post = "/open311/v2/requests"
    cases = [
        ({"service_code": "nope", "description": text}, "service_code"),
        ({"description": text}, "service_code"),
        ({"service_code": "feedback"}, "description"),
        ({"service_code": "feedback", "description": "ngắn"}, "description"),
        ({"service_code": "feedback", "description": text, "lat": "abc"}, "lat"),
        ({"service_code": "feedback", "description": text, "lat": "95", "long": "105"}, "lat"),
        ({"service_code": "feedback", "description": text, "long": "1e999"}, "long"),
        (
            {"service_code": "feedback", "description": text, "attribute[occurred_at]": "hôm qua"},
            "attribute[occurred_at]",
        ),
        (
            {
                "service_code": "feedback",
                "description": text,
                "attribute[contact_consent]": "true",
                "email": "không-phải-email",
            },
            "email",
        ),
    ]
    for form, field in cases:
        open311_error(await intake.post(f"{post}.json", data=form), 400, field)
        open311_error(await intake.post(f"{post}.xml", data=form), 400, field)
    raw_cases = [
        (b"service_code=feedback&description=%FF%FE+mot+hai+ba+bon", "description"),
        (b"service_code=feedback&description=mot+hai%00+ba+bon+nam", "description"),
    ]
    for raw, field in raw_cases:
        answer = await intake.post(
            f"{post}.json",
            content=raw,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        open311_error(answer, 400, field)
    file_in_lat = await intake.post(
        f"{post}.json",
        data={"service_code": "feedback", "description": text},
        files={"lat": ("lat.txt", b"20.97")},
    )
    open311_error(file_in_lat, 400, "lat")
    broken = await intake.post(
        f"{post}.xml",
        content=b"--x\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    open311_error(broken, 400, "form")
    listing = "/open311/v2/requests.json"
    for query, field in [
        ("start_date=hôm+qua", "start_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "start_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z", "90 days"),
        ("status=pending", "status"),
        ("service_code=feedback,nope", "service_code"),
    ]:
        open311_error(await intake.get(f"{listing}?{query}"), 400, field)
    open311_error(await intake.get("/open311/v2/requests.yaml"), 404, ".json or .xml")
    echoed = await intake.get("/open311/v2/requests/%3Cscript%3Ealert(1)%3Cscript%3E.xml")
    assert "<script>" in open311_error(echoed, 404, "No service request")  # escaped in the XML
    assert b"<script>" not in echoed.content


# ------------------------------------------------------------------------------ afterwards


async def test_none_of_it_caused_a_server_error_or_a_dead_letter(
    stack: Stack, infra: Infra, security_prefix: str
) -> None:
    """The services' own logs and dead-letter topics: the proof nothing failed out of sight."""
    for process in (stack.intake, stack.triage, stack.notify):
        for line in process.log_path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            # aiokafka logs a coordinator election on a fresh broker as an error; ours are
            # "unhandled error" (a 500), "event failed; dead-lettered" and uvicorn's own.
            if entry["logger"].startswith("aiokafka"):
                continue
            assert entry["level"] not in {"error", "critical"}, (process.name, entry)
            assert "exception" not in entry, (process.name, entry)
    for group in ("triage", "notify", "intake"):
        topic = dead_letter_topic(f"{security_prefix}{group}")
        letters = await read_topic(infra.kafka_bootstrap, topic, timeout=3)
        assert letters == [], [dict(r.headers) for r in letters]
