"""Topic names and partition counts; the one list the admin client creates."""

TIPS_RECEIVED = "tips.received"
TIPS_FOLLOWUPS = "tips.followups"
CASES_EVENTS = "cases.events"
SLA_EVENTS = "sla.events"

# Partitions bound how many consumer-group members can share the work; six lets
# triage and notify scale to six replicas each while keeping per-case order.
PARTITIONS: dict[str, int] = {
    TIPS_RECEIVED: 6,
    TIPS_FOLLOWUPS: 3,
    CASES_EVENTS: 6,
    SLA_EVENTS: 3,
}

DEAD_LETTER_PARTITIONS = 1


def dead_letter_topic(group: str) -> str:
    """Return the dead-letter topic of a consumer group (one per consumer)."""
    return f"{group}.dlt"
