"""Console settings: development keys are refused outside development."""

import pytest
from pydantic import ValidationError

from services.console.config import DEV_SESSION_SECRET, ConsoleSettings


def test_development_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TINBAO_ENVIRONMENT", "TINBAO_CONSOLE_SESSION_SECRET", "TINBAO_CONSOLE_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = ConsoleSettings()
    assert settings.port == 8080
    assert settings.session_secret == DEV_SESSION_SECRET
    assert settings.cookies_secure is False  # plain HTTP on the developer's machine


def test_production_refuses_the_development_secret_and_short_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TINBAO_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="TINBAO_CONSOLE_SESSION_SECRET"):
        ConsoleSettings()
    monkeypatch.setenv("TINBAO_CONSOLE_SESSION_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        ConsoleSettings()
    monkeypatch.setenv("TINBAO_CONSOLE_SESSION_SECRET", "x" * 48)
    settings = ConsoleSettings()
    assert settings.cookies_secure is True


def test_urls_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINBAO_CONSOLE_INTAKE_URL", "http://intake:8000")
    monkeypatch.setenv("TINBAO_CONSOLE_PORT", "9090")
    settings = ConsoleSettings()
    assert (settings.intake_url, settings.port) == ("http://intake:8000", 9090)
