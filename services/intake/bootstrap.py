"""Composition root of intake: wires settings, database, Kafka and the use cases."""

import asyncio
import logging

from sqlalchemy import exc as sa_exc

from services.intake import handlers, metrics
from services.intake.config import IntakeSettings
from services.intake.db import repository
from services.intake.db.tables import Tip, TipStatus
from services.intake.domain.codes import new_secret, new_tracking_code
from services.intake.domain.secrets_hashing import SecretHasher
from services.intake.domain.submission import SubmitTip, TipAccepted
from shared.clock import Clock, SystemClock
from shared.contracts.events import Channel
from shared.contracts.topics import CASES_EVENTS
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

ACCEPTED_MESSAGE = (
    "Đã tiếp nhận. Hãy lưu mã theo dõi và mã bí mật: mã bí mật chỉ hiện một lần và là cách duy "
    "nhất để xem tiến độ, trả lời câu hỏi của cơ quan xử lý mà không cần cho biết danh tính.",
    "Received. Keep the tracking code and the secret: the secret is shown only once and is the "
    "only way to follow progress and answer questions without giving your identity.",
)


class Intake:
    """Intake's use cases over its runtime (database, outbox, consumer)."""

    def __init__(self, settings: IntakeSettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.hasher = SecretHasher(
            time_cost=settings.secret_hash_time_cost, memory_kib=settings.secret_hash_memory_kib
        )
        self.runtime = ServiceRuntime(
            service="intake",
            settings=settings,
            consumer_topics=(CASES_EVENTS,),
            handlers=handlers.HANDLERS,
        )

    async def submit(self, command: SubmitTip, *, channel: Channel, english: bool) -> TipAccepted:
        """Store the tip with its outbox event in one transaction, then answer."""
        secret = new_secret()
        # Argon2 releases the GIL: hashing in a thread keeps the event loop serving.
        secret_hash = await asyncio.to_thread(self.hasher.hash, secret)
        for _attempt in range(3):
            tracking_code = new_tracking_code()
            try:
                async with self.runtime.unit_of_work() as uow:
                    tip = await handlers.submit_tip(
                        uow,
                        command,
                        channel=channel,
                        tracking_code=tracking_code,
                        secret_hash=secret_hash,
                        clock=self.clock,
                    )
                    await uow.commit()
                break
            except sa_exc.IntegrityError:
                continue  # tracking code collision (1 in 1.5e11): draw another
        else:
            raise RuntimeError("could not draw a unique tracking code")
        metrics.TIPS_RECEIVED.labels(channel, command.kind).inc()
        log.info("tip received", extra={"tip_id": str(tip.id), "tracking_code": tip.tracking_code})
        return TipAccepted(
            tracking_code=tip.tracking_code,
            secret=secret,
            received_at=tip.received_at,
            status_url=f"{self.settings.public_base_url}/api/v1/tips/{tip.tracking_code}/status",
            message=ACCEPTED_MESSAGE[1 if english else 0],
        )

    async def status(self, tracking_code: str, secret: str) -> tuple[Tip, TipStatus] | None:
        """Return the tip and its status if the secret matches; None otherwise."""
        async with self.runtime.sessions() as session:
            found = await repository.get_tip_with_status(
                session=session, tracking_code=tracking_code
            )
        stored_hash = found[0].secret_hash if found else None
        if not await asyncio.to_thread(self.hasher.verify, stored_hash, secret):
            return None
        return found
