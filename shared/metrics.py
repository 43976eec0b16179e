"""Prometheus metrics every service exports, labelled by service."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_CONSUMED = Counter(
    "tinbao_events_consumed",
    "Events applied by a consumer (effect committed).",
    ["service", "consumer", "type"],
)
EVENTS_DUPLICATE = Counter(
    "tinbao_events_duplicate",
    "Redelivered events recognised by the inbox and skipped.",
    ["service", "consumer"],
)
EVENTS_DEAD_LETTERED = Counter(
    "tinbao_events_dead_lettered",
    "Messages parked on a dead-letter topic.",
    ["service", "consumer"],
)
CONSUMER_LAG = Gauge(
    "tinbao_consumer_lag",
    "Messages not yet processed per partition (high watermark minus position).",
    ["service", "consumer", "partition"],
)
OUTBOX_BACKLOG = Gauge(
    "tinbao_outbox_backlog",
    "Events stored in the outbox and not yet acknowledged by Kafka.",
    ["service"],
)
OUTBOX_PUBLISHED = Counter(
    "tinbao_outbox_published",
    "Events the relay published to Kafka.",
    ["service"],
)
RELAY_BATCH_SECONDS = Histogram(
    "tinbao_relay_batch_seconds",
    "Time to publish one outbox batch and delete it.",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
