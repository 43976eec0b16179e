"""Composition root of triage."""

from services.triage.config import TriageSettings
from services.triage.domain.assignment import Assigner, RuleAssigner
from services.triage.domain.jurisdiction import WardDirectory
from services.triage.handlers import TriageHandlers
from services.triage.usecases import Triage
from shared.clock import Clock, SystemClock
from shared.contracts.topics import SLA_EVENTS, TIPS_FOLLOWUPS, TIPS_RECEIVED
from shared.runtime import ServiceRuntime


def bootstrap(
    settings: TriageSettings, *, clock: Clock | None = None, assigner: Assigner | None = None
) -> Triage:
    """Build triage with real adapters (nothing connects until runtime.start())."""
    clock = clock or SystemClock()
    wards = WardDirectory.load()
    handlers = TriageHandlers(assigner=assigner or RuleAssigner(wards), clock=clock)
    runtime = ServiceRuntime(
        service="triage",
        settings=settings,
        consumer_topics=(TIPS_RECEIVED, TIPS_FOLLOWUPS, SLA_EVENTS),
        handlers=handlers.table(),
    )
    return Triage(settings, clock=clock, runtime=runtime, wards=wards)
