"""`make bench`: how fast tinbao accepts and routes tips, beside what this machine allows.

python -m bench.run [--quick]
Starts its own PostgreSQL and Kafka and the three services, measures the machine's limits
(single-row INSERT+COMMIT, Kafka's ProducerPerformance), drives intake with open-loop load from
a Go load generator (whole pipeline, then intake alone), measures the routing rate, runs the
naive design (insert + send_and_wait per request) at the same rates, measures how the queue,
the sweeper and the monthly report grow with stored data, and prints markdown tables, writes
bench/results/<time>.json and bench/results/latest.png.
"""

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import psutil

from bench import limits
from bench.growth import growth
from bench.load import build_loadgen, cpu_seconds, open_loop, pct
from bench.report import plot, print_tables
from deploy.local import kafka, postgres
from deploy.local.processes import REPO_ROOT, ServiceProcess
from shared.db import migrate_async

RESULTS = REPO_ROOT / "bench" / "results"


@dataclass(frozen=True)
class Plan:
    pipeline_rates: list[int]
    alone_rates: list[int]
    naive_rates: list[int]
    seconds: float
    assignment_wait_s: float
    drain_seconds: float
    sizes: list[int]
    kafka_records: int
    postgres_seconds: float


QUICK = Plan([100, 300], [500, 1000], [300, 1000], 3, 30, 8, [10_000, 100_000], 100_000, 3)
FULL = Plan(
    [100, 200, 500, 1000, 2000],
    [500, 1000, 2000, 3000],
    [100, 500, 1000, 2000],
    10,
    45,
    20,
    [10_000, 100_000, 1_000_000, 10_000_000],
    300_000,
    8,
)


def say(text: str) -> None:
    print(text, flush=True)


async def assignment(dsn: str, codes: list[str], wait_s: float) -> dict[str, object]:
    """Receipt → assignment latency from the stored timestamps, once the tips are assigned."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            rows = await connection.fetch(
                "SELECT extract(epoch FROM assigned_at - received_at) * 1000 AS ms "
                "FROM triage.case_tips WHERE tracking_code = ANY($1)",
                codes,
            )
            if len(rows) >= len(codes) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        values = [float(r["ms"]) for r in rows]
        return {
            "assigned": len(values),
            "e2e_p50_ms": pct(values, 0.5) if values else None,
            "e2e_p99_ms": pct(values, 0.99) if values else None,
        }
    finally:
        await connection.close()


async def scalar(dsn: str, sql: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(sql))
    finally:
        await connection.close()


async def load_step(
    url: str, rate: int, plan: Plan, pids: dict[str, int], dsn: str, *, routed: bool
) -> dict[str, object]:
    """One open-loop run; with `routed`, wait for the tips' assignment and time it."""
    before = cpu_seconds(pids)
    row = await open_loop(url, rate, plan.seconds)
    codes = row.pop("codes")
    row["outbox_backlog"] = await scalar(dsn, "SELECT count(*) FROM intake.outbox")
    if routed:
        row.update(await assignment(dsn, codes, plan.assignment_wait_s))  # type: ignore[arg-type]
    spent = cpu_seconds(pids)
    row["cpu_s"] = {name: round(spent[name] - before[name], 2) for name in pids}
    accepted = max(1, int(row["accepted"]))  # type: ignore[call-overload]
    row["cpu_ms_per_tip"] = round(sum(row["cpu_s"].values()) * 1000 / accepted, 2)  # type: ignore[union-attr]
    e2e = row.get("e2e_p99_ms")
    say(
        f"      {rate:>5}/s offered → {row['accepted_per_s']:,.0f}/s accepted, accept p99 "
        f"{row['p99_ms']:,.0f} ms"
        + (
            f", assigned {row['assigned']:,}/{row['accepted']:,}, receipt→assignment p99 "
            f"{e2e:,.0f} ms"
            if routed and e2e is not None
            else ""
        )
    )
    return row


