"""Event contracts: the only thing the services share."""

from shared.contracts.envelope import CloudEvent, EventData
from shared.contracts.events import EVENT_TYPES, CaseAssignedV1, TipReceivedV1

__all__ = ["EVENT_TYPES", "CaseAssignedV1", "CloudEvent", "EventData", "TipReceivedV1"]
