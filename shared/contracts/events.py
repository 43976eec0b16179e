"""Versioned event payloads shared by the services (past tense, one class per version)."""

from datetime import datetime
from typing import Literal

from shared.contracts.envelope import EventData
from shared.contracts.topics import CASES_EVENTS, SLA_EVENTS, TIPS_FOLLOWUPS, TIPS_RECEIVED

TipKind = Literal[
    "crime_denunciation",
    "crime_report",
    "denunciation",
    "complaint",
    "petition",
    "feedback",
]
Channel = Literal["web", "api", "hotline", "sms", "open311"]
# "supervisor": the managing agency's head, for accusations against a unit's own officers.
Unit = Literal["police", "culture_social", "health_station", "supervisor"]
Priority = Literal["urgent", "normal"]


class TipReceivedV1(EventData):
    """A tip was registered by intake (tiếp nhận) and has a tracking code."""

    event_type = "vn.tinbao.tip.received.v1"
    topic = TIPS_RECEIVED

    tip_id: str
    tracking_code: str
    kind: TipKind
    channel: Channel
    text: str
    address: str | None = None
    ward_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    venue_name: str | None = None
    occurred_at: datetime | None = None
    received_at: datetime
    is_anonymous: bool = True

    def partition_key(self) -> str:
        return self.tracking_code


class CaseAssignedV1(EventData):
    """Triage opened or joined a case for a tip and assigned it to a unit of a ward."""

    event_type = "vn.tinbao.case.assigned.v1"
    topic = CASES_EVENTS

    case_id: str
    tip_id: str
    tracking_code: str
    kind: TipKind
    ward_code: str | None
    ward_name: str | None
    unit: Unit | None
    priority: Priority
    category: str
    received_at: datetime
    assigned_at: datetime
    # Added later (additive, so still v1): how the tip came in.
    channel: Channel | None = None

    def partition_key(self) -> str:
        return self.case_id


class TipFollowUpAddedV1(EventData):
    """The tipster added information or answered a question (anonymously, through intake)."""

    event_type = "vn.tinbao.tip.followup_added.v1"
    topic = TIPS_FOLLOWUPS

    tip_id: str
    tracking_code: str
    message_id: str
    text: str
    in_reply_to: str | None = None
    added_at: datetime

    def partition_key(self) -> str:
        return self.tracking_code


class CaseQuestionAskedV1(EventData):
    """The handling unit asked the tipster of one tip a question."""

    event_type = "vn.tinbao.case.question_asked.v1"
    topic = CASES_EVENTS

    case_id: str
    tip_id: str
    question_id: str
    text: str
    asked_at: datetime

    def partition_key(self) -> str:
        return self.case_id


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.event_type: cls
    for cls in (TipReceivedV1, CaseAssignedV1, TipFollowUpAddedV1, CaseQuestionAskedV1)
}


Stage = Literal["received", "verified", "classified", "handled"]


class CaseStageCompletedV1(EventData):
    """An officer recorded a stage: verified (xác minh), classified (phân loại), handled (xử lý)."""

    event_type = "vn.tinbao.case.stage_completed.v1"
    topic = CASES_EVENTS

    case_id: str
    version: int
    stage: Stage
    outcome: str
    kind: TipKind
    priority: Priority
    unit: Unit | None
    ward_code: str | None
    tip_ids: list[str]
    completed_at: datetime

    def partition_key(self) -> str:
        return self.case_id


class CaseTransferredV1(EventData):
    """The case moved to another ward, unit or an outside agency (chuyển)."""

    event_type = "vn.tinbao.case.transferred.v1"
    topic = CASES_EVENTS

    case_id: str
    version: int
    to_ward_code: str | None
    to_ward_name: str | None
    to_unit: str | None
    to_agency: str | None
    reason: str
    tip_ids: list[str]
    transferred_at: datetime

    def partition_key(self) -> str:
        return self.case_id


class CaseReopenedV1(EventData):
    """A handled case was reopened; its handled stage runs again."""

    event_type = "vn.tinbao.case.reopened.v1"
    topic = CASES_EVENTS

    case_id: str
    version: int
    reason: str
    tip_ids: list[str]
    reopened_at: datetime

    def partition_key(self) -> str:
        return self.case_id


EVENT_TYPES.update(
    {cls.event_type: cls for cls in (CaseStageCompletedV1, CaseTransferredV1, CaseReopenedV1)}
)


SlaState = Literal["on_time", "warning", "breached"]


class SlaEventData(EventData):
    """Common fields of the SLA events notify publishes on sla.events."""

    topic = SLA_EVENTS

    case_id: str
    stage: Stage
    kind: TipKind
    ward_code: str | None
    unit: Unit | None
    due_at: datetime
    # The case as a whole after this event: its nearest open deadline and its worst state.
    case_next_due_at: datetime | None
    case_sla_state: SlaState

    def partition_key(self) -> str:
        return self.case_id


class SlaClocksStartedV1(SlaEventData):
    """The stage clocks of a case started; `due_at` is the earliest of them."""

    event_type = "vn.tinbao.sla.clocks_started.v1"
    policy_version: str


class SlaWarningV1(SlaEventData):
    """A stage deadline is near (sắp đến hạn): at 50% or 80% of the budget, or 5 days before."""

    event_type = "vn.tinbao.sla.warning.v1"
    level: str


class SlaBreachedV1(SlaEventData):
    """A stage deadline passed before the stage was done (quá hạn)."""

    event_type = "vn.tinbao.sla.breached.v1"
    detected_at: datetime


class SlaMetV1(SlaEventData):
    """A stage was done by its deadline (trong hạn)."""

    event_type = "vn.tinbao.sla.met.v1"
    completed_at: datetime


EVENT_TYPES.update(
    {cls.event_type: cls for cls in (SlaClocksStartedV1, SlaWarningV1, SlaBreachedV1, SlaMetV1)}
)


class CaseMergedV1(EventData):
    """An officer merged a duplicate case into another; its tips now belong to the target."""

    event_type = "vn.tinbao.case.merged.v1"
    topic = CASES_EVENTS

    case_id: str
    merged_into: str
    tip_ids: list[str]
    merged_at: datetime

    def partition_key(self) -> str:
        return self.case_id


EVENT_TYPES[CaseMergedV1.event_type] = CaseMergedV1


class CaseClockChangedV1(EventData):
    """An officer extended a deadline (gia hạn), or suspended / resumed the case (tạm đình chỉ /
    phục hồi), with a written reason; notify moves the clocks, intake tells the tipster."""

    event_type = "vn.tinbao.case.clock_changed.v1"
    topic = CASES_EVENTS

    case_id: str
    version: int
    change: Literal["extended", "suspended", "resumed"]
    stage: Stage | None = None
    days: int | None = None
    reason: str
    kind: TipKind
    tip_ids: list[str]
    at: datetime

    def partition_key(self) -> str:
        return self.case_id


EVENT_TYPES[CaseClockChangedV1.event_type] = CaseClockChangedV1
