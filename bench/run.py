"""`make bench`: how fast tinbao accepts and routes tips, beside what this machine allows.

python -m bench.run [--quick]
Starts its own PostgreSQL and Kafka, measures the physical limits (single-row INSERT+COMMIT,
Kafka producer), drives the three services with open-loop load, runs the naive design
(insert + send_and_wait per request) at the same rates, measures how queries grow with stored
data, and prints a markdown table, writes bench/results/<time>.json and a PNG plot.
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaProducer

from deploy.local import kafka, postgres
from deploy.local.processes import REPO_ROOT, ServiceProcess
from shared.db import migrate_async

RESULTS = REPO_ROOT / "bench" / "results"
TIP = {
    "kind": "feedback",
    "ward_code": "09562",
    "text": "Quán karaoke ở ngõ 12 đường Quang Trung có dấu hiệu môi giới mại dâm vào buổi "
    "tối, nhiều người lạ ra vào phòng kín sau 22 giờ.",
    "address": "Số 12 Quang Trung, Phường Yên Nghĩa, Hà Nội",
}


def tip_about_a_new_place() -> dict[str, str]:
    """The benchmark tip at a house of its own: each opens its own case, as most tips do
    (one fixed address would make every tip join a single case and skip most of the work)."""
    house = random.randint(1, 10**6)
    return {**TIP, "address": f"Số {house} Quang Trung, Phường Yên Nghĩa, Hà Nội"}


def say(text: str) -> None:
    print(text, flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# Physical limits ------------------------------------------------------------------------


async def pg_limit(dsn: str, seconds: float, connections: int = 8) -> float:
    """Single-row INSERT + COMMIT per transaction, fsync on: the durable-write ceiling."""
    pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
    await pool.execute(
        "CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE IF NOT EXISTS "
        "bench.inserts (id bigserial primary key, body text, "
        "at timestamptz default now())"
    )
    body = json.dumps(TIP, ensure_ascii=False)
    count = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal count
        async with pool.acquire() as connection:
            statement = await connection.prepare("INSERT INTO bench.inserts (body) VALUES ($1)")
            while time.monotonic() < deadline:
                await statement.fetch(body)
                count += 1

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.monotonic() - started
    await pool.close()
    return count / elapsed


async def kafka_limit(bootstrap: str, messages: int) -> float:
    """aiokafka producer, acks=all + idempotence, same message size as a tip event."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic("bench.producer", 6, 1)])
    await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    payload = json.dumps({"data": TIP, "id": str(uuid.uuid4())}, ensure_ascii=False).encode() * 2
    started = time.monotonic()
    futures = []
    for i in range(messages):
        futures.append(await producer.send("bench.producer", payload, key=str(i % 97).encode()))
        if len(futures) >= 5000:
            await asyncio.gather(*futures)
            futures = []
    await asyncio.gather(*futures)
    elapsed = time.monotonic() - started
    await producer.stop()
    return messages / elapsed


# Open-loop load ---------------------------------------------------------------------------


