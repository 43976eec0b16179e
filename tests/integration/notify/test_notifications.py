"""Warnings and breaches reach people: a signed webhook with retries, and e-mail over SMTP."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes

import asyncpg
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from deploy.local.postgres import free_port
from services.notify.bootstrap import bootstrap
from services.notify.config import NotifySettings
from services.notify.deliveries import signature
from tests.integration.notify.test_sweeper import RECEIVED, SteppedClock, _assigned, _clocks, _send
from tests.support.infra import Infra
from tests.support.services import running
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration
SECRET = "test-webhook-secret"


class Receiver:
    """A webhook endpoint that fails the first `failures` calls, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[dict[str, str], bytes]] = []

    async def endpoint(self, request: Request) -> Response:
        self.calls.append((dict(request.headers), await request.body()))
        return Response(status_code=500 if len(self.calls) <= self.failures else 204)


@contextlib.asynccontextmanager
async def serve(receiver: Receiver) -> AsyncIterator[str]:
    port = free_port()
    app = Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return server.started

    await eventually(started, bool, timeout=10, what="webhook receiver up")
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        server.should_exit = True
        await task


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


async def _breach(infra: Infra, prefix: str, settings: NotifySettings, db: asyncpg.Pool) -> str:
    stepped = SteppedClock(RECEIVED)
    notify = bootstrap(settings, clock=stepped)
    case_id = str(uuid.uuid4())
    async with running(notify):
        await _send(infra, prefix + "cases.events", _assigned(case_id, "crime_report"))
        clocks = await eventually(lambda: _clocks(db, case_id), lambda c: len(c) == 4)
        await notify.sweeper.sweep(clocks["classified"]["due_at"] + timedelta(minutes=1))
        await eventually(
            lambda: db.fetch(
                "SELECT status FROM notify.deliveries WHERE payload->>'case_id' = $1", case_id
            ),
            lambda rows: rows and all(r["status"] != "pending" for r in rows),
            timeout=30,
            what="deliveries finished",
        )
    return case_id


async def test_webhook_is_signed_retried_with_backoff_and_then_dead_lettered(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    flaky, broken = Receiver(failures=2), Receiver(failures=10**6)
    async with serve(flaky) as flaky_url:
        settings = NotifySettings(
            database_url=infra.database_url,
            kafka_bootstrap=infra.kafka_bootstrap,
            topic_prefix=topic_prefix,
            webhook_url=flaky_url,
            webhook_secret=SECRET,
            delivery_backoff_seconds=0.2,
            delivery_poll_seconds=0.1,
            sweep_interval_seconds=3600,
        )
        case_id = await _breach(infra, topic_prefix, settings, db)
    assert len(flaky.calls) >= 3
    headers, body = flaky.calls[-1]
    assert headers["x-tinbao-signature"] == signature(SECRET, headers["x-tinbao-timestamp"], body)
    payload = json.loads(body)
    assert payload["case_id"] == case_id and payload["type"] == "breached"
    assert set(payload) <= {
        "type",
        "case_id",
        "stage",
        "kind",
        "ward_code",
        "unit",
        "due_at",
        "level",
    }  # nothing personal
    row = await db.fetchrow(
        "SELECT status, attempts FROM notify.deliveries WHERE "
        "payload->>'case_id' = $1 AND payload->>'stage' = 'classified'",
        case_id,
    )
    assert (row["status"], row["attempts"]) == ("sent", 3)

    async with serve(broken) as broken_url:
        settings = settings.model_copy(
            update={"webhook_url": broken_url, "delivery_max_attempts": 3}
        )
        dead_case = await _breach(infra, topic_prefix, settings, db)
    rows = await db.fetch(
        "SELECT status, attempts, last_error FROM notify.deliveries WHERE payload->>'case_id' = $1",
        dead_case,
    )
    assert rows and {(r["status"], r["attempts"]) for r in rows} == {("dead", 3)}
    assert rows[0]["last_error"] == "HTTP 500"


async def test_breach_email_reaches_a_real_smtp_server(
    infra: Infra, db: asyncpg.Pool, topic_prefix: str
) -> None:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = NotifySettings(
            database_url=infra.database_url,
            kafka_bootstrap=infra.kafka_bootstrap,
            topic_prefix=topic_prefix,
            smtp_host="127.0.0.1",
            smtp_port=port,
            email_to="canbo.yennghia@example.vn, giamsat@example.vn",
            delivery_poll_seconds=0.1,
            sweep_interval_seconds=3600,
        )
        case_id = await _breach(infra, topic_prefix, settings, db)
    finally:
        controller.stop()
    mine = [message_from_bytes(m) for m in mailbox.messages]
    mine = [m for m in mine if case_id in m.get_payload(decode=True).decode()]
    assert {m["To"] for m in mine} == {"canbo.yennghia@example.vn", "giamsat@example.vn"}
    subject = str(mine[0]["Subject"])
    assert "QUÁ HẠN" in subject or "=?utf-8?" in subject
    text = mine[0].get_payload(decode=True).decode()
    assert "đã quá hạn" in text and "past its deadline" in text
