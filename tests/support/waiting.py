"""Deadline-bounded polling: tests wait for a condition, never for a fixed time."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shared.errors import is_transient

T = TypeVar("T")
_FAILED = object()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "condition",
) -> T:
    """Call `probe` until `accept(result)`; fail with the last result at the deadline.

    A probe that fails because the database or broker is briefly away (as in the fault
    tests) counts as "not yet", not as a failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await probe()
        except Exception as error:
            if not is_transient(error):
                raise
            result = _FAILED  # type: ignore[assignment]
        if result is not _FAILED and accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}; last: {result!r}"
            )
        await asyncio.sleep(interval)
