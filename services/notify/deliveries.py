"""Notifications: queued in the same transaction as the SLA event, delivered with retries.

Each warning or breach becomes one row per channel (webhook, e-mail) in notify.deliveries.
A worker claims due rows with FOR UPDATE SKIP LOCKED, sends them, and on failure retries
with exponential backoff; after `delivery_max_attempts` the row is parked as dead (the
dead-letter store, visible in metrics and the database). Payloads carry no personal data:
case id, stage, kind, ward, unit and the deadline only.
"""

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import smtplib
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.notify import metrics
from services.notify.config import NotifySettings
from shared.db import UnitOfWork
from shared.vocabulary import STAGE_NAMES

log = logging.getLogger(__name__)
BATCH = 50

deliveries_table = sa.Table(
    "deliveries",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("channel", sa.Text),
    sa.Column("target", sa.Text),
    sa.Column("event_id", pg.UUID(as_uuid=False)),
    sa.Column("payload", pg.JSONB),
    sa.Column("status", sa.Text),
    sa.Column("attempts", sa.Integer),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    schema="notify",
)


def message_for(payload: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a notification, Vietnamese first, then English."""
    stage_vi, stage_en = STAGE_NAMES.get(payload["stage"], (payload["stage"],) * 2)
    if payload["type"] == "breached":
        subject = f"[tinbao] QUÁ HẠN — {stage_vi} — vụ việc {payload['case_id'][:8]}"
        line_vi = f"Giai đoạn {stage_vi} đã quá hạn (hạn {payload['due_at']})."
        line_en = f"The {stage_en} stage is past its deadline ({payload['due_at']})."
    else:
        subject = f"[tinbao] Sắp đến hạn ({payload.get('level')}) — {stage_vi}"
        line_vi = f"Giai đoạn {stage_vi} sắp đến hạn ({payload['due_at']})."
        line_en = f"The {stage_en} stage is nearing its deadline ({payload['due_at']})."
    body = (
        f"{line_vi}\nPhường/xã: {payload.get('ward_code')} — đơn vị: {payload.get('unit')}\n"
        f"Mở vụ việc {payload['case_id']} trong hàng đợi để xử lý.\n\n{line_en}\n"
    )
    return subject, body


async def enqueue(
    uow: UnitOfWork,
    settings: NotifySettings,
    *,
    event_id: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    """Queue one delivery per configured channel, inside the caller's transaction."""
    targets = []
    if settings.webhook_url:
        targets.append(("webhook", settings.webhook_url))
    if settings.smtp_host:
        targets += [
            ("email", address.strip())
            for address in settings.email_to.split(",")
            if address.strip()
        ]
    if not targets:
        return
    await uow.session.execute(
        pg.insert(deliveries_table)
        .values(
            [
                {
                    "channel": channel,
                    "target": target,
                    "event_id": event_id,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for channel, target in targets
            ]
        )
        .on_conflict_do_nothing(constraint="deliveries_once_key")
    )


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook's signature: sha256=HMAC(secret, "<timestamp>.<body>")."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class DeliveryWorker:
    """Sends queued notifications; retries with backoff; parks the hopeless ones."""

    def __init__(self, *, settings: NotifySettings, sessions) -> None:  # type: ignore[no-untyped-def]
        self._settings = settings
        self._sessions = sessions
        self._stopping = asyncio.Event()
        self._http = httpx.AsyncClient(timeout=10)

    async def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    if await self.deliver_due() == BATCH:
                        continue
                except Exception:
                    log.warning("delivery pass failed", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._stopping.wait(), timeout=self._settings.delivery_poll_seconds
                    )
        finally:
            await self._http.aclose()

    async def stop(self) -> None:
        self._stopping.set()

    async def deliver_due(self) -> int:
        """Try every delivery that is due now; return how many were tried."""
        d = deliveries_table.c
        async with self._sessions() as session:
            now = datetime.now(UTC)
            rows = (
                await session.execute(
                    sa.select(deliveries_table)
                    .where(d.status == "pending", d.next_attempt_at <= now)
                    .order_by(d.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                error = await self._send(row)
                attempts = row.attempts + 1
                if error is None:
                    values = {"status": "sent", "attempts": attempts, "last_error": None}
                    metrics.DELIVERIES.labels(row.channel, "sent").inc()
                elif attempts >= self._settings.delivery_max_attempts:
                    values = {"status": "dead", "attempts": attempts, "last_error": error}
                    metrics.DELIVERIES.labels(row.channel, "dead").inc()
                    log.error(
                        "notification dead-lettered",
                        extra={"case_id": row.payload.get("case_id"), "error": error},
                    )
                else:
                    delay = self._settings.delivery_backoff_seconds * 2 ** (attempts - 1)
                    values = {
                        "attempts": attempts,
                        "last_error": error,
                        "next_attempt_at": now + timedelta(seconds=min(delay, 3600)),
                    }
                    metrics.DELIVERIES.labels(row.channel, "retry").inc()
                await session.execute(
                    sa.update(deliveries_table).where(d.id == row.id).values(**values)
                )
            await session.commit()
        return len(rows)

    async def _send(self, row: Any) -> str | None:
        try:
            if row.channel == "webhook":
                body = json.dumps(row.payload, ensure_ascii=False).encode()
                timestamp = str(int(time.time()))
                answer = await self._http.post(
                    row.target,
                    content=body,
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "X-Tinbao-Event-Id": str(row.event_id),
                        "X-Tinbao-Timestamp": timestamp,
                        "X-Tinbao-Signature": signature(
                            self._settings.webhook_secret, timestamp, body
                        ),
                    },
                )
                return None if answer.is_success else f"HTTP {answer.status_code}"
            subject, text = message_for(row.payload)
            await asyncio.to_thread(self._send_email, row.target, subject, text)
            return None
        except (httpx.HTTPError, OSError, smtplib.SMTPException) as error:
            return f"{error.__class__.__name__}: {error}"[:300]

    def _send_email(self, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._settings.smtp_from, to, subject
        message.set_content(text)
        with smtplib.SMTP(
            self._settings.smtp_host or "localhost", self._settings.smtp_port, timeout=10
        ) as smtp:
            smtp.send_message(message)
