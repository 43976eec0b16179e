"""Triage's event handlers: one function each, one transaction each."""

import uuid
from datetime import datetime, timedelta

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from services.triage.db.tables import Case, CaseEvent, CaseTip, FollowUp
from services.triage.domain.assignment import Assigner, venue_key
from shared.clock import Clock
from shared.contracts import (
    CaseAssignedV1,
    CloudEvent,
    EventData,
    TipFollowUpAddedV1,
    TipReceivedV1,
)
from shared.contracts.events import (
    SlaBreachedV1,
    SlaClocksStartedV1,
    SlaEventData,
    SlaMetV1,
    SlaWarningV1,
)
from shared.db import UnitOfWork
from shared.errors import RetryLater

SOURCE = "/tinbao/triage"
# Tips about the same venue within this period join one case (cùng địa điểm, cùng thời gian).
DUPLICATE_WINDOW = timedelta(days=30)


async def publish(uow: UnitOfWork, event: EventData, *, at: datetime) -> None:
    """Queue an event in the outbox of the current transaction."""
    envelope = CloudEvent.wrap(event, source=SOURCE, time=at)
    await uow.add_event(
        envelope.id, topic=event.topic, key=event.partition_key(), payload=envelope.to_bytes()
    )


# Manual triage (ward or matter unclear) has its own deadline: a supervisor decides in a day.
MANUAL_TRIAGE_HOURS = 24


def provisional_due(
    priority: str, kind: str, received_at: datetime, *, manual: bool = False
) -> datetime:
    """Order the queue before notify's clocks report: manual triage, urgent, crimes: 24 h."""
    urgent = manual or priority == "urgent" or kind.startswith("crime")
    hours = MANUAL_TRIAGE_HOURS if urgent else 24 * 7
    return received_at + timedelta(hours=hours)


async def announce_assignment(uow: UnitOfWork, case: Case, tip: CaseTip, now: datetime) -> None:
    """Publish case.assigned for one tip of a case (new case, tip linked, split or merge)."""
    await publish(
        uow,
        CaseAssignedV1(
            case_id=str(case.id),
            tip_id=str(tip.tip_id),
            tracking_code=tip.tracking_code,
            kind=case.kind,
            ward_code=case.ward_code,
            ward_name=case.ward_name,
            unit=case.unit,
            priority=case.priority,
            category=case.category,
            received_at=tip.received_at,
            assigned_at=now,
            channel=tip.channel,
        ),
        at=now,
    )


_ALREADY_ASSIGNED = sa.text("SELECT EXISTS (SELECT 1 FROM triage.case_tips WHERE tip_id = :tip_id)")
# The venue lock and the already-assigned check share a round trip (each one costs more CPU
# than the work it carries). The open case is looked up in the next statement, whose snapshot
# is taken after the lock is held, so it sees a case another consumer has just opened.
_LOCK_VENUE_AND_CHECK = sa.text(
    "SELECT EXISTS (SELECT 1 FROM triage.case_tips WHERE tip_id = :tip_id) "
    "FROM (SELECT pg_advisory_xact_lock(hashtext(:key))) AS venue_lock"
)
_OPEN_CASE_AT_VENUE = sa.text(
    "SELECT id FROM triage.cases WHERE venue_key = :key AND status NOT IN ('handled', 'merged') "
    "AND opened_at >= :since ORDER BY opened_at LIMIT 1 FOR UPDATE"
)
_OPEN_CASE = sa.text(
    """
    WITH new_case AS (
        INSERT INTO triage.cases (id, kind, ward_code, ward_name, unit, co_handlers, priority,
            category, confidence, reasons, status, stage, sla_state, version, venue_key,
            next_due_at, opened_at, updated_at)
        VALUES (:case_id, :kind, :ward_code, :ward_name, :unit, CAST(:co_handlers AS text[]),
            :priority, :category, :confidence, CAST(:reasons AS jsonb), :status, 'received',
            'on_time', 1, :venue_key, :next_due_at, :now, :now)
    ), member AS (
        INSERT INTO triage.case_tips (tip_id, case_id, tracking_code, received_at, assigned_at,
            kind, channel, text, address, venue_name)
        VALUES (:tip_id, :case_id, :tracking_code, :received_at, :now, :kind, :channel, :text,
            :address, :venue_name)
    )
    INSERT INTO triage.case_events (case_id, version, action, detail, at)
    VALUES (:case_id, 1, 'opened', CAST(:detail AS jsonb), :now)
    """
)


def _open_case_params(case: Case, member: CaseTip, tip: TipReceivedV1) -> dict[str, object]:
    return {
        "case_id": case.id,
        "kind": case.kind,
        "ward_code": case.ward_code,
        "ward_name": case.ward_name,
        "unit": case.unit,
        "co_handlers": list(case.co_handlers),
        "priority": case.priority,
        "category": case.category,
        "confidence": case.confidence,
        "reasons": orjson.dumps(case.reasons).decode(),
        "status": case.status,
        "venue_key": case.venue_key,
        "next_due_at": case.next_due_at,
        "now": case.opened_at,
        "tip_id": member.tip_id,
        "tracking_code": member.tracking_code,
        "received_at": member.received_at,
        "channel": member.channel,
        "text": member.text,
        "address": member.address,
        "venue_name": member.venue_name,
        "detail": orjson.dumps(
            {"tracking_code": tip.tracking_code, "reasons": case.reasons}
        ).decode(),
    }


