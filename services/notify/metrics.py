"""Notify's metrics: SLA figures per ward, unit, kind and stage, sweeper health."""

from prometheus_client import Counter, Gauge, Histogram

SLA_LABELS = ["ward", "unit", "kind", "stage"]

SLA_OPEN = Gauge("tinbao_sla_open", "Stage clocks still running.", SLA_LABELS)
SLA_DUE = Gauge(
    "tinbao_sla_due", "Stage clocks whose deadline has passed or that are done.", SLA_LABELS
)
SLA_MET = Gauge("tinbao_sla_met", "Stages done by their deadline.", SLA_LABELS)
SLA_BREACHED = Gauge(
    "tinbao_sla_breached", "Stages done late or still open past their deadline.", SLA_LABELS
)
SLA_COMPLIANCE = Gauge(
    "tinbao_sla_compliance_ratio",
    "On-time share of the stages that are due (1 = the 100% target).",
    SLA_LABELS,
)
TIME_TO_STAGE = Histogram(
    "tinbao_sla_time_to_stage_seconds",
    "Time from a clock's start to its stage being done.",
    ["stage", "kind"],
    buckets=(3600, 6 * 3600, 24 * 3600, 3 * 86400, 7 * 86400, 15 * 86400, 30 * 86400, 60 * 86400),
)
SWEEPER_LAG = Gauge(
    "tinbao_sla_sweeper_lag_seconds",
    "How late the oldest unreported deadline is (0 when the sweeper keeps up).",
)
SWEEPS = Counter("tinbao_sla_sweeps", "Sweeper passes.")
SLA_EVENTS = Counter(
    "tinbao_sla_events_published", "SLA events published by the sweeper.", ["type"]
)
DELIVERIES = Counter(
    "tinbao_notify_deliveries", "Notification deliveries by outcome.", ["channel", "outcome"]
)
