"""Open-loop load from the Go load generator (bench/loadgen), and what it costs each process."""

import asyncio
import contextlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import psutil

from deploy.local.processes import REPO_ROOT

LOADGEN_SOURCE = REPO_ROOT / "bench" / "loadgen"
LOADGEN = REPO_ROOT / ".run" / "tools" / "loadgen"

# The benchmark tip; "{{N}}" becomes a fresh house number per request, so each tip names a place
# of its own and opens its own case, as most tips do (one fixed address would make every tip
# join one case and skip most of triage's and notify's work).
TIP_TEMPLATE = (
    '{"kind":"feedback","ward_code":"09562","text":"Quán karaoke ở ngõ 12 đường Quang Trung có '
    'dấu hiệu môi giới mại dâm vào buổi tối, nhiều người lạ ra vào phòng kín sau 22 giờ.",'
    '"address":"Số {{N}} Quang Trung, Phường Yên Nghĩa, Hà Nội"}'
)


def build_loadgen() -> Path:
    """Compile the load generator (Go standard library only, so no download) once."""
    sources = [*LOADGEN_SOURCE.glob("*.go"), LOADGEN_SOURCE / "go.mod"]
    if LOADGEN.exists() and all(s.stat().st_mtime <= LOADGEN.stat().st_mtime for s in sources):
        return LOADGEN
    go = shutil.which("go") or next(
        (path for path in ("/usr/local/go/bin/go", "/usr/lib/go/bin/go") if Path(path).exists()),
        None,
    )
    if go is None:
        raise SystemExit(
            "The benchmark's load generator is written in Go (a Python client would spend more "
            "CPU per request than intake does). Install Go, then run again: "
            "apt-get install -y golang-go"
        )
    LOADGEN.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([go, "build", "-o", str(LOADGEN), "."], cwd=LOADGEN_SOURCE, check=True)
    return LOADGEN


async def open_loop(url: str, rate: float, seconds: float) -> dict[str, object]:
    """POST tips at fixed arrival times whatever the answers (open loop), so latency is honest."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as body:
        body.write(TIP_TEMPLATE)
        body.flush()
        process = await asyncio.create_subprocess_exec(
            str(build_loadgen()),
            "-url",
            f"{url}/api/v1/tips",
            "-rate",
            str(rate),
            "-seconds",
            str(seconds),
            "-body",
            body.name,
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"loadgen failed ({process.returncode})")
    return json.loads(out)


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds each named process (and its children) has used so far."""
    totals = {}
    for name, pid in pids.items():
        try:
            process = psutil.Process(pid)
            family = [process, *process.children(recursive=True)]
        except psutil.Error:
            totals[name] = float("nan")
            continue
        total = 0.0
        for member in family:
            # A PostgreSQL backend may end between the listing and the reading.
            with contextlib.suppress(psutil.Error):
                times = member.cpu_times()
                total += times.user + times.system
        totals[name] = total
    return totals


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
