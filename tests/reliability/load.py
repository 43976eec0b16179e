"""A steady stream of tips, sent the way a careful client does (retry with the same key)."""

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.support.services import vietnamese_tip


@dataclass
class StreamResult:
    """What the clients saw."""

    sent: int = 0
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key → tracking code
    statuses: Counter[int] = field(default_factory=Counter)
    unreachable: int = 0

    @property
    def server_errors(self) -> int:
        """5xx other than the promised 503."""
        return sum(n for code, n in self.statuses.items() if code >= 500 and code != 503)


async def _one_tip(
    client: httpx.AsyncClient, index: int, result: StreamResult, give_up_at: float
) -> None:
    key = str(uuid.uuid4())
    result.sent += 1
    body = vietnamese_tip(index)
    while time.monotonic() < give_up_at:
        try:
            answer = await client.post("/api/v1/tips", json=body, headers={"Idempotency-Key": key})
        except httpx.HTTPError:
            result.unreachable += 1  # the process is down: retry like a phone app would
            await asyncio.sleep(0.5)
            continue
        result.statuses[answer.status_code] += 1
        if answer.status_code == 202:
            result.accepted[key] = answer.json()["tracking_code"]
            return
        await asyncio.sleep(float(answer.headers.get("retry-after", "1")) / 5)


async def stream(
    url: str, *, rate: float, seconds: float, result: StreamResult, patience: float = 120.0
) -> None:
    """Send `rate` tips a second for `seconds`; keep retrying each for up to `patience` s."""
    tasks = []
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        index = 0
        while time.monotonic() - started < seconds:
            tasks.append(
                asyncio.create_task(_one_tip(client, index, result, time.monotonic() + patience))
            )
            index += 1
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
