"""Deadline-bounded polling: tests wait for a condition, never for a fixed time."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Call `probe` until `accept(result)`; fail with the last result at the deadline."""
    deadline = time.monotonic() + timeout
    result = await probe()
    while not accept(result):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}; last: {result!r}"
            )
        await asyncio.sleep(interval)
        result = await probe()
    return result
