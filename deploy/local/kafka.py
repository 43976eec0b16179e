"""Drive the single-node Kafka broker of deploy/kafka/kafka-local.sh from Python."""

import os
import signal
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "kafka" / "kafka-local.sh"


def _run(command: str, run_dir: Path, **env: str) -> str:
    result = subprocess.run(
        ["bash", str(SCRIPT), command],
        env={**os.environ, "KAFKA_RUN_DIR": str(run_dir), **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"kafka-local.sh {command} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def start(run_dir: Path, *, port: int | None = None, controller_port: int | None = None) -> str:
    """Start (or restart, keeping data) the broker; return its bootstrap address."""
    env = {"KAFKA_PORT": str(port)} if port else {}
    if controller_port:
        env["KAFKA_CONTROLLER_PORT"] = str(controller_port)
    _run("start", run_dir, **env)
    return (run_dir / "bootstrap").read_text().strip()


def stop(run_dir: Path) -> None:
    """Stop the broker cleanly."""
    _run("stop", run_dir)


def pid(run_dir: Path) -> int | None:
    try:
        return int((run_dir / "kafka.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def kill(run_dir: Path) -> None:
    """SIGKILL the broker (crash test); its data stays for the next start."""
    _run("kill", run_dir)


def freeze(run_dir: Path) -> None:
    """SIGSTOP the broker: it keeps its sockets but answers nothing."""
    broker = pid(run_dir)
    if broker:
        os.kill(broker, signal.SIGSTOP)


def thaw(run_dir: Path) -> None:
    """SIGCONT a frozen broker."""
    broker = pid(run_dir)
    if broker:
        os.kill(broker, signal.SIGCONT)
