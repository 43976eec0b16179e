"""Intake's FastAPI application."""

from fastapi import FastAPI

from services.intake.api import tips
from services.intake.bootstrap import Intake
from services.intake.config import IntakeSettings
from shared.runtime import create_service_app


def create_app(settings: IntakeSettings | None = None, *, intake: Intake | None = None) -> FastAPI:
    """Build the intake app; nothing connects until the lifespan starts."""
    settings = settings or IntakeSettings()
    return create_service_app(
        title="tinbao — intake",
        summary="Tiếp nhận tố giác, tin báo, khiếu nại, kiến nghị, phản ánh (tips and complaints)",
        build=lambda: intake or Intake(settings),
        state_name="intake",
        routers=[tips.router],
    )
