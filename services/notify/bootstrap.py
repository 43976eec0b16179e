"""Composition root of notify."""

from dataclasses import dataclass

from services.notify.config import NotifySettings
from services.notify.deliveries import DeliveryWorker
from services.notify.domain.clocks import ClockPlanner, DeadlinePolicy
from services.notify.handlers import NotifyHandlers
from services.notify.sla_metrics import SlaMetricsRefresher
from services.notify.sweeper import SlaSweeper
from shared.clock import Clock, SystemClock
from shared.contracts.topics import CASES_EVENTS
from shared.runtime import ServiceRuntime


@dataclass
class Notify:
    """Notify's runtime and collaborators."""

    settings: NotifySettings
    clock: Clock
    runtime: ServiceRuntime
    sweeper: SlaSweeper
    planner: ClockPlanner


def bootstrap(
    settings: NotifySettings,
    *,
    clock: Clock | None = None,
    policy: DeadlinePolicy | None = None,
    run_workers: bool = True,
) -> Notify:
    """Build notify with real adapters (nothing connects until runtime.start())."""
    clock = clock or SystemClock()
    planner = ClockPlanner(policy)
    runtime = ServiceRuntime(
        service="notify",
        settings=settings,
        consumer_topics=(CASES_EVENTS,),
        handlers=NotifyHandlers(planner=planner, settings=settings).table(),
    )
    sweeper = SlaSweeper(
        unit_of_work=runtime.unit_of_work,
        clock=clock,
        interval_seconds=settings.sweep_interval_seconds,
        settings=settings,
    )
    if run_workers:
        runtime.add_worker(sweeper)
        runtime.add_worker(DeliveryWorker(settings=settings, sessions=runtime.sessions))
        runtime.add_worker(
            SlaMetricsRefresher(
                sessions=runtime.sessions, interval_seconds=settings.metrics_interval_seconds
            )
        )
    return Notify(settings, clock, runtime, sweeper, planner)
