"""Notify settings (env prefix TINBAO_NOTIFY_)."""

from pydantic import Field, model_validator

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases

DEV_AUTH_SECRET = "development-auth-secret-not-for-production"


@with_shared_aliases
class NotifySettings(ServiceSettings):
    """Settings of the notify service."""

    model_config = service_settings_config("TINBAO_NOTIFY_")

    port: int = 8002
    sweep_interval_seconds: float = 5.0
    metrics_interval_seconds: float = 10.0
    # Verifies staff bearer tokens (issued by triage's sign-in).
    auth_secret: str = Field(DEV_AUTH_SECRET, validation_alias="TINBAO_AUTH_SECRET")
    # Notify's API takes no bodies; a larger one is refused (413) before it is read.
    max_body_bytes: int = 64 * 1024

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> "NotifySettings":
        if not self.is_development and self.auth_secret == DEV_AUTH_SECRET:
            raise ValueError("set TINBAO_AUTH_SECRET outside development")
        return self

    # Notifications of warnings and breaches (no personal data in them).
    webhook_url: str | None = None
    webhook_secret: str = "development-webhook-secret"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "tinbao@localhost"
    # Comma-separated addresses that receive warning and breach e-mails.
    email_to: str = ""
    delivery_max_attempts: int = 6
    delivery_backoff_seconds: float = 2.0
    delivery_poll_seconds: float = 1.0
