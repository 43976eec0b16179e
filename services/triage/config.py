"""Triage settings (env prefix TINBAO_TRIAGE_)."""

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases


@with_shared_aliases
class TriageSettings(ServiceSettings):
    """Settings of the triage service."""

    model_config = service_settings_config("TINBAO_TRIAGE_")

    port: int = 8001
