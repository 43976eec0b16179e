"""Notify's FastAPI application."""

from fastapi import FastAPI

from services.notify.api import reports, sla
from services.notify.bootstrap import Notify, bootstrap
from services.notify.config import NotifySettings
from shared.limits import BodySizeLimitMiddleware
from shared.runtime import create_service_app


def create_app(settings: NotifySettings | None = None, *, notify: Notify | None = None) -> FastAPI:
    """Build the notify app; nothing connects until the lifespan starts."""
    settings = settings or NotifySettings()
    return create_service_app(
        title="tinbao — notify",
        summary="Theo dõi thời hạn, cảnh báo và báo cáo (SLA clocks, alerts and reports)",
        build=lambda: notify or bootstrap(settings),
        state_name="notify",
        routers=[reports.router, sla.router],
        configure=lambda app: app.add_middleware(
            BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes
        ),
    )
