"""Privacy scan: after a realistic flow through every channel, no personal datum, secret or
client address is anywhere it should not be — in any column of any service's tables, on any
topic, or in the services' logs. Tip text may sit in the tables and on the topics that carry
it to the officers, never in a log.
"""

import hashlib
import json
import logging
import random
import traceback
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from shared.contracts.topics import PARTITIONS, dead_letter_topic
from shared.db import create_engine
from shared.errors import describe_failure
from shared.logging import JsonFormatter
from shared.settings import ServiceSettings
from shared.text import strip_marks
from tests.integration.security.conftest import Secrets, bearer
from tests.support.infra import Infra
from tests.support.kafka_read import read_topic
from tests.support.services import Stack
from tests.support.staff import PASSWORD, create_user_with_cli
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration]

WARD = "00118"
SCHEMAS = ("intake", "triage", "notify")
# The address the test's client connects from, and what a proxy would have added: a
# service that kept or logged its client's address would show one of them.
CLIENT_ADDRESS = "127.0.0.77"
FORWARDED_FOR = "203.0.113.77"
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY")


def _number() -> str:
    """A mobile number's 9 national digits, drawn so that no other data holds it."""
    return random.choice("35789") + "".join(random.choices("0123456789", k=8))


def phone_forms(national: str) -> set[str]:
    """How a number could be written down: as typed, local, international, bare."""
    return {
        "0" + national,
        "+84" + national,
        "84" + national,
        national,
        f"0{national[:3]} {national[3:6]} {national[6:]}",
    }


@dataclass
class Sensitive:
    """What the flow hands the system, by kind, and where each kind may legitimately be."""

    personal: dict[str, set[str]] = field(default_factory=dict)  # nowhere, in clear
    secrets: dict[str, set[str]] = field(default_factory=dict)  # nowhere at all
    tip_text: set[str] = field(default_factory=set)  # tables and topics, never logs

    def add_personal(self, what: str, *values: str) -> None:
        self.personal.setdefault(what, set()).update(values)

    def add_secret(self, what: str, *values: str) -> None:
        self.secrets.setdefault(what, set()).update(values)


def spellings(value: str) -> set[str]:
    """A value as it may be stored: as is, lower-cased, without marks, JSON-escaped, and its
    plain SHA-256 (an unkeyed hash of a phone number is as good as the number)."""
    forms = {value, value.lower(), strip_marks(value), json.dumps(value)[1:-1]}
    return forms | {hashlib.sha256(f.encode()).hexdigest() for f in list(forms)}


def find(haystack: str, needles: dict[str, set[str]]) -> list[str]:
    found = []
    lowered = haystack.lower()
    for what, values in needles.items():
        for value in values:
            for form in spellings(value):
                if form.lower() in lowered or form.encode().hex() in lowered:
                    found.append(f"{what}: {form!r}")
    return found