def services(names: tuple[str, ...], env: dict[str, str], work: Path) -> list[ServiceProcess]:
    processes = []
    for name in names:
        process = ServiceProcess(name, postgres.free_port(), env, work / f"{name}.log")
        process.start()
        processes.append(process)
    for process in processes:
        process.wait_ready(timeout=120)
    return processes


async def routing_rate(dsn: str, seconds: float) -> dict[str, float]:
    """Tips assigned and clocks started per second while triage and notify drain a backlog."""
    connection = await asyncpg.connect(dsn)
    try:
        count = (
            "SELECT (SELECT count(*) FROM triage.case_tips), "
            "(SELECT count(*) FROM notify.sla_clocks), (SELECT count(*) FROM intake.tips)"
        )
        tips0, clocks0, stored = await connection.fetchrow(count)
        started = time.monotonic()
        await asyncio.sleep(seconds)
        tips1, clocks1, _ = await connection.fetchrow(count)
        elapsed = time.monotonic() - started
        return {
            "backlog": stored - tips0,
            "assigned_per_s": (tips1 - tips0) / elapsed,
            "clocks_per_s": (clocks1 - clocks0) / elapsed,
        }
    finally:
        await connection.close()


async def growth_phase(database_url: str, dsn: str, sizes: list[int]) -> list[dict[str, object]]:
    """The queue, sweeper and report of the real code, in-process, over a growing store."""
    from services.notify.bootstrap import bootstrap as notify_bootstrap
    from services.notify.config import NotifySettings
    from services.notify.reports import compute_report, period_for
    from services.triage.bootstrap import bootstrap as triage_bootstrap
    from services.triage.config import TriageSettings
    from shared.auth import Principal

    triage = triage_bootstrap(TriageSettings(database_url=database_url, topic_prefix="bench."))
    notify = notify_bootstrap(
        NotifySettings(database_url=database_url, topic_prefix="bench."), run_workers=False
    )
    officer = Principal("00000000-0000-4000-8000-000000000042", "officer", "00042", "police")
    month = datetime.now(UTC).strftime("%Y-%m")

    async def queue() -> None:
        await triage.queue(
            officer,
            status=None,
            priority=None,
            category=None,
            include_handled=False,
            limit=50,
            offset=0,
        )

    async def report() -> None:
        async with notify.runtime.sessions() as session:
            await compute_report(session, period_for("monthly", month), ward_code=None)

    try:
        return await growth(
            dsn, sizes, queue=queue, sweep=notify.sweeper.sweep, report=report, say=say
        )
    finally:
        await triage.runtime.engine.dispose()
        await notify.runtime.engine.dispose()


