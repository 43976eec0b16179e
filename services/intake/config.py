"""Intake settings (env prefix TINBAO_INTAKE_)."""

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases


@with_shared_aliases
class IntakeSettings(ServiceSettings):
    """Settings of the intake service."""

    model_config = service_settings_config("TINBAO_INTAKE_")

    port: int = 8000
    # Public address printed in answers (status_url); behind a proxy set it to the public URL.
    public_base_url: str = "http://127.0.0.1:8000"
    # Argon2id cost for the follow-up secret: slow enough to make guessing costly,
    # cheap enough (about 10 ms here) not to limit intake throughput.
    secret_hash_time_cost: int = 2
    secret_hash_memory_kib: int = 12_288
    max_text_length: int = 5_000
