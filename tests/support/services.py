"""Run services in-process (integration tests) or as processes (end-to-end tests)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.local.postgres import free_port
from deploy.local.processes import ServiceProcess
from shared.runtime import HasRuntime
from tests.support.infra import SERVICES, Infra
from tests.support.waiting import eventually


@asynccontextmanager
async def running(service: HasRuntime) -> AsyncIterator[HasRuntime]:
    """Start a service object's background work and wait until its consumer is in its group."""
    await service.runtime.start()
    try:

        async def ready() -> bool:
            return service.runtime.kafka_ready()

        await eventually(ready, bool, timeout=60, what="consumer ready")
        yield service
    finally:
        await service.runtime.stop()


@dataclass
class Stack:
    """The three services as processes."""

    processes: dict[str, ServiceProcess]

    @property
    def intake(self) -> ServiceProcess:
        return self.processes["intake"]

    @property
    def triage(self) -> ServiceProcess:
        return self.processes["triage"]

    @property
    def notify(self) -> ServiceProcess:
        return self.processes["notify"]


@contextmanager
def process_stack(
    infra: Infra, topic_prefix: str, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """Start intake, triage and notify as processes on free ports; stop them after."""
    env = {**infra.service_env(topic_prefix), **(extra_env or {})}
    processes = {
        name: ServiceProcess(name, free_port(), env, log_dir / f"{name}.log") for name in SERVICES
    }
    env_with_url = {
        "TINBAO_INTAKE_PUBLIC_BASE_URL": processes["intake"].url,
        # Load tests send hundreds of tips from one address; the limit has its own test.
        "TINBAO_INTAKE_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    for process in processes.values():
        process.env = {**process.env, **env_with_url}
        process.start()
    try:
        for process in processes.values():
            process.wait_ready(timeout=90)
        yield Stack(processes)
    finally:
        for process in processes.values():
            process.stop()


def vietnamese_tip(index: int) -> dict[str, object]:
    """A realistic tip body with diacritics, unique per index."""
    kinds = [
        "crime_denunciation",
        "feedback",
        "petition",
        "crime_report",
        "complaint",
        "denunciation",
    ]
    return {
        "kind": kinds[index % len(kinds)],
        "text": (
            f"Tin số {index}: quán karaoke Ánh Dương ở ngõ {index} đường Quang Trung có dấu hiệu "
            "môi giới mại dâm vào buổi tối, nhiều người lạ ra vào sau 22 giờ."
        ),
        "address": f"Số {index} Quang Trung, Phường Yên Nghĩa, Hà Nội",
        "ward_code": "09562",
    }


async def gather_limited(coroutines: list, limit: int = 50) -> list:
    """Run coroutines concurrently, at most `limit` at a time."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):  # type: ignore[no-untyped-def]
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


def unique_id() -> str:
    return str(uuid.uuid4())


@contextmanager
def console_process(stack: Stack, log_dir: Path) -> Iterator[ServiceProcess]:
    """Start the web console as a process in front of a running stack; stop it after."""
    env = {
        "TINBAO_ENVIRONMENT": "test",
        "TINBAO_LOG_LEVEL": "INFO",
        "TINBAO_CONSOLE_INTAKE_URL": stack.intake.url,
        "TINBAO_CONSOLE_TRIAGE_URL": stack.triage.url,
        "TINBAO_CONSOLE_NOTIFY_URL": stack.notify.url,
    }
    console = ServiceProcess("console", free_port(), env, log_dir / "console.log")
    console.start()
    try:
        console.wait_ready(timeout=60)
        yield console
    finally:
        console.stop()