@pytest.fixture(scope="module")
async def flow(
    stack: Stack, stack_secrets: Secrets, infra: Infra, db: asyncpg.Pool
) -> AsyncIterator[Sensitive]:
    """Tips with contact details through the web API, the hotline, the SMS gateway and
    Open311; a follow-up; an officer signing in, reading and acting."""
    seen = Sensitive()
    marker = uuid.uuid4().hex[:8]
    transport = httpx.AsyncHTTPTransport(local_address=CLIENT_ADDRESS)
    client_headers = {"X-Forwarded-For": FORWARDED_FOR, "User-Agent": f"PrivacyScan/{marker}"}
    seen.add_personal("client address", CLIENT_ADDRESS, FORWARDED_FOR)
    seen.add_personal("user agent", f"PrivacyScan/{marker}")
    async with (
        httpx.AsyncClient(
            base_url=stack.intake.url, transport=transport, headers=client_headers, timeout=30
        ) as intake,
        httpx.AsyncClient(
            base_url=stack.triage.url,
            transport=httpx.AsyncHTTPTransport(local_address=CLIENT_ADDRESS),
            headers=client_headers,
            timeout=30,
        ) as triage,
    ):
        # Web: a tip with contact details and consent, sent with an Idempotency-Key.
        name = f"Nguyễn Thị Hoà Riêng{marker}"
        web_phone, web_email = _number(), f"hoa.{marker}@example.vn"
        web_text = f"Tin riêng {marker}: quán karaoke Hoa Sữa có môi giới mại dâm sau 22 giờ."
        web_body = json.dumps(
            {
                "kind": "crime_denunciation",
                "text": web_text,
                "ward_code": WARD,
                "address": f"Ngõ {marker} Bồ Đề",
                "contact": {
                    "name": name,
                    "phone": f"0{web_phone[:3]} {web_phone[3:6]} {web_phone[6:]}",
                    "email": web_email,
                    "consent": True,
                },
            },
            ensure_ascii=False,
        ).encode()
        web = await intake.post(
            "/api/v1/tips",
            content=web_body,
            headers={"Content-Type": "application/json", "Idempotency-Key": f"privacy-{marker}"},
        )
        assert web.status_code == 202, web.text
        seen.add_personal("contact name", name)
        seen.add_personal("contact phone", *phone_forms(web_phone))
        seen.add_personal("contact e-mail", web_email)
        seen.add_personal("request body with contact", web_body.decode())
        seen.add_secret("tip secret", web.json()["secret"])
        seen.tip_text.add(web_text)

        # Hotline: a caller who consents to be called back, and one who does not.
        operator = bearer(stack_secrets.token("hotline_operator"))
        hotline_codes = []
        for consents in (True, False):
            number = _number()
            text = f"Cuộc gọi riêng {marker}-{consents}: nhà nghỉ đầu ngõ có gái bán dâm."
            answer = await intake.post(
                "/api/v1/hotline/tips",
                json={
                    "kind": "crime_report",
                    "text": text,
                    "ward_code": WARD,
                    "call_started_at": datetime.now(UTC).isoformat(),
                    "caller_number": f"+84 {number[:3]}.{number[3:6]}.{number[6:]}",
                    "caller_consents_to_contact": consents,
                },
                headers=operator,
            )
            assert answer.status_code == 202, answer.text
            hotline_codes.append(answer.json()["tracking_code"])
            seen.add_personal("caller number", *phone_forms(number))
            seen.add_secret("tip secret", answer.json()["secret"])
            seen.tip_text.add(text)

        # SMS gateway: the sender's number, with a message id (so the body is fingerprinted).
        sender = _number()
        sms_text = f"Tin nhan rieng {marker}: co nguoi moi gioi mai dam o cho dem"
        sms_raw = urllib.parse.urlencode(
            {"sender": "0" + sender, "message_id": f"privacy-{marker}", "body": f"TG {sms_text}"}
        ).encode()
        sms = await intake.post(
            "/api/v1/gateways/sms", content=sms_raw, headers=stack_secrets.sms_headers(sms_raw)
        )
        assert sms.status_code == 200 and "TB-" in sms.text, sms.text
        seen.add_personal("SMS sender", *phone_forms(sender))
        # What intake fingerprinted as the body of an SMS (a plain SHA-256 of it gave the
        # number away to anyone holding the table and the text, which is stored in clear).
        seen.add_personal("SMS sender with text", f"0{sender}\nTG {sms_text}")
        seen.add_secret("tip secret", sms.text.split("ma bi mat ")[1].split(".")[0])
        seen.tip_text.add(sms_text)

        # Open311: contact with consent.
        o_phone, o_email = _number(), f"open311.{marker}@example.vn"
        o_text = f"Phản ánh Open311 riêng {marker}: quán massage có dấu hiệu bán dâm."
        open311 = await intake.post(
            "/open311/v2/requests.json",
            data={
                "service_code": "feedback",
                "description": o_text,
                "address_string": f"Số {marker} Bồ Đề, Hà Nội",
                "email": o_email,
                "phone": "0" + o_phone,
                "first_name": f"Trần{marker}",
                "last_name": "Văn Bình",
                "attribute[contact_consent]": "true",
            },
        )
        assert open311.status_code == 201, open311.text
        seen.add_personal("Open311 e-mail", o_email)
        seen.add_personal("Open311 phone", *phone_forms(o_phone))
        seen.add_personal("Open311 name", f"Trần{marker} Văn Bình")
        seen.add_secret("tip secret", open311.json()[0]["secret"])
        seen.tip_text.add(o_text)

        # The tipster adds information.
        code, secret = web.json()["tracking_code"], web.json()["secret"]
        followup = f"Bổ sung riêng {marker}: chủ quán tên là ông Tư Mập."
        added = await intake.post(
            f"/api/v1/tips/{code}/messages",
            json={"text": followup},
            headers={"X-Tip-Secret": secret},
        )
        assert added.status_code == 201, added.text
        seen.tip_text.add(followup)

        # An officer signs in with a password, reads the case and acts on it.
        username = f"can.bo.{marker}"
        create_user_with_cli(
            infra.database_url, username=username, role="officer", ward=WARD, unit="police"
        )
        seen.add_secret("password", PASSWORD)
        signed = await triage.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert signed.status_code == 200, signed.text
        officer = bearer(signed.json()["access_token"])
        seen.add_secret("bearer token", signed.json()["access_token"])

        async def case() -> httpx.Response:
            return await triage.get(f"/api/v1/cases/by-code/{code}", headers=officer)

        read = await eventually(case, lambda a: a.status_code == 200, what="the officer's case")
        detail = read.json()
        question = f"Câu hỏi riêng {marker}: quán mở cửa đến mấy giờ?"
        for action, payload in [
            ("claim", {}),
            ("verify", {"result": "founded", "summary": f"Đã xác minh {marker}."}),
            ("question", {"text": question}),
        ]:
            answer = await triage.post(
                f"/api/v1/cases/{detail['id']}/actions/{action}",
                json={"expected_version": detail["version"], **payload},
                headers=officer,
            )
            assert answer.status_code == 200, answer.text
            detail = answer.json()
        seen.tip_text.add(question)
        await eventually(
            lambda: intake.get(f"/api/v1/tips/{code}/messages", headers={"X-Tip-Secret": secret}),
            lambda a: a.status_code == 200 and len(a.json()) == 2,
            what="the question reaches the tipster",
        )
        await eventually(
            case,
            lambda a: len(a.json()["followups"]) == 2 and a.json()["stage"] == "verified",
            what="the follow-up reaches the officer",
        )
        for hotline_code in hotline_codes:
            await eventually(
                lambda c=hotline_code: triage.get(f"/api/v1/cases/by-code/{c}", headers=officer),
                lambda a: a.status_code in {200, 404},
                what="the hotline tips triaged",
            )
        await eventually(
            lambda: db.fetchval(
                "SELECT count(*) FROM notify.sla_clocks WHERE case_id = $1 AND stage = 'verified'"
                " AND completed_at IS NOT NULL",
                uuid.UUID(detail["id"]),
            ),
            lambda n: n == 1,
            what="notify saw the stage",
        )
    for secret_name, value in (
        ("auth secret", stack_secrets.auth),
        ("encryption key", stack_secrets.encryption_key),
        ("caller hash pepper", stack_secrets.pepper),
        ("SMS signing key", stack_secrets.sms),
    ):
        seen.add_secret(secret_name, value)
    yield seen


