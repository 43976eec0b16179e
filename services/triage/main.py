"""Triage's FastAPI application."""

from fastapi import FastAPI

from services.triage.api import auth, cases
from services.triage.bootstrap import bootstrap
from services.triage.config import TriageSettings
from services.triage.usecases import Triage
from shared.limits import BodySizeLimitMiddleware
from shared.runtime import create_service_app


def create_app(settings: TriageSettings | None = None, *, triage: Triage | None = None) -> FastAPI:
    """Build the triage app; nothing connects until the lifespan starts."""
    settings = settings or TriageSettings()
    return create_service_app(
        title="tinbao — triage",
        summary="Phân loại, phân công và hàng đợi xử lý (triage and the officers' queues)",
        build=lambda: triage or bootstrap(settings),
        state_name="triage",
        routers=[auth.router, cases.router],
        configure=lambda app: app.add_middleware(
            BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes
        ),
    )
