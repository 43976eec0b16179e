"""Composition root of notify."""

from services.notify.config import NotifySettings
from services.notify.domain.clocks import ClockPlanner
from services.notify.handlers import NotifyHandlers
from shared.clock import Clock, SystemClock
from shared.contracts.topics import CASES_EVENTS
from shared.runtime import ServiceRuntime


class Notify:
    """Notify's runtime and collaborators."""

    def __init__(self, settings: NotifySettings, *, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.handlers = NotifyHandlers(planner=ClockPlanner())
        self.runtime = ServiceRuntime(
            service="notify",
            settings=settings,
            consumer_topics=(CASES_EVENTS,),
            handlers=self.handlers.table(),
        )
