"""How the officers' queue, the SLA sweeper and the monthly report grow with stored data.

Cases and clocks are generated inside PostgreSQL (generate_series), which fills 10 million rows
in a minute where sending them from Python would take ten. Cases spread over 300 wards, two
units and 400 days; one in ten is still open, as in a store that holds years of handled cases.
Clocks grow with the cases up to 1 million running ones; at each step 100 of them have just
come due, so every sweeper pass finds and publishes 100 breaches among all the open clocks.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from bench.load import pct

MAX_CLOCKS = 1_000_000

_CASES = """
INSERT INTO triage.cases (id, kind, ward_code, unit, priority, category, status, opened_at,
                          updated_at, next_due_at)
SELECT uuidv7(), 'feedback', lpad((g % 300)::text, 5, '0'),
       CASE WHEN g % 2 = 0 THEN 'police' ELSE 'culture_social' END,
       CASE WHEN g % 20 = 0 THEN 'urgent' ELSE 'normal' END,
       'unclassified',
       CASE WHEN g % 10 = 0 THEN 'assigned' ELSE 'handled' END,
       at, at, CASE WHEN g % 10 = 0 THEN now() + (random() * 720 - 48) * interval '1 hour' END
FROM generate_series($1::bigint, $2::bigint) AS g,
     LATERAL (SELECT now() - random() * interval '400 days' AS at) AS t
"""

_CLOCKS = """
INSERT INTO notify.sla_clocks (case_id, stage, kind, priority, ward_code, unit, status,
                               started_at, due_at, policy_version, warn_points, channel, category)
SELECT uuidv7(), 'verified', 'feedback', CASE WHEN g % 20 = 0 THEN 'urgent' ELSE 'normal' END,
       lpad((g % 300)::text, 5, '0'), CASE WHEN g % 2 = 0 THEN 'police' ELSE 'culture_social' END,
       'running', now() - random() * interval '400 days',
       CASE WHEN g <= $1::bigint + 100 THEN now() - interval '1 minute'
            ELSE now() + (1 + random() * 30) * interval '1 day' END,
       'bench', '[]', 'api', 'unclassified'
FROM generate_series($1::bigint + 1, $2::bigint) AS g
"""


async def growth(
    dsn: str,
    sizes: list[int],
    *,
    queue: Callable[[], object],
    sweep: Callable[[datetime], object],
    report: Callable[[], object],
    say: Callable[[str], None],
) -> list[dict[str, object]]:
    """Grow the store step by step; time the queue (p50/p99 of 100), a sweep and a report."""
    connection = await asyncpg.connect(dsn)
    results = []
    cases = clocks = 0
    # One untimed call of each first: the figures are of a running service, not of its first
    # request (statement preparation, imports, cold caches).
    await queue()  # type: ignore[misc]
    await sweep(datetime.now(UTC))  # type: ignore[misc]
    await report()  # type: ignore[misc]
    try:
        for size in sizes:
            started = time.perf_counter()
            await connection.execute(_CASES, cases + 1, size)
            cases = size
            target_clocks = min(size, MAX_CLOCKS)
            if target_clocks > clocks:
                await connection.execute(_CLOCKS, clocks, target_clocks)
                clocks = target_clocks
            else:  # past a million clocks: only 100 newly due ones, so the sweep has work
                await connection.execute(_CLOCKS, clocks, clocks + 100)
                clocks += 100
            # What autovacuum would have done by now: fresh statistics and visibility maps.
            await connection.execute("VACUUM ANALYZE triage.cases")
            await connection.execute("VACUUM ANALYZE notify.sla_clocks")
            fill_s = time.perf_counter() - started
            say(f"      {size:>10,} cases, {clocks:,} clocks stored ({fill_s:.0f} s)…")
            timings = []
            for _ in range(100):
                started = time.perf_counter()
                await queue()  # type: ignore[misc]
                timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await sweep(datetime.now(UTC))  # type: ignore[misc]
            sweep_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            await report()  # type: ignore[misc]
            report_ms = (time.perf_counter() - started) * 1000
            results.append(
                {
                    "cases": size,
                    "open_clocks": clocks,
                    "queue_p50_ms": pct(timings, 0.5),
                    "queue_p99_ms": pct(timings, 0.99),
                    "sweep_ms": sweep_ms,
                    "report_ms": report_ms,
                    "fill_s": fill_s,
                }
            )
    finally:
        await connection.close()
    return results
