"""Intake's use cases: what each endpoint does, over the database and the outbox."""

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

import asyncpg
import orjson
import phonenumbers

from services.intake import handlers, metrics
from services.intake.config import IntakeSettings
from services.intake.db import repository
from services.intake.db.tables import Message, Tip, TipStatus
from services.intake.db.tip_writer import TipWriter
from services.intake.domain.codes import new_secret, new_tracking_code
from services.intake.domain.protection import Sealer, body_fingerprint, keyed_hash
from services.intake.domain.secrets_hashing import SecretHasher
from services.intake.domain.submission import HotlineTip, SubmitTip, TipAccepted
from shared.auth import Principal
from shared.clock import Clock
from shared.contracts.events import Channel
from shared.problems import FieldError, Problem, Text, field_problem
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

ACCEPTED_MESSAGE = (
    "Đã tiếp nhận. Hãy lưu mã theo dõi và mã bí mật: mã bí mật chỉ hiện một lần và là cách duy "
    "nhất để xem tiến độ, trả lời câu hỏi của cơ quan xử lý mà không cần cho biết danh tính.",
    "Received. Keep the tracking code and the secret: the secret is shown only once and is the "
    "only way to follow progress and answer questions without giving your identity.",
)

IDEMPOTENCY_CONFLICT = Problem(
    status=422,
    slug="idempotency-key-reused",
    title=Text("Idempotency-Key đã dùng cho nội dung khác", "Idempotency-Key reused"),
    detail=Text(
        "Khoá Idempotency-Key này đã được dùng cho một tin báo có nội dung khác. Hãy dùng khoá "
        "mới cho mỗi tin báo mới.",
        "This Idempotency-Key was used for a tip with a different body. Use a new key for "
        "each new tip.",
    ),
    errors=[FieldError("Idempotency-Key", Text("Dùng khoá mới.", "Use a new key."))],
)


def locked_out(retry_after: int) -> Problem:
    return Problem(
        status=429,
        slug="too-many-wrong-secrets",
        title=Text("Nhập sai quá nhiều lần", "Too many wrong attempts"),
        detail=Text(
            f"Mã này tạm khoá vì nhập sai mã bí mật nhiều lần. Thử lại sau {retry_after // 60 + 1}"
            " phút.",
            f"This code is locked after too many wrong secrets. Retry in {retry_after // 60 + 1}"
            " minutes.",
        ),
        headers={"Retry-After": str(retry_after)},
    )


def call_time_problem(vi: str, en: str) -> Problem:
    return field_problem("call_started_at", Text(vi, en))


def normalise_phone(raw: str) -> str:
    """Return a Vietnamese phone number in E.164 (+84...), or the digits if unparseable."""
    try:
        number = phonenumbers.parse(raw, "VN")
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    # ASCII only: isdigit() also keeps "¹" or "①", which no keypad sends.
    return "".join(ch for ch in raw if ch in "+0123456789")