class TriageHandlers:
    """Handlers bound to triage's collaborators (assigner, clock)."""

    def __init__(self, *, assigner: Assigner, clock: Clock) -> None:
        self._assigner = assigner
        self._clock = clock

    async def on_tip_received(
        self, uow: UnitOfWork, tip: TipReceivedV1, envelope: CloudEvent
    ) -> None:
        """Open a case for a new tip (or join the open case about the same venue), announce it."""
        session = uow.session
        tip_id = uuid.UUID(tip.tip_id)
        decision = self._assigner.assign(tip)
        now = self._clock.now()
        key = venue_key(tip, decision.ward_code)
        case = None
        # Two consumers may see two tips about one venue at once: serialise per venue.
        assigned = await session.scalar(
            _ALREADY_ASSIGNED if key is None else _LOCK_VENUE_AND_CHECK,
            {"tip_id": tip_id, "key": key},
        )
        if assigned:
            return  # already assigned under another event id (e.g. a republished outbox row)
        if key is not None:
            case_id = await session.scalar(
                _OPEN_CASE_AT_VENUE, {"key": key, "since": now - DUPLICATE_WINDOW}
            )
            # Locked by the statement above; loaded only when the tip joins it (the rarer path).
            case = await session.get(Case, case_id) if case_id is not None else None
        member = CaseTip(
            tip_id=tip_id,
            case_id=case.id if case is not None else uuid.uuid4(),
            tracking_code=tip.tracking_code,
            received_at=tip.received_at,
            assigned_at=now,
            kind=tip.kind,
            channel=tip.channel,
            text=tip.text,
            address=tip.address,
            venue_name=tip.venue_name,
        )
        if case is None:
            case = Case(
                id=member.case_id,
                kind=tip.kind,
                ward_code=decision.ward_code,
                ward_name=decision.ward_name,
                unit=decision.unit,
                co_handlers=decision.co_handlers,
                priority=decision.priority,
                category=decision.category,
                confidence=decision.confidence,
                reasons=decision.reasons,
                status="manual_triage" if decision.needs_manual_triage else "assigned",
                venue_key=key,
                next_due_at=provisional_due(
                    decision.priority,
                    tip.kind,
                    tip.received_at,
                    manual=decision.needs_manual_triage,
                ),
                opened_at=now,
                updated_at=now,
            )
            # Most tips open a new case: one prebuilt statement instead of three ORM flushes,
            # which were most of triage's CPU per tip. The objects stay out of the session.
            await session.execute(_OPEN_CASE, _open_case_params(case, member, tip))
        else:
            case.version += 1
            case.updated_at = now
            if decision.priority == "urgent" and case.priority != "urgent":
                case.priority = "urgent"  # one urgent tip makes the whole case urgent
            session.add(member)
            session.add(
                CaseEvent(
                    case_id=case.id,
                    version=case.version,
                    action="tip_linked",
                    detail={"tracking_code": tip.tracking_code},
                    at=now,
                )
            )
            await session.flush()
        await announce_assignment(uow, case, member, now)

    async def on_followup_added(
        self, uow: UnitOfWork, event: TipFollowUpAddedV1, envelope: CloudEvent
    ) -> None:
        """Show the tipster's message to the officers of the case."""
        case_id = await uow.session.scalar(
            sa.select(CaseTip.case_id).where(CaseTip.tip_id == uuid.UUID(event.tip_id))
        )
        if case_id is None:
            raise RetryLater("follow-up for a tip not assigned yet")  # the tip comes first
        await uow.session.execute(
            pg.insert(FollowUp.__table__)
            .values(
                id=uuid.UUID(event.message_id),
                case_id=case_id,
                tip_id=uuid.UUID(event.tip_id),
                direction="from_tipster",
                text=event.text,
                in_reply_to=uuid.UUID(event.in_reply_to) if event.in_reply_to else None,
                at=event.added_at,
            )
            .on_conflict_do_nothing()
        )

    async def on_sla_event(
        self, uow: UnitOfWork, event: SlaEventData, envelope: CloudEvent
    ) -> None:
        """Keep the queue's urgency current: the case's nearest deadline and SLA state."""
        values: dict[str, object] = {"sla_state": event.case_sla_state}
        if event.case_next_due_at is not None:
            values["next_due_at"] = event.case_next_due_at
        await uow.session.execute(
            sa.update(Case).where(Case.id == uuid.UUID(event.case_id)).values(**values)
        )

    def table(self) -> dict[type, object]:
        sla = dict.fromkeys(
            (SlaClocksStartedV1, SlaWarningV1, SlaBreachedV1, SlaMetV1), self.on_sla_event
        )
        return {
            TipReceivedV1: self.on_tip_received,
            TipFollowUpAddedV1: self.on_followup_added,
            **sla,
        }