async def open_loop(url: str, rate: float, seconds: float) -> dict[str, object]:
    """Send at fixed arrival times whatever the answers (open loop): latency is honest."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    codes: list[str] = []
    errors = 0
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def one() -> None:
            nonlocal errors
            sent = time.perf_counter()
            try:
                answer = await client.post("/api/v1/tips", json=tip_about_a_new_place())
            except httpx.HTTPError:
                errors += 1
                return
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if answer.status_code == 202:
                codes.append(answer.json()["tracking_code"])

        tasks = []
        started = time.perf_counter()
        total = int(rate * seconds)
        for index in range(total):
            delay = started + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    accepted = statuses.get(202, 0)
    return {
        "offered_per_s": rate,
        "sent": total,
        "accepted": accepted,
        "accepted_per_s": accepted / elapsed,
        "errors": errors + total - accepted - errors,
        "p50_ms": pct(latencies, 0.5),
        "p99_ms": pct(latencies, 0.99),
        "max_ms": max(latencies, default=float("nan")),
        "codes": codes,
    }


async def end_to_end(dsn: str, codes: list[str], timeout: float = 120) -> dict[str, float]:
    """Receipt → assignment latency from the stored timestamps, once every tip is assigned."""
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + timeout
        rows: list[asyncpg.Record] = []
        while time.monotonic() < deadline:
            rows = await connection.fetch(
                "SELECT extract(epoch FROM assigned_at - received_at) * 1000 AS ms "
                "FROM triage.case_tips WHERE tracking_code = ANY($1)",
                codes,
            )
            if len(rows) >= len(codes):
                break
            await asyncio.sleep(0.5)
        values = [float(r["ms"]) for r in rows]
        return {
            "e2e_p50_ms": pct(values, 0.5),
            "e2e_p99_ms": pct(values, 0.99),
            "assigned": len(values),
        }
    finally:
        await connection.close()


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    totals = {}
    for name, pid in pids.items():
        try:
            process = psutil.Process(pid)
            times = [process.cpu_times()] + [c.cpu_times() for c in process.children(True)]
            totals[name] = sum(t.user + t.system for t in times)
        except psutil.Error:
            totals[name] = float("nan")
    return totals


# Growth with stored data ----------------------------------------------------------------


async def growth(database_url: str, dsn: str, sizes: list[int]) -> list[dict[str, object]]:
    """Queue query, sweeper pass and monthly report time as stored data grows."""
    from services.notify.bootstrap import bootstrap as notify_bootstrap
    from services.notify.config import NotifySettings
    from services.notify.reports import compute_report, period_for
    from services.triage.bootstrap import bootstrap as triage_bootstrap
    from services.triage.config import TriageSettings
    from shared.auth import Principal

    connection = await asyncpg.connect(dsn)
    triage = triage_bootstrap(TriageSettings(database_url=database_url, topic_prefix="bench."))
    notify = notify_bootstrap(
        NotifySettings(database_url=database_url, topic_prefix="bench."), run_workers=False
    )
    results = []
    stored = 0
    now = datetime.now(UTC)
    units = ("police", "culture_social")
    try:
        for size in sizes:
            say(f"      growing to {size:,} cases and {size:,} open clocks…")
            batch = size - stored
            cases = [
                (
                    uuid.uuid4(),
                    "feedback",
                    f"{random.randrange(300):05d}",
                    units[i % 2],
                    "urgent" if i % 20 == 0 else "normal",
                    "assigned",
                    now - timedelta(days=random.randrange(400)),
                    now + timedelta(hours=random.randrange(-48, 24 * 30)),
                )
                for i in range(batch)
            ]
            await connection.copy_records_to_table(
                "cases",
                schema_name="triage",
                columns=[
                    "id",
                    "kind",
                    "ward_code",
                    "unit",
                    "priority",
                    "status",
                    "opened_at",
                    "next_due_at",
                    "category",
                    "updated_at",
                ],
                records=[(*c, "unclassified", c[6]) for c in cases],
            )
            await connection.copy_records_to_table(
                "sla_clocks",
                schema_name="notify",
                columns=[
                    "case_id",
                    "stage",
                    "kind",
                    "priority",
                    "ward_code",
                    "unit",
                    "status",
                    "started_at",
                    "due_at",
                    "policy_version",
                    "warn_points",
                ],
                records=[
                    (
                        c[0],
                        "verified",
                        c[1],
                        c[4],
                        c[2],
                        c[3],
                        "running",
                        c[6],
                        now + timedelta(days=1 + random.random() * 30),
                        "bench",
                        "[]",
                    )
                    for c in cases
                ],
            )
            stored = size
            await connection.execute("ANALYZE triage.cases; ANALYZE notify.sla_clocks")
            officer = Principal(str(uuid.uuid4()), "officer", "00042", "police")
            timings = []
            for _ in range(50):
                started = time.perf_counter()
                await triage.queue(
                    officer,
                    status=None,
                    priority=None,
                    category=None,
                    include_handled=False,
                    limit=50,
                    offset=0,
                )
                timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            await notify.sweeper.sweep(now)
            sweep_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            month = now.strftime("%Y-%m")
            async with notify.runtime.sessions() as session:
                await compute_report(session, period_for("monthly", month), ward_code=None)
            report_ms = (time.perf_counter() - started) * 1000
            results.append(
                {
                    "cases": size,
                    "queue_p50_ms": pct(timings, 0.5),
                    "queue_p99_ms": pct(timings, 0.99),
                    "sweep_ms": sweep_ms,
                    "report_ms": report_ms,
                }
            )
    finally:
        await connection.close()
        await triage.runtime.engine.dispose()
        await notify.runtime.engine.dispose()
    return results


# The run -------------------------------------------------------------------------------


def plot(load: list[dict[str, object]], naive: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110)
    for rows, label in ((load, "tinbao (outbox)"), (naive, "naive (send_and_wait)")):
        offered = [r["offered_per_s"] for r in rows]
        left.plot(offered, [r["accepted_per_s"] for r in rows], marker="o", label=label)
        right.plot(offered, [r["p99_ms"] for r in rows], marker="o", label=label)
    top = max([r["offered_per_s"] for r in load] or [1])
    left.plot([0, top], [0, top], linestyle=":", color="grey", label="offered")
    left.set(xlabel="offered tips/s", ylabel="accepted tips/s", title="Throughput")
    right.set(xlabel="offered tips/s", ylabel="accept p99 (ms)", title="Latency", yscale="log")
    for axis in (left, right):
        axis.legend()
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)


async def main_async(quick: bool) -> int:
    rates = [100, 300] if quick else [100, 500, 1000, 2000, 3000]
    seconds = 4 if quick else 15
    sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    work = Path(tempfile.mkdtemp(prefix="tinbao-bench-"))
    say(f"[1/6] PostgreSQL and Kafka in {work}…")
    database_url = await asyncio.to_thread(postgres.start, work / "pg", postgres.free_port())
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    bootstrap = await asyncio.to_thread(kafka.start, work / "kafka")
    for service in ("intake", "triage", "notify"):
        await migrate_async(service, database_url)
    results: dict[str, object] = {
        "quick": quick,
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30),
        },
    }
    processes: list[ServiceProcess] = []
    try:
        say("[2/6] Physical limits on this machine…")
        results["postgres_insert_commit_per_s"] = await pg_limit(dsn, 3 if quick else 8)
        results["kafka_producer_msgs_per_s"] = await kafka_limit(
            bootstrap, 20_000 if quick else 100_000
        )
        say(
            f"      PostgreSQL single-row INSERT+COMMIT: "
            f"{results['postgres_insert_commit_per_s']:,.0f}/s; Kafka producer: "
            f"{results['kafka_producer_msgs_per_s']:,.0f} msg/s"
        )

        say("[3/6] tinbao under open-loop load…")
        env = {
            "TINBAO_DATABASE_URL": database_url,
            "TINBAO_KAFKA_BOOTSTRAP": bootstrap,
            "TINBAO_TOPIC_PREFIX": "",
            "TINBAO_LOG_LEVEL": "WARNING",
            "TINBAO_INTAKE_RATE_LIMIT_PER_MINUTE": "100000000",
        }
        for name in ("intake", "triage", "notify"):
            process = ServiceProcess(name, postgres.free_port(), env, work / f"{name}.log")
            process.start()
            processes.append(process)
        for process in processes:
            process.wait_ready(timeout=90)
        pids = {p.name: p.process.pid for p in processes}
        pids["postgres"] = postgres.pid(work / "pg") or 0
        pids["kafka"] = kafka.pid(work / "kafka") or 0
        load_rows = []
        for rate in rates:
            before = cpu_seconds(pids)
            row = await open_loop(processes[0].url, rate, seconds)
            spent = cpu_seconds(pids)
            row.update(await end_to_end(dsn, row.pop("codes")))  # type: ignore[arg-type]
            row["cpu_s"] = {k: round(spent[k] - before[k], 1) for k in pids}
            load_rows.append(row)
            say(
                f"      {rate:>5}/s offered → {row['accepted_per_s']:,.0f}/s accepted, "
                f"p99 {row['p99_ms']:.0f} ms, receipt→assignment p99 {row['e2e_p99_ms']:.0f} ms"
            )
        results["load"] = load_rows
        for process in processes:
            process.stop()
        processes = []

        say("[4/6] The naive design at the same rates…")
        naive_port = postgres.free_port()
        naive = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.naive_app",
            str(naive_port),
            dsn,
            bootstrap,
            "bench.producer",
            cwd=REPO_ROOT,
        )
        naive_rows = []
        try:
            naive_proc = ServiceProcess("naive", naive_port, {}, work / "naive.log")
            naive_proc.wait_ready(timeout=60, path="/docs")
            for rate in rates:
                row = await open_loop(f"http://127.0.0.1:{naive_port}", rate, seconds)
                row.pop("codes")
                naive_rows.append(row)
                say(
                    f"      {rate:>5}/s offered → {row['accepted_per_s']:,.0f}/s accepted, "
                    f"p99 {row['p99_ms']:.0f} ms"
                )
        finally:
            naive.terminate()
            await naive.wait()
        results["naive"] = naive_rows

        say("[5/6] Growth with stored data…")
        results["growth"] = await growth(database_url, dsn, sizes)
    finally:
        for process in processes:
            process.stop()
        await asyncio.to_thread(kafka.stop, work / "kafka")
        await asyncio.to_thread(postgres.stop, work / "pg")

    say("[6/6] Results")
    best = max(r["accepted_per_s"] for r in results["load"])  # type: ignore[union-attr]
    results["accepted_ratio_of_pg_limit"] = best / results["postgres_insert_commit_per_s"]  # type: ignore[operator]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    plot(results["load"], results["naive"], RESULTS / "latest.png")  # type: ignore[arg-type]
    print_table(results)
    say(f"\nJSON: bench/results/{stamp}.json   plot: bench/results/latest.png")
    return 0


def print_table(results: dict[str, object]) -> None:
    say(
        "\n| design | offered/s | accepted/s | accept p50 ms | p99 ms | max ms | "
        "receipt→assignment p50 / p99 ms | errors |"
    )
    say("|---|---|---|---|---|---|---|---|")
    for design, rows in (("tinbao", results["load"]), ("naive", results["naive"])):
        for r in rows:  # type: ignore[union-attr]
            e2e = f"{r['e2e_p50_ms']:.0f} / {r['e2e_p99_ms']:.0f}" if "e2e_p50_ms" in r else "—"
            say(
                f"| {design} | {r['offered_per_s']} | {r['accepted_per_s']:,.0f} | "
                f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {e2e} | "
                f"{r['errors']} |"
            )
    say(
        "\nPostgreSQL single-row INSERT+COMMIT limit: "
        f"{results['postgres_insert_commit_per_s']:,.0f}/s;"
        f" Kafka producer: {results['kafka_producer_msgs_per_s']:,.0f} msg/s; best tinbao "
        f"accepted rate = {results['accepted_ratio_of_pg_limit']:.0%} of the PostgreSQL limit"
    )
    say("\n| stored cases | queue p50 ms | queue p99 ms | sweeper pass ms | monthly report ms |")
    say("|---|---|---|---|---|")
    for g in results["growth"]:  # type: ignore[union-attr]
        say(
            f"| {g['cases']:,} | {g['queue_p50_ms']:.1f} | {g['queue_p99_ms']:.1f} | "
            f"{g['sweep_ms']:.0f} | {g['report_ms']:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under 3 minutes)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main_async(args.quick)))


if __name__ == "__main__":
    main()
