"""Triage settings (env prefix TINBAO_TRIAGE_)."""

from pydantic import Field, model_validator

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases

DEV_AUTH_SECRET = "development-auth-secret-not-for-production"


@with_shared_aliases
class TriageSettings(ServiceSettings):
    """Settings of the triage service."""

    model_config = service_settings_config("TINBAO_TRIAGE_")

    port: int = 8001
    # Signs staff bearer tokens; every service verifies them with the same secret.
    auth_secret: str = Field(DEV_AUTH_SECRET, validation_alias="TINBAO_AUTH_SECRET")
    token_minutes: int = 8 * 60
    password_hash_time_cost: int = 2
    password_hash_memory_kib: int = 19_456
    # Staff bodies are small; FastAPI reads a body before checking the token, so without a
    # limit anyone could make triage hold gigabytes in memory. Larger bodies get 413.
    max_body_bytes: int = 1024 * 1024

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> "TriageSettings":
        if not self.is_development and self.auth_secret == DEV_AUTH_SECRET:
            raise ValueError("set TINBAO_AUTH_SECRET outside development")
        if not 0 < self.token_minutes <= self.token_max_minutes:
            # Every service would refuse the tokens signed in with.
            raise ValueError(
                "TINBAO_TRIAGE_TOKEN_MINUTES must be positive and at most "
                "TINBAO_AUTH_TOKEN_MAX_MINUTES"
            )
        return self