async def main_async(quick: bool) -> int:
    plan = QUICK if quick else FULL
    build_loadgen()
    work = Path(tempfile.mkdtemp(prefix="tinbao-bench-"))
    say(f"[1/7] PostgreSQL and Kafka in {work}…")
    database_url = await asyncio.to_thread(postgres.start, work / "pg", postgres.free_port())
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    bootstrap = await asyncio.to_thread(kafka.start, work / "kafka")
    for service in ("intake", "triage", "notify"):
        await migrate_async(service, database_url)
    results: dict[str, object] = {
        "quick": quick,
        "plan": asdict(plan),
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30),
        },
    }
    running: list[ServiceProcess] = []
    try:
        say("[2/7] What this machine allows…")
        perf = await limits.kafka_perf_test(bootstrap, plan.kafka_records)
        results["limits"] = {
            "postgres_commits_per_s": await limits.postgres_commit_limit(
                dsn, plan.postgres_seconds
            ),
            "kafka_perf_records_per_s": perf["records_per_s"],
            "aiokafka_msgs_per_s": await limits.aiokafka_producer_rate(
                bootstrap, plan.kafka_records // 3
            ),
        }
        say(
            "      PostgreSQL single-row INSERT+COMMIT "
            f"{results['limits']['postgres_commits_per_s']:,.0f}/s; Kafka ProducerPerformance "  # type: ignore[index]
            f"{perf['records_per_s']:,.0f} msg/s"
        )
        env = {
            "TINBAO_DATABASE_URL": database_url,
            "TINBAO_KAFKA_BOOTSTRAP": bootstrap,
            "TINBAO_TOPIC_PREFIX": "",
            "TINBAO_LOG_LEVEL": "WARNING",
            "TINBAO_INTAKE_RATE_LIMIT_PER_MINUTE": "100000000",
        }
        running = services(("intake", "triage", "notify"), env, work)
        intake, triage, notify = running
        pids = {p.name: p.process.pid for p in running}  # type: ignore[union-attr]
        pids["postgres"] = postgres.pid(work / "pg") or 0
        pids["kafka"] = kafka.pid(work / "kafka") or 0

        say("[3/7] The whole pipeline under open-loop load (each rate waits for its routing)…")
        results["pipeline"] = [
            await load_step(intake.url, rate, plan, pids, dsn, routed=True)
            for rate in plan.pipeline_rates
        ]

        say("[4/7] Intake alone (triage and notify stopped): what a burst meets…")
        for process in (triage, notify):
            process.stop()
        alone_pids = {k: v for k, v in pids.items() if k not in ("triage", "notify")}
        results["intake_alone"] = [
            await load_step(intake.url, rate, plan, alone_pids, dsn, routed=False)
            for rate in plan.alone_rates
        ]
        say("      routing the backlog: triage and notify started again…")
        for process in (triage, notify):
            process.start()
            process.wait_ready(timeout=120)
        results["drain"] = await routing_rate(dsn, plan.drain_seconds)
        say(f"      {results['drain']['assigned_per_s']:,.0f} tips/s assigned")  # type: ignore[index]
        # Kept up: took (nearly) all it was offered and routed all it took.
        kept_up = [
            r
            for r in results["pipeline"]  # type: ignore[union-attr]
            if r["accepted_per_s"] >= 0.95 * r["offered_per_s"]
            and r.get("assigned") == r["accepted"]
        ]
        if kept_up:
            best = kept_up[-1]
            results["cpu_breakdown"] = {
                name: seconds * 1000 / max(1, best["accepted"])
                for name, seconds in best["cpu_s"].items()
            }
        for process in running:
            process.stop()
        running = []

        say("[5/7] The naive design (insert, then send_and_wait to Kafka, per request)…")
        await limits.create_topic(bootstrap, "bench.naive")
        naive_port = postgres.free_port()
        naive = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.naive_app",
            str(naive_port),
            dsn,
            bootstrap,
            "bench.naive",
            cwd=REPO_ROOT,
        )
        try:
            probe = ServiceProcess("naive", naive_port, {}, work / "naive.log")
            probe.wait_ready(timeout=60, path="/docs")
            naive_pids = {"naive": naive.pid, "postgres": pids["postgres"], "kafka": pids["kafka"]}
            results["naive"] = [
                await load_step(probe.url, rate, plan, naive_pids, dsn, routed=False)
                for rate in plan.naive_rates
            ]
        finally:
            naive.terminate()
            await naive.wait()

        say("[6/7] Growth with stored data…")
        results["growth"] = await growth_phase(database_url, dsn, plan.sizes)
    finally:
        for process in running:
            process.stop()
        await asyncio.to_thread(kafka.stop, work / "kafka")
        await asyncio.to_thread(postgres.stop, work / "pg")

    say("[7/7] Results")
    best_accepted = max(
        r["accepted_per_s"]
        for r in [*results["pipeline"], *results["intake_alone"]]  # type: ignore[misc]
    )
    results["accepted_ratio_of_pg_limit"] = (
        best_accepted / results["limits"]["postgres_commits_per_s"]  # type: ignore[index]
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    plot(results, RESULTS / "latest.png")
    print_tables(results, say)
    say(f"\nJSON: bench/results/{stamp}.json   plot: bench/results/latest.png")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under 3 minutes)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.quick)))


if __name__ == "__main__":
    main()
