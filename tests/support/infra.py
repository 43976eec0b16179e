"""The real PostgreSQL and Kafka of a test session, with handles to break them on purpose."""

import os
from dataclasses import dataclass
from pathlib import Path

from deploy.local import kafka, postgres
from shared.db import migrate

SERVICES = ("intake", "triage", "notify")


@dataclass
class Infra:
    """Where the session's servers are, and how to kill or restart them."""

    database_url: str
    kafka_bootstrap: str
    pg_dir: Path | None
    kafka_dir: Path | None
    pg_port: int | None = None

    @property
    def dsn(self) -> str:
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)

    def service_env(self, topic_prefix: str) -> dict[str, str]:
        """Environment that points a service process at these servers."""
        return {
            "TINBAO_DATABASE_URL": self.database_url,
            "TINBAO_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "TINBAO_TOPIC_PREFIX": topic_prefix,
            "TINBAO_ENVIRONMENT": "test",
            "TINBAO_LOG_LEVEL": "INFO",
        }

    def kill_kafka(self) -> None:
        assert self.kafka_dir is not None, "cannot kill an external broker"
        kafka.kill(self.kafka_dir)

    def start_kafka(self) -> None:
        assert self.kafka_dir is not None
        kafka.start(self.kafka_dir)

    def freeze_kafka(self) -> None:
        assert self.kafka_dir is not None
        kafka.freeze(self.kafka_dir)

    def thaw_kafka(self) -> None:
        assert self.kafka_dir is not None
        kafka.thaw(self.kafka_dir)

    def stop_postgres(self) -> None:
        assert self.pg_dir is not None, "cannot stop an external database"
        postgres.stop(self.pg_dir)

    def start_postgres(self) -> None:
        assert self.pg_dir is not None and self.pg_port is not None
        postgres.start(self.pg_dir, self.pg_port)


def start_infra(base: Path) -> Infra:
    """Start PostgreSQL and Kafka for the session (or use external ones from the environment).

    TINBAO_TEST_DATABASE_URL / TINBAO_TEST_KAFKA_BOOTSTRAP point the suite at
    servers someone else runs; otherwise both start here and fail loudly if
    they cannot.
    """
    database_url = os.environ.get("TINBAO_TEST_DATABASE_URL")
    bootstrap = os.environ.get("TINBAO_TEST_KAFKA_BOOTSTRAP")
    pg_dir = kafka_dir = None
    pg_port = None
    if not database_url:
        pg_dir, pg_port = base / "pg", postgres.free_port()
        database_url = postgres.start(pg_dir, pg_port)
    if not bootstrap:
        kafka_dir = base / "kafka"
        bootstrap = kafka.start(kafka_dir)
    for service in SERVICES:
        migrate(service, database_url)
    return Infra(database_url, bootstrap, pg_dir, kafka_dir, pg_port)


def stop_infra(infra: Infra) -> None:
    """Stop what `start_infra` started."""
    if infra.kafka_dir is not None:
        kafka.thaw(infra.kafka_dir)
        kafka.stop(infra.kafka_dir)
    if infra.pg_dir is not None:
        postgres.stop(infra.pg_dir)
