"""Intake's FastAPI application."""

from fastapi import FastAPI

from services.intake.api import hotline, open311, tips
from services.intake.bootstrap import bootstrap
from services.intake.config import IntakeSettings
from services.intake.usecases import Intake
from shared.limits import BodySizeLimitMiddleware, InFlightLimitMiddleware, RateLimitMiddleware
from shared.runtime import create_service_app

PUBLIC_PREFIXES = ("/api/v1/tips", "/open311", "/api/v1/gateways")


def create_app(settings: IntakeSettings | None = None, *, intake: Intake | None = None) -> FastAPI:
    """Build the intake app; nothing connects until the lifespan starts."""
    settings = settings or IntakeSettings()

    def configure(app: FastAPI) -> None:
        open311.install_open311_errors(app)
        app.add_middleware(
            RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, prefixes=PUBLIC_PREFIXES
        )
        app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
        # Outermost: an overloaded intake refuses before reading or parsing anything.
        app.add_middleware(
            InFlightLimitMiddleware, limit=settings.max_in_flight, prefixes=PUBLIC_PREFIXES
        )

    return create_service_app(
        title="tinbao — intake",
        summary="Tiếp nhận tố giác, tin báo, khiếu nại, kiến nghị, phản ánh (tips and complaints)",
        build=lambda: intake or bootstrap(settings),
        state_name="intake",
        routers=[tips.router, hotline.router, open311.router],
        configure=configure,
    )
