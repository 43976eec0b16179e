import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.local.postgres import free_port
from deploy.local.processes import ServiceProcess
from tests.support.infra import Infra


@pytest.fixture(scope="module")
def intake_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture(scope="module")
def intake(
    infra: Infra, intake_prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """One intake process for the module, on its own topics."""
    port = free_port()
    env = {
        **infra.service_env(intake_prefix),
        "TINBAO_INTAKE_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "TINBAO_INTAKE_RATE_LIMIT_PER_MINUTE": "100000",
        "TINBAO_INTAKE_MAX_BODY_BYTES": str(2 * 1024 * 1024),
    }
    log = Path(tmp_path_factory.mktemp("intake")) / "intake.log"
    process = ServiceProcess("intake", port, env, log)
    process.start()
    process.wait_ready(timeout=90)
    try:
        yield process
    finally:
        process.stop()
