"""Intake settings (env prefix TINBAO_INTAKE_)."""

from pydantic import Field, model_validator

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases

# Development-only keys: accepted when TINBAO_ENVIRONMENT is development or test, refused
# anywhere else so that a production deployment cannot start with a published key.
DEV_ENCRYPTION_KEY = (
    "dGluYmFvLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyE="  # "tinbao-development-key-32-bytes!"
)
DEV_PEPPER = "development-pepper-not-for-production"
DEV_SMS_SECRET = "development-sms-secret"
DEV_AUTH_SECRET = "development-auth-secret-not-for-production"


@with_shared_aliases
class IntakeSettings(ServiceSettings):
    """Settings of the intake service."""

    model_config = service_settings_config("TINBAO_INTAKE_")

    port: int = 8000
    # Public address printed in answers (status_url); behind a proxy set it to the public URL.
    public_base_url: str = "http://127.0.0.1:8000"
    # Argon2id cost for the follow-up secret. The secret is drawn by the system with about
    # 74 bits of entropy, so guessing is hopeless whatever the hash speed (2^73 tries of even a
    # bare SHA-256 take a GPU farm millennia); the memory-hard hash is a margin on top for a
    # stolen table, not the protection itself. 1 pass over 256 KiB costs 0.25 ms here; 2 MiB
    # cost 2 ms, as much as all the rest of accepting a tip (bench, 2026-12-01), and 2 passes
    # over 12 MiB (16 ms) capped intake near 30 tips/s on 2 cores (bench, 2026-11-22).
    secret_hash_time_cost: int = 1
    secret_hash_memory_kib: int = 256
    # AES-256-GCM key (base64 of 32 bytes) for contact details, caller numbers, attachments.
    encryption_key: str = DEV_ENCRYPTION_KEY
    # Key of the HMAC that recognises repeat callers without storing their number.
    caller_hash_pepper: str = DEV_PEPPER
    # Shared secret of the SMS/telephony gateway's HMAC-SHA256 signature.
    sms_webhook_secret: str = DEV_SMS_SECRET
    # Verifies staff bearer tokens (issued by triage's sign-in); shared across services.
    auth_secret: str = Field(DEV_AUTH_SECRET, validation_alias="TINBAO_AUTH_SECRET")
    max_body_bytes: int = 12 * 1024 * 1024
    max_attachments: int = 3
    max_attachment_bytes: int = 3 * 1024 * 1024
    # Public endpoints: requests per minute per client (kept in memory only, never stored).
    rate_limit_per_minute: int = 120
    # Public requests in work at once; more get 503 with Retry-After at once instead of
    # waiting. One intake process on 2 cores takes ~500 tips/s, so 512 bounds an accepted
    # tip's wait near a second; 128 already refused some at 300/s while the consumers ran.
    max_in_flight: int = Field(512, ge=1)
    # Wrong secrets allowed per tracking code in `secret_failure_window_minutes`.
    secret_failures_allowed: int = 5
    secret_failure_window_minutes: int = 15
    idempotency_hours: int = 24

    @model_validator(mode="after")
    def _no_development_secrets_in_production(self) -> "IntakeSettings":
        if self.is_development:
            return self
        placeholders = {
            "TINBAO_INTAKE_ENCRYPTION_KEY": self.encryption_key == DEV_ENCRYPTION_KEY,
            "TINBAO_INTAKE_CALLER_HASH_PEPPER": self.caller_hash_pepper == DEV_PEPPER,
            "TINBAO_INTAKE_SMS_WEBHOOK_SECRET": self.sms_webhook_secret == DEV_SMS_SECRET,
            "TINBAO_AUTH_SECRET": self.auth_secret == DEV_AUTH_SECRET,
        }
        unset = [name for name, placeholder in placeholders.items() if placeholder]
        if unset:
            raise ValueError(f"set real secrets outside development: {', '.join(unset)}")
        return self