async def table_dumps(db: asyncpg.Pool) -> dict[str, str]:
    """Every text, JSON, array and bytea column of every table of every service schema,
    as text (bytea as hex), found through information_schema."""
    columns = await db.fetch(
        "SELECT table_schema, table_name, column_name, data_type "
        "FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE table_schema = ANY($1) AND t.table_type = 'BASE TABLE' "
        "AND (data_type = ANY($2) OR data_type = 'bytea')",
        list(SCHEMAS),
        list(TEXT_TYPES),
    )
    assert {c["table_name"] for c in columns} >= {"tips", "case_tips", "sla_clocks", "audit_log"}
    dumps = {}
    for column in columns:
        qualified = f'"{column["table_schema"]}"."{column["table_name"]}"'
        name = f'"{column["column_name"]}"'
        value = f"encode({name}, 'hex')" if column["data_type"] == "bytea" else f"{name}::text"
        rows = await db.fetch(f"SELECT {value} AS v FROM {qualified} WHERE {name} IS NOT NULL")
        dumps[f"{column['table_schema']}.{column['table_name']}.{column['column_name']}"] = (
            "\n".join(r["v"] for r in rows)
        )
    return dumps


async def topic_dumps(infra: Infra, prefix: str) -> dict[str, str]:
    """Keys, values and headers of every record on every topic of the stack."""
    topics = [prefix + t for t in PARTITIONS] + [
        dead_letter_topic(prefix + group) for group in SCHEMAS
    ]
    dumps = {}
    for topic in topics:
        records = await read_topic(infra.kafka_bootstrap, topic, timeout=5)
        dumps[topic] = "\n".join(
            (r.key or b"").decode("utf-8", "replace")
            + " "
            + (r.value or b"").decode("utf-8", "replace")
            + " "
            + " ".join(f"{k}={v.decode('utf-8', 'replace')}" for k, v in r.headers)
            for r in records
        )
    assert dumps[prefix + "tips.received"], "nothing read from the topics"
    return dumps


