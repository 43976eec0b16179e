"""Composition root of triage."""

from services.triage.config import TriageSettings
from services.triage.domain.assignment import WardLookup
from services.triage.domain.wards import load_ward_names
from services.triage.handlers import TriageHandlers
from shared.clock import Clock, SystemClock
from shared.contracts.topics import TIPS_RECEIVED
from shared.runtime import ServiceRuntime


class Triage:
    """Triage's runtime and collaborators."""

    def __init__(
        self,
        settings: TriageSettings,
        *,
        clock: Clock | None = None,
        wards: WardLookup | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.handlers = TriageHandlers(wards=wards or load_ward_names(), clock=self.clock)
        self.runtime = ServiceRuntime(
            service="triage",
            settings=settings,
            consumer_topics=(TIPS_RECEIVED,),
            handlers=self.handlers.table(),
        )
