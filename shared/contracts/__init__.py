"""Event contracts: the only thing the services share."""

from shared.contracts.envelope import CloudEvent, EventData
from shared.contracts.events import (
    EVENT_TYPES,
    CaseAssignedV1,
    CaseQuestionAskedV1,
    CaseReopenedV1,
    CaseStageCompletedV1,
    CaseTransferredV1,
    TipFollowUpAddedV1,
    TipReceivedV1,
)

__all__ = [
    "EVENT_TYPES",
    "CaseAssignedV1",
    "CaseQuestionAskedV1",
    "CaseReopenedV1",
    "CaseStageCompletedV1",
    "CaseTransferredV1",
    "CloudEvent",
    "EventData",
    "TipFollowUpAddedV1",
    "TipReceivedV1",
]
