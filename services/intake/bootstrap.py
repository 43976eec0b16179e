"""Composition root of intake: wires settings, clock, database, Kafka and the use cases."""

from services.intake import handlers
from services.intake.config import IntakeSettings
from services.intake.retention import RetentionWorker
from services.intake.usecases import Intake
from shared.clock import Clock, SystemClock
from shared.contracts.topics import CASES_EVENTS
from shared.runtime import ServiceRuntime


def bootstrap(settings: IntakeSettings, *, clock: Clock | None = None) -> Intake:
    """Build intake with real adapters (nothing connects until runtime.start())."""
    runtime = ServiceRuntime(
        service="intake",
        settings=settings,
        consumer_topics=(CASES_EVENTS,),
        handlers=handlers.HANDLERS,
    )
    clock = clock or SystemClock()
    runtime.add_worker(RetentionWorker(settings=settings, runtime=runtime, clock=clock))
    return Intake(settings, clock=clock, runtime=runtime)
