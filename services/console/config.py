"""Web console settings (env prefix TINBAO_CONSOLE_).

The console keeps no data of its own: it talks to the three services over their public HTTP
APIs, so it needs their addresses and a key for its encrypted session cookie.
"""

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Development-only key: accepted when TINBAO_ENVIRONMENT is development or test, refused
# anywhere else so that a deployment cannot start with a published key.
DEV_SESSION_SECRET = "development-console-session-secret-not-for-production"


class ConsoleSettings(BaseSettings):
    """Settings of the web console."""

    model_config = SettingsConfigDict(
        env_prefix="TINBAO_CONSOLE_", extra="ignore", populate_by_name=True
    )

    environment: str = Field("development", validation_alias="TINBAO_ENVIRONMENT")
    log_level: str = Field("INFO", validation_alias="TINBAO_LOG_LEVEL")
    host: str = "127.0.0.1"
    port: int = 8080
    intake_url: str = "http://127.0.0.1:8000"
    triage_url: str = "http://127.0.0.1:8001"
    notify_url: str = "http://127.0.0.1:8002"
    # Keys the encrypted session cookie (staff token, or a tipster's code and secret).
    session_secret: str = DEV_SESSION_SECRET
    # A session older than this is refused whatever it holds (staff tokens expire on their own).
    session_max_age_seconds: int = 8 * 60 * 60
    # Secure cookies (HTTPS only); None: on outside development.
    secure_cookies: bool | None = None
    request_timeout_seconds: float = 15.0
    # One photo per web tip, as intake accepts (3 MB).
    max_photo_bytes: int = 3 * 1024 * 1024

    @property
    def is_development(self) -> bool:
        return self.environment in {"development", "test"}

    @property
    def cookies_secure(self) -> bool:
        return not self.is_development if self.secure_cookies is None else self.secure_cookies

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> "ConsoleSettings":
        if not self.is_development and self.session_secret == DEV_SESSION_SECRET:
            raise ValueError("set a real TINBAO_CONSOLE_SESSION_SECRET outside development")
        if len(self.session_secret) < 32:
            raise ValueError("TINBAO_CONSOLE_SESSION_SECRET must have at least 32 characters")
        return self
