"""Notify settings (env prefix TINBAO_NOTIFY_)."""

from shared.settings import ServiceSettings, service_settings_config, with_shared_aliases


@with_shared_aliases
class NotifySettings(ServiceSettings):
    """Settings of the notify service."""

    model_config = service_settings_config("TINBAO_NOTIFY_")

    port: int = 8002
    sweep_interval_seconds: float = 5.0
    metrics_interval_seconds: float = 10.0