class Intake:
    """Intake's use cases over its runtime (database, outbox, consumer)."""

    def __init__(self, settings: IntakeSettings, *, clock: Clock, runtime: ServiceRuntime) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = runtime
        self.sealer = Sealer(settings.encryption_key)
        self.tip_writer = TipWriter(runtime.raw_pool)
        self.hasher = SecretHasher(
            time_cost=settings.secret_hash_time_cost, memory_kib=settings.secret_hash_memory_kib
        )

    async def submit(
        self,
        command: SubmitTip,
        *,
        channel: Channel,
        english: bool,
        idempotency_key: str | None = None,
        raw_body: bytes = b"",
        received_at: datetime | None = None,
        caller_hash: str | None = None,
        contact: dict[str, str] | None = None,
        operator_id: str | None = None,
    ) -> tuple[TipAccepted, bool]:
        """Store the tip with its outbox event in one transaction; return (answer, replayed)."""
        secret = new_secret()
        # Argon2 releases the GIL: hashing in a thread keeps the event loop serving.
        secret_hash = await asyncio.to_thread(self.hasher.hash, secret)
        tip_id = uuid.uuid4()
        contact = contact or (
            command.contact.model_dump(exclude={"consent"}, exclude_none=True)
            if command.contact
            else None
        )
        contact_sealed = (
            self.sealer.seal(orjson.dumps(contact), context=f"contact:{tip_id}")
            if contact
            else None
        )
        attachments = tuple(
            (a.content_type, len(data), self.sealer.seal(data, context=f"attachment:{tip_id}"))
            for a in command.attachments
            for data in [a.decoded()]
        )
        key_hash = (
            keyed_hash(f"{channel}:{idempotency_key}", pepper=self.settings.caller_hash_pepper)
            if idempotency_key
            else None
        )
        request_hash = body_fingerprint(raw_body, pepper=self.settings.caller_hash_pepper)
        for _attempt in range(3):
            now = self.clock.now()
            tip = handlers.new_tip(
                command,
                channel=channel,
                tip_id=tip_id,
                tracking_code=new_tracking_code(),
                secret_hash=secret_hash,
                received_at=received_at or now,
                now=now,
                contact_sealed=contact_sealed,
                sealed_attachments=attachments,
                caller_hash=caller_hash,
                operator_id=operator_id,
                topic_prefix=self.settings.topic_prefix,
            )
            answer = TipAccepted(
                tracking_code=tip.tracking_code,
                secret=secret,
                received_at=tip.received_at,
                status_url=f"{self.settings.public_base_url}/api/v1/tips/"
                f"{tip.tracking_code}/status",
                message=ACCEPTED_MESSAGE[1 if english else 0],
            )
            claim = (
                repository.IdempotencyClaim(
                    key_hash,
                    request_hash,
                    # Sealed: the answer holds the secret.
                    self.sealer.seal(
                        answer.model_dump_json().encode(), context=f"idempotency:{key_hash}"
                    ),
                )
                if key_hash
                else None
            )
            try:
                if not await self.tip_writer.insert(tip=tip, now=now, idempotency=claim):
                    assert key_hash is not None
                    pool = await self.runtime.raw_pool()
                    async with pool.acquire() as connection:
                        earlier = await repository.earlier_idempotency_claim(
                            connection=connection, key_hash=key_hash
                        )
                    if earlier is None:
                        continue  # the earlier claim vanished (purged): store this one
                    return self._replay(earlier, request_hash), True
                break
            except asyncpg.UniqueViolationError as error:
                if error.constraint_name != "tips_tracking_code_key":
                    raise
                continue  # tracking code collision (1 in 1.5e11): draw another
        else:
            raise RuntimeError("could not draw a unique tracking code")
        metrics.TIPS_RECEIVED.labels(channel, command.kind).inc()
        log.info("tip received", extra={"tip_id": str(tip.id), "tracking_code": tip.tracking_code})
        return answer, False

    def _replay(self, earlier: repository.IdempotencyClaim, request_hash: str) -> TipAccepted:
        if earlier.request_hash != request_hash:
            raise IDEMPOTENCY_CONFLICT
        answer = self.sealer.open(
            earlier.response_sealed, context=f"idempotency:{earlier.key_hash}"
        )
        return TipAccepted.model_validate_json(answer)

    async def submit_hotline(
        self,
        command: HotlineTip,
        *,
        operator: Principal,
        raw_body: bytes,
        idempotency_key: str | None,
    ) -> tuple[TipAccepted, int]:
        """Register a phone tip with the call time as its receipt time; return repeat count."""
        now = self.clock.now()
        call_time = command.call_started_at
        if call_time.tzinfo is None:
            raise call_time_problem("Thiếu múi giờ, ví dụ +07:00.", "Add a time zone offset.")
        if call_time > now + timedelta(minutes=2):
            raise call_time_problem(
                "Thời điểm cuộc gọi ở tương lai.", "The call time is in the future."
            )
        if call_time < now - timedelta(hours=24):
            raise call_time_problem(
                "Cuộc gọi quá 24 giờ trước; hãy nhập như tin báo thường.",
                "The call is over 24 hours old; enter it as an ordinary tip.",
            )
        caller_hash = contact = None
        earlier_tips = 0
        if command.caller_number:
            number = normalise_phone(command.caller_number)
            caller_hash = keyed_hash(number, pepper=self.settings.caller_hash_pepper)
            if command.caller_consents_to_contact:
                contact = {"phone": number}
            async with self.runtime.sessions() as session:
                earlier_tips = await repository.count_tips_by_caller(
                    session=session, caller_hash=caller_hash
                )
        answer, _ = await self.submit(
            command,
            channel="hotline",
            english=False,
            idempotency_key=idempotency_key,
            raw_body=raw_body,
            received_at=call_time,
            caller_hash=caller_hash,
            contact=contact,
            operator_id=operator.user_id,
        )
        return answer, earlier_tips

    async def submit_sms(
        self, *, sender: str, body: str, message_id: str | None, signature: str
    ) -> TipAccepted:
        """Register a tip sent by SMS through the gateway.

        Retries of one `message_id` make one tip. Without it, the request's own signature is
        the key: a captured request replayed within the signature's tolerance gets the same
        reply and makes no second tip, while another timestamp or body signs differently.
        """
        kind, text = sms_kind_and_text(body)
        command = SubmitTip(kind=kind, text=text)
        number = normalise_phone(sender)
        # Two namespaces ("sms:", "sms-signature:"): no message_id can pose as a signature.
        key = f"sms:{message_id}" if message_id else f"sms-signature:{signature}"
        answer, _ = await self.submit(
            command,
            channel="sms",
            english=False,
            idempotency_key=key,
            raw_body=f"{sender}\n{body}".encode(),
            caller_hash=keyed_hash(number, pepper=self.settings.caller_hash_pepper),
        )
        return answer

    async def authenticate(self, tracking_code: str, secret: str) -> tuple[Tip, TipStatus] | None:
        """Return the tip and its status if the secret matches; None otherwise.

        Wrong secrets are counted per code, whether the code exists or not, so a
        locked-out unknown code and a locked-out real one look the same.
        """
        now = self.clock.now()
        window = timedelta(minutes=self.settings.secret_failure_window_minutes)
        async with self.runtime.sessions() as session:
            failures = await repository.secret_failures(
                session=session, tracking_code=tracking_code
            )
            if (
                failures is not None
                and failures.failures >= self.settings.secret_failures_allowed
                and failures.window_started_at > now - window
            ):
                remaining = failures.window_started_at + window - now
                raise locked_out(int(remaining.total_seconds()) + 1)
            found = await repository.get_tip_with_status(
                session=session, tracking_code=tracking_code
            )
        stored_hash = found[0].secret_hash if found else None
        if await asyncio.to_thread(self.hasher.verify, stored_hash, secret):
            return found
        async with self.runtime.sessions() as session:
            await repository.record_secret_failure(
                session=session,
                tracking_code=tracking_code,
                now=now,
                window_start_before=now - window,
            )
            await session.commit()
        return None

    async def open_questions(self, tip_id: uuid.UUID) -> int:
        async with self.runtime.sessions() as session:
            return await repository.count_open_questions(session=session, tip_id=tip_id)

    async def messages(self, tip: Tip) -> list[Message]:
        async with self.runtime.sessions() as session:
            return await repository.list_messages(session=session, tip_id=tip.id)

    async def add_message(self, tip: Tip, *, text: str, in_reply_to: str | None) -> Message:
        """Add the tipster's message (an answer or more information)."""
        reply_id = None
        if in_reply_to:
            try:
                reply_id = uuid.UUID(in_reply_to)
            except ValueError:
                raise field_problem(
                    "in_reply_to", Text("Mã câu hỏi không hợp lệ.", "Not a question id.")
                ) from None
        async with self.runtime.unit_of_work() as uow:
            message = await handlers.add_follow_up(
                uow, tip, text=text, in_reply_to=reply_id, now=self.clock.now()
            )
            await uow.commit()
        return message

    async def public_requests(self, **filters: object) -> list[tuple[Tip, TipStatus]]:
        async with self.runtime.sessions() as session:
            return await repository.find_public_requests(session=session, **filters)  # type: ignore[arg-type]


SMS_PREFIXES = {
    "TG": "crime_denunciation",
    "TC": "denunciation",
    "KN": "complaint",
    "KNG": "petition",
    "PA": "feedback",
}


def sms_kind_and_text(body: str) -> tuple[str, str]:
    """Read the optional kind keyword at the start of an SMS ("TG ...", "KN ..."); else feedback."""
    first, _, rest = body.strip().partition(" ")
    kind = SMS_PREFIXES.get(first.upper())
    return (kind, rest.strip()) if kind and rest.strip() else ("feedback", body.strip())