def log_dumps(stack: Stack) -> dict[str, str]:
    return {p.name: p.log_path.read_text(encoding="utf-8") for p in stack.processes.values()}


async def test_no_personal_data_or_secret_in_any_table(flow: Sensitive, db: asyncpg.Pool) -> None:
    dumps = await table_dumps(db)
    leaks = [
        f"{column}: {hit}"
        for column, text in dumps.items()
        for hit in find(text, flow.personal | flow.secrets)
    ]
    assert not leaks, "\n".join(leaks)
    # The scan would see them if they were there: the tip text is stored in clear, by design.
    assert any(find(text, {"tip": flow.tip_text}) for text in dumps.values())
    assert "intake.tips.contact_sealed" in dumps  # sealed, so searched as hex


async def test_no_personal_data_or_secret_on_any_topic(
    flow: Sensitive, infra: Infra, security_prefix: str
) -> None:
    dumps = await topic_dumps(infra, security_prefix)
    leaks = [
        f"{topic}: {hit}"
        for topic, text in dumps.items()
        for hit in find(text, flow.personal | flow.secrets)
    ]
    assert not leaks, "\n".join(leaks)
    assert find(dumps[security_prefix + "tips.received"], {"tip": flow.tip_text})


async def test_no_personal_data_secret_or_tip_text_in_the_logs(
    flow: Sensitive, stack: Stack
) -> None:
    dumps = log_dumps(stack)
    assert all(dumps.values()), "a service wrote no log at all"
    leaks = [
        f"{service}: {hit}"
        for service, text in dumps.items()
        for hit in find(text, flow.personal | flow.secrets | {"tip text": flow.tip_text})
    ]
    assert not leaks, "\n".join(leaks)


async def test_a_failed_statement_leaves_its_values_out_of_logs_and_dead_letters(
    infra: Infra,
) -> None:
    """Why logs and dead-letter reasons stay clean even when a statement fails: SQLAlchemy
    hides the parameters, and the value asyncpg quotes in its own message is cut out."""
    engine = create_engine(
        ServiceSettings(database_url=infra.database_url), application_name="privacy-scan"
    )
    value = "Tin riêng của chị Hoà 0912345678"

    async def failure(*statements: str) -> DBAPIError:
        """Run statements on a connection of their own; return the last one's error."""
        async with engine.connect() as connection:
            for statement in statements[:-1]:
                await connection.execute(sa.text(statement))
            with pytest.raises(DBAPIError) as failed:
                await connection.execute(sa.text(statements[-1]), {"text": value})
        return failed.value

    try:
        failures = [
            await failure("SELECT CAST(:text AS integer)"),  # asyncpg cannot encode it
            await failure("SELECT CAST(:text AS text)::int"),  # PostgreSQL cannot read it
            await failure(
                "CREATE TEMP TABLE tip (text text, kind text NOT NULL)",
                "INSERT INTO tip VALUES (:text, NULL)",  # DETAIL: Failing row contains (…)
            ),
        ]
    finally:
        await engine.dispose()
    # The traceback a log.exception() writes holds the row, tip text and all...
    assert "Failing row contains" in "".join(traceback.format_exception(failures[-1]))
    for error in failures:
        record = logging.LogRecord(
            "tinbao", logging.ERROR, __file__, 1, "event failed", None, (DBAPIError, error, None)
        )
        logged = json.loads(JsonFormatter("triage").format(record))
        assert "[SQL: " in logged["exception"]  # ...never in what is written down
        for written in (logged["exception"], describe_failure(error)):
            assert "0912345678" not in written and "chị Hoà" not in written, written
