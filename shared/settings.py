"""Settings common to every service; each service subclasses with its own env prefix."""

from typing import ClassVar

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:15432/tinbao"
DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:19092"


def _shared(name: str, service_env: str) -> AliasChoices:
    """Accept TINBAO_<SERVICE>_<NAME> first, then the system-wide TINBAO_<NAME>."""
    return AliasChoices(f"{service_env}{name}", f"TINBAO_{name}")


class ServiceSettings(BaseSettings):
    """Infrastructure and runtime settings every service has.

    Database and Kafka may be set once for the whole system (TINBAO_DATABASE_URL,
    TINBAO_KAFKA_BOOTSTRAP) or per service (TINBAO_INTAKE_DATABASE_URL, ...).
    """

    service_name: ClassVar[str] = "service"
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    environment: str = Field("development", validation_alias="TINBAO_ENVIRONMENT")
    database_url: str = Field(DEFAULT_DATABASE_URL)
    database_pool_size: int = 10
    kafka_bootstrap: str = Field(DEFAULT_KAFKA_BOOTSTRAP)
    # Prefix for every topic and consumer group: lets tests and several demos share a broker.
    topic_prefix: str = Field("", validation_alias="TINBAO_TOPIC_PREFIX")
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = Field("INFO", validation_alias="TINBAO_LOG_LEVEL")
    run_consumer: bool = True
    run_relay: bool = True
    relay_batch_size: int = 500
    relay_poll_seconds: float = 1.0
    consumer_max_attempts: int = 3
    # Longest lifetime (exp - iat) of a staff bearer token any service accepts; triage signs
    # tokens for TINBAO_TRIAGE_TOKEN_MINUTES, which may not exceed it.
    token_max_minutes: int = Field(8 * 60, validation_alias="TINBAO_AUTH_TOKEN_MAX_MINUTES", gt=0)

    @field_validator("database_url")
    @classmethod
    def _asyncpg_driver(cls, url: str) -> str:
        """Use the asyncpg driver whatever form of PostgreSQL URL was given."""
        for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url[len(prefix) :]
        return url

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    def topic(self, name: str) -> str:
        """Return the full topic name for a logical topic (tips.received → prefix + name)."""
        return f"{self.topic_prefix}{name}"

    def group(self, name: str) -> str:
        """Return the full consumer group id for a logical group."""
        return f"{self.topic_prefix}{name}"


def service_settings_config(env_prefix: str) -> SettingsConfigDict:
    """Build the settings config for a service with its own env prefix."""
    return SettingsConfigDict(env_prefix=env_prefix, extra="ignore", populate_by_name=True)


def with_shared_aliases(cls: type[ServiceSettings]) -> type[ServiceSettings]:
    """Let a service's infra fields fall back to the system-wide TINBAO_* variables."""
    prefix = cls.model_config.get("env_prefix", "")
    for name in ("database_url", "kafka_bootstrap"):
        cls.model_fields[name].validation_alias = _shared(name.upper(), prefix)
    cls.model_rebuild(force=True)
    return cls
