"""What intake keeps only for a while, deleted when its time is up.

An Idempotency-Key's stored answer holds the tip's secret (sealed): it is kept for
`idempotency_hours`, long enough for any client's retry, and then deleted, so a stolen
database holds no answers of old tips. A lockout counter matters only inside its window;
counters for made-up tracking codes would otherwise pile up forever.
"""

import asyncio
import logging
from datetime import timedelta

from services.intake.config import IntakeSettings
from shared.clock import Clock
from shared.periodic import run_every
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)

_OLD_KEYS = "DELETE FROM intake.idempotency_keys WHERE created_at < $1"
_OLD_FAILURES = "DELETE FROM intake.secret_failures WHERE window_started_at < $1"


def _deleted(status: str) -> int:
    """Rows deleted, from asyncpg's command status ("DELETE 12")."""
    return int(status.rsplit(" ", 1)[-1])


class RetentionWorker:
    """Every `interval_seconds`, delete expired idempotency answers and lockout counters."""

    def __init__(
        self,
        *,
        settings: IntakeSettings,
        runtime: ServiceRuntime,
        clock: Clock,
        interval_seconds: float = 600.0,
    ) -> None:
        self._settings = settings
        self._runtime = runtime
        self._clock = clock
        self._interval = interval_seconds
        self._stopping = asyncio.Event()

    async def purge(self) -> tuple[int, int]:
        """Delete what has expired; return (idempotency answers, lockout counters) deleted."""
        now = self._clock.now()
        pool = await self._runtime.raw_pool()
        keys = await pool.execute(
            _OLD_KEYS, now - timedelta(hours=self._settings.idempotency_hours)
        )
        failures = await pool.execute(
            _OLD_FAILURES,
            now - timedelta(minutes=self._settings.secret_failure_window_minutes),
        )
        return _deleted(keys), _deleted(failures)

    async def run(self) -> None:
        await run_every(
            self._interval,
            self._purge_and_say,
            stopping=self._stopping,
            what="retention purge",
            log=log,
        )

    async def _purge_and_say(self) -> None:
        keys, failures = await self.purge()
        if keys or failures:
            log.info(
                "expired records deleted",
                extra={"idempotency_keys": keys, "secret_failures": failures},
            )

    async def stop(self) -> None:
        self._stopping.set()
