"""The benchmark's tables (markdown, printed) and its plot (PNG)."""

from collections.abc import Callable
from pathlib import Path


def _load_row(design: str, r: dict) -> str:  # type: ignore[type-arg]
    e2e = (
        f"{r['e2e_p50_ms']:,.0f} / {r['e2e_p99_ms']:,.0f}"
        if r.get("e2e_p50_ms") is not None
        else "—"
    )
    assigned = f"{r['assigned']:,}" if r.get("assigned") is not None else "—"
    refused = sum(n for code, n in r["statuses"].items() if code in ("429", "503"))
    return (
        f"| {design} | {r['offered_per_s']:,} | {r['accepted_per_s']:,.0f} | {r['p50_ms']:,.1f} | "
        f"{r['p99_ms']:,.1f} | {r['max_ms']:,.0f} | {e2e} | {assigned} | {refused:,} | "
        f"{r['errors'] - refused:,} | "
        f"{r.get('outbox_backlog', '—')} | {r.get('cpu_ms_per_tip', '—')} |"
    )


def print_tables(results: dict, say: Callable[[str], None]) -> None:  # type: ignore[type-arg]
    limits = results["limits"]
    say("\n| what this machine allows | figure |")
    say("|---|---|")
    say(
        f"| PostgreSQL single-row INSERT+COMMIT (fsync on, 8 connections) | "
        f"{limits['postgres_commits_per_s']:,.0f}/s |"
    )
    say(
        f"| Kafka ProducerPerformance (acks=all, idempotent, 1 KB) | "
        f"{limits['kafka_perf_records_per_s']:,.0f} msg/s |"
    )
    say(
        f"| aiokafka producer (tinbao's client, same settings) | "
        f"{limits['aiokafka_msgs_per_s']:,.0f} msg/s |"
    )
    say(
        "\n| design | offered/s | accepted/s | accepted p50 ms | p99 ms | max ms | "
        "receipt→assignment p50 / p99 ms | assigned | refused (503, retry) | failed | "
        "outbox after | CPU ms per accepted tip |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for design, key in (
        ("tinbao, whole pipeline", "pipeline"),
        ("tinbao, intake alone", "intake_alone"),
        ("naive (send_and_wait)", "naive"),
    ):
        for row in results[key]:
            say(_load_row(design, row))
    drain = results["drain"]
    say(
        f"\nRouting rate (triage + notify draining a backlog of {drain['backlog']:,} tips): "
        f"{drain['assigned_per_s']:,.0f} tips/s assigned, {drain['clocks_per_s']:,.0f} clocks/s "
        f"started. Best accepted rate = {results['accepted_ratio_of_pg_limit']:.0%} of the "
        "PostgreSQL single-row commit limit."
    )
    say("\nCPU ms per tip by process (whole pipeline, highest rate it kept up with):")
    busiest = results.get("cpu_breakdown") or {}
    say("| " + " | ".join(busiest) + " |")
    say("|" + "---|" * len(busiest))
    say("| " + " | ".join(f"{v:.2f}" for v in busiest.values()) + " |")
    say(
        "\n| stored cases | open clocks | queue p50 ms | queue p99 ms | sweeper pass ms "
        "(100 breaches) | monthly report ms | fill s |"
    )
    say("|---|---|---|---|---|---|---|")
    for g in results["growth"]:
        say(
            f"| {g['cases']:,} | {g['open_clocks']:,} | {g['queue_p50_ms']:.1f} | "
            f"{g['queue_p99_ms']:.1f} | {g['sweep_ms']:,.0f} | {g['report_ms']:,.0f} | "
            f"{g['fill_s']:.0f} |"
        )


def plot(results: dict, path: Path) -> None:  # type: ignore[type-arg]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4.4), dpi=110)
    series = (
        ("pipeline", "tinbao, whole pipeline"),
        ("intake_alone", "tinbao, intake alone"),
        ("naive", "naive (send_and_wait)"),
    )
    top = 1.0
    for key, label in series:
        rows = results[key]
        offered = [r["offered_per_s"] for r in rows]
        top = max([top, *offered])
        left.plot(offered, [r["accepted_per_s"] for r in rows], marker="o", label=label)
        middle.plot(offered, [max(r["p99_ms"], 0.1) for r in rows], marker="o", label=label)
    left.plot([0, top], [0, top], linestyle=":", color="grey", label="offered")
    limit = results["limits"]["postgres_commits_per_s"]
    left.axhline(
        limit * 0.5,
        color="red",
        linestyle="--",
        linewidth=0.8,
        label="50% of PostgreSQL commit limit",
    )
    left.set(xlabel="offered tips/s", ylabel="accepted tips/s", title="Throughput")
    middle.axhline(50, color="red", linestyle="--", linewidth=0.8, label="target p99 50 ms")
    middle.set(
        xlabel="offered tips/s", ylabel="accept p99 (ms)", title="Accept latency", yscale="log"
    )
    growth = results["growth"]
    cases = [g["cases"] for g in growth]
    right.plot(cases, [g["queue_p99_ms"] for g in growth], marker="o", label="queue p99")
    right.plot(cases, [g["sweep_ms"] for g in growth], marker="o", label="sweeper pass")
    right.plot(cases, [g["report_ms"] for g in growth], marker="o", label="monthly report")
    right.set(
        xlabel="stored cases",
        ylabel="ms",
        title="Growth with stored data",
        xscale="log",
        yscale="log",
    )
    for axis in (left, middle, right):
        axis.legend(fontsize=8)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
