"""The loop of a database-side worker that does one pass every few seconds until stopped."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from shared.errors import is_transient


async def run_every(
    seconds: float,
    work: Callable[[], Awaitable[object]],
    *,
    stopping: asyncio.Event,
    what: str,
    log: logging.Logger,
) -> None:
    """Call `work` every `seconds` until `stopping` is set.

    A failed pass is logged (a warning when the database or broker is away, an error with its
    traceback otherwise) and the next pass tries again: a worker never dies of one bad pass.
    """
    while not stopping.is_set():
        try:
            await work()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            transient = is_transient(error)
            log.log(
                logging.WARNING if transient else logging.ERROR,
                f"{what} failed; retrying",
                exc_info=not transient,
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=seconds)
