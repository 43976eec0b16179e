"""Triage's use cases for staff: sign-in, queues, case detail, actions, audit."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.triage.config import TriageSettings
from services.triage.db.tables import AuditEntry, Case, CaseEvent, CaseTip, FollowUp, User
from services.triage.domain.access import can_access_case
from services.triage.domain.case_rules import ActionRefused, CaseView, decide
from services.triage.domain.jurisdiction import WardDirectory
from services.triage.handlers import announce_assignment, publish
from services.triage.schemas import (
    CaseDetail,
    CasesRead,
    CaseSummary,
    FollowUpRead,
    TimelineEntryRead,
    TipRead,
)
from shared.auth import Principal, issue_token
from shared.clock import Clock
from shared.contracts import (
    CaseQuestionAskedV1,
    CaseReopenedV1,
    CaseStageCompletedV1,
    CaseTransferredV1,
)
from shared.contracts.events import CaseClockChangedV1, CaseMergedV1
from shared.problems import FieldError, Problem, Text, field_problem
from shared.runtime import ServiceRuntime
from shared.text import is_clean_text

CASE_NOT_FOUND = Problem(
    status=404,
    slug="case-not-found",
    title=Text("Không tìm thấy vụ việc", "Case not found"),
    detail=Text("Không có vụ việc này trong phạm vi của bạn.", "No such case in your scope."),
)
BAD_CREDENTIALS = Problem(
    status=401,
    slug="bad-credentials",
    title=Text("Sai tên đăng nhập hoặc mật khẩu", "Wrong username or password"),
    detail=Text("Kiểm tra lại tên đăng nhập và mật khẩu.", "Check the username and password."),
    headers={"WWW-Authenticate": "Bearer"},
)


def version_conflict(current: int) -> Problem:
    return Problem(
        status=409,
        slug="version-conflict",
        title=Text("Vụ việc vừa được người khác cập nhật", "The case changed meanwhile"),
        detail=Text(
            f"Phiên bản hiện tại là {current}. Hãy tải lại vụ việc rồi thao tác lại.",
            f"The current version is {current}. Reload the case and try again.",
        ),
    )


def refused(error: ActionRefused) -> Problem:
    message = Text(error.vietnamese, error.english)
    return Problem(
        status=422,
        slug="action-refused",
        title=Text("Thao tác không hợp lệ", "Action not allowed"),
        detail=message,
        errors=[FieldError(error.field, message)] if error.field else [],
    )


class Triage:
    """Staff-facing use cases over triage's runtime."""

    def __init__(
        self,
        settings: TriageSettings,
        *,
        clock: Clock,
        runtime: ServiceRuntime,
        wards: WardDirectory,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.runtime = runtime
        self.wards = wards
        self.passwords = PasswordHasher(
            time_cost=settings.password_hash_time_cost,
            memory_cost=settings.password_hash_memory_kib,
        )

    # Staff -----------------------------------------------------------------------------

    async def create_user(
        self,
        *,
        username: str,
        password: str,
        full_name: str,
        role: str,
        ward_code: str | None,
        unit: str | None,
    ) -> User:
        """Create (or replace the password and scope of) a staff account."""
        password_hash = await asyncio.to_thread(self.passwords.hash, password)
        async with self.runtime.sessions() as session:
            user = await session.scalar(sa.select(User).where(User.username == username))
            if user is None:
                user = User(
                    username=username,
                    password_hash=password_hash,
                    full_name=full_name,
                    role=role,
                    ward_code=ward_code,
                    unit=unit,
                    created_at=self.clock.now(),
                )
                session.add(user)
            else:
                user.password_hash, user.full_name, user.role = password_hash, full_name, role
                user.ward_code, user.unit, user.active = ward_code, unit, True
            await session.commit()
            return user

    async def sign_in(self, username: str, password: str) -> tuple[str, Principal]:
        """Check a password and issue a bearer token."""
        if not is_clean_text(username):  # a NUL would fail the lookup as a 500
            raise field_problem(
                "username",
                Text(
                    "Tên đăng nhập có ký tự không hợp lệ.", "The username has invalid characters."
                ),
            )
        async with self.runtime.sessions() as session:
            user = await session.scalar(
                sa.select(User).where(User.username == username, User.active.is_(True))
            )
        try:
            # An unknown user costs the same time as a wrong password.
            stored = user.password_hash if user else self.passwords.hash("decoy")
            await asyncio.to_thread(self.passwords.verify, stored, password)
        except VerificationError:
            raise BAD_CREDENTIALS from None
        if user is None:
            raise BAD_CREDENTIALS
        principal = Principal(str(user.id), user.role, user.ward_code, user.unit)
        token = issue_token(
            principal,
            secret=self.settings.auth_secret,
            ttl=timedelta(minutes=self.settings.token_minutes),
        )
        return token, principal

    # Queues and cases ---------------------------------------------------------------

    def _scope(self, principal: Principal) -> list[Any]:
        if principal.role == "supervisor":
            return [sa.or_(Case.ward_code == principal.ward_code, Case.ward_code.is_(None))]
        return [
            Case.ward_code == principal.ward_code,
            Case.unit != "supervisor",
            sa.or_(Case.unit == principal.unit, Case.co_handlers.any(principal.unit)),
        ]

    async def queue(
        self,
        principal: Principal,
        *,
        status: str | None,
        priority: str | None,
        category: str | None,
        include_handled: bool,
        limit: int,
        offset: int,
    ) -> CasesRead:
        """The caller's queue: urgent first, then the nearest deadline, then the oldest."""
        conditions = self._scope(principal)
        if not include_handled:
            conditions.append(Case.status.not_in(("handled", "merged")))
        for column, value in (
            (Case.status, status),
            (Case.priority, priority),
            (Case.category, category),
        ):
            if value:
                conditions.append(column == value)
        codes = (
            sa.select(sa.func.array_agg(sa.func.distinct(CaseTip.tracking_code)))
            .where(CaseTip.case_id == Case.id)
            .scalar_subquery()
        )
        query = (
            sa.select(Case, codes.label("codes"))
            .where(*conditions)
            .order_by(
                (Case.priority == "urgent").desc(),
                Case.next_due_at.asc().nulls_last(),
                Case.opened_at,
            )
            .limit(limit)
            .offset(offset)
        )
        async with self.runtime.sessions() as session:
            total = await session.scalar(
                sa.select(sa.func.count()).select_from(Case).where(*conditions)
            )
            rows = (await session.execute(query)).all()
        return CasesRead(
            data=[self._summary(case, sorted(c or [])) for case, c in rows], count=total or 0
        )

    @staticmethod
    def _summary(case: Case, codes: list[str]) -> CaseSummary:
        return CaseSummary(
            id=str(case.id),
            kind=case.kind,
            category=case.category,
            priority=case.priority,
            unit=case.unit,
            co_handlers=list(case.co_handlers or []),
            ward_code=case.ward_code,
            ward_name=case.ward_name,
            status=case.status,
            stage=case.stage,
            sla_state=case.sla_state,
            next_due_at=case.next_due_at,
            opened_at=case.opened_at,
            version=case.version,
            tip_count=len(codes),
            tracking_codes=codes,
        )

    async def _load(
        self,
        session: AsyncSession,
        principal: Principal,
        case_id: uuid.UUID,
        *,
        for_update: bool = False,
    ) -> Case:
        query = sa.select(Case).where(Case.id == case_id)
        if for_update:
            query = query.with_for_update()
        case = await session.scalar(query)
        if case is None or not can_access_case(
            principal, ward_code=case.ward_code, unit=case.unit, co_handlers=case.co_handlers
        ):
            raise CASE_NOT_FOUND  # others' cases are indistinguishable from missing ones
        return case

    async def case_id_for_code(self, tracking_code: str) -> uuid.UUID | None:
        async with self.runtime.sessions() as session:
            return await session.scalar(
                sa.select(CaseTip.case_id).where(CaseTip.tracking_code == tracking_code)
            )

    async def tip_id_for_code(self, tracking_code: str) -> uuid.UUID | None:
        async with self.runtime.sessions() as session:
            return await session.scalar(
                sa.select(CaseTip.tip_id).where(CaseTip.tracking_code == tracking_code)
            )

    async def detail(self, principal: Principal, case_id: uuid.UUID) -> CaseDetail:
        """A case with its tips (personal data: the read is audited)."""
        async with self.runtime.sessions() as session:
            case = await self._load(session, principal, case_id)
            tips = list(
                await session.scalars(
                    sa.select(CaseTip)
                    .where(CaseTip.case_id == case.id)
                    .order_by(CaseTip.received_at)
                )
            )
            events = list(
                await session.scalars(
                    sa.select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
                )
            )
            followups = list(
                await session.scalars(
                    sa.select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.at)
                )
            )
            session.add(
                self._audit(
                    principal, "read_case", case.id, {"tips": [t.tracking_code for t in tips]}
                )
            )
            await session.commit()
        codes = {t.tip_id: t.tracking_code for t in tips}
        summary = self._summary(case, sorted(codes.values()))
        return CaseDetail(
            **summary.model_dump(),
            confidence=case.confidence,
            reasons=list(case.reasons or []),
            verification=case.verification,
            classification=case.classification,
            handling=case.handling,
            assignee_id=str(case.assignee_id) if case.assignee_id else None,
            tips=[TipRead.model_validate(t) for t in tips],
            timeline=[TimelineEntryRead.model_validate(e) for e in events],
            followups=[
                FollowUpRead(
                    id=str(f.id),
                    tracking_code=codes.get(f.tip_id),
                    direction=f.direction,
                    text=f.text,
                    in_reply_to=str(f.in_reply_to) if f.in_reply_to else None,
                    at=f.at,
                )
                for f in followups
            ],
        )

    def _audit(
        self, principal: Principal, action: str, case_id: uuid.UUID | None, detail: dict[str, Any]
    ) -> AuditEntry:
        return AuditEntry(
            at=self.clock.now(),
            actor_id=principal.user_id,
            actor_role=principal.role,
            action=action,
            case_id=case_id,
            detail=detail,
        )

    async def act(
        self,
        principal: Principal,
        case_id: uuid.UUID,
        action: str,
        payload: dict[str, Any],
        expected_version: int,
    ) -> None:
        """Apply an officer action: one transaction for the change, timeline, audit, events."""
        now = self.clock.now()
        async with self.runtime.unit_of_work() as uow:
            session = uow.session
            case = await self._load(session, principal, case_id, for_update=True)
            if case.version != expected_version:
                raise version_conflict(case.version)
            view = CaseView(
                status=case.status,
                stage=case.stage,
                unit=case.unit,
                ward_code=case.ward_code,
                classification=case.classification,
                verification=case.verification,
                assignee_id=str(case.assignee_id) if case.assignee_id else None,
                resume_status=case.resume_status,
            )
            try:
                decision = decide(view, action, payload, actor_id=principal.user_id, now=now)
            except ActionRefused as error:
                raise refused(error) from None
            tips = list(await session.scalars(sa.select(CaseTip).where(CaseTip.case_id == case.id)))
            tip_ids = [str(t.tip_id) for t in tips]
            if action == "question":
                asked_tip = payload.get("tip_id") or tip_ids[0]
                if asked_tip not in tip_ids:
                    raise refused(
                        ActionRefused(
                            "tip_id không thuộc vụ việc này.", "tip_id is not a tip of this case."
                        )
                    )
                decision.detail["tip_id"] = asked_tip
            if action == "transfer" and decision.changes.get("ward_code"):
                ward_name = self.wards.name_of(decision.changes["ward_code"])
                if ward_name is None:
                    # A case moved to a code no ward has would vanish from every queue.
                    raise refused(
                        ActionRefused(
                            "to_ward_code không có trong danh mục phường/xã.",
                            "to_ward_code is not the code of any ward.",
                            field="to_ward_code",
                        )
                    )
                decision.changes["ward_name"] = ward_name
            for column, value in decision.changes.items():
                setattr(
                    case, column, uuid.UUID(value) if column == "assignee_id" and value else value
                )
            case.version += 1
            case.updated_at = now
            session.add(
                CaseEvent(
                    case_id=case.id,
                    version=case.version,
                    action=action,
                    actor_id=uuid.UUID(principal.user_id),
                    actor_role=principal.role,
                    detail=decision.detail,
                    at=now,
                )
            )
            session.add(
                self._audit(principal, f"case_{action}", case.id, {"version": case.version})
            )
            await self._publish_action(uow, case, action, decision, tip_ids, now)
            await uow.commit()

    async def _publish_action(
        self, uow, case: Case, action: str, decision, tip_ids: list[str], now
    ) -> None:  # type: ignore[no-untyped-def]
        if decision.completed_stage:
            await publish(
                uow,
                CaseStageCompletedV1(
                    case_id=str(case.id),
                    version=case.version,
                    stage=decision.completed_stage,
                    outcome=decision.outcome or "",
                    kind=case.kind,
                    priority=case.priority,
                    unit=case.unit,
                    ward_code=case.ward_code,
                    tip_ids=tip_ids,
                    completed_at=now,
                ),
                at=now,
            )
        elif action == "transfer":
            detail = decision.detail
            await publish(
                uow,
                CaseTransferredV1(
                    case_id=str(case.id),
                    version=case.version,
                    to_ward_code=detail["to_ward_code"],
                    to_ward_name=case.ward_name if detail["to_ward_code"] else None,
                    to_unit=detail["to_unit"],
                    to_agency=detail["to_agency"],
                    reason=detail["reason"],
                    tip_ids=tip_ids,
                    transferred_at=now,
                ),
                at=now,
            )
        elif action in {"extend", "suspend", "resume"}:
            change = {"extend": "extended", "suspend": "suspended", "resume": "resumed"}[action]
            await publish(
                uow,
                CaseClockChangedV1(
                    case_id=str(case.id),
                    version=case.version,
                    change=change,
                    stage=decision.detail.get("stage"),
                    days=decision.detail.get("days"),
                    reason=decision.detail["reason"],
                    kind=case.kind,
                    tip_ids=tip_ids,
                    at=now,
                ),
                at=now,
            )
        elif action == "reopen":
            await publish(
                uow,
                CaseReopenedV1(
                    case_id=str(case.id),
                    version=case.version,
                    reason=decision.detail["reason"],
                    tip_ids=tip_ids,
                    reopened_at=now,
                ),
                at=now,
            )
        elif action == "question":
            question_id = uuid.uuid4()
            uow.session.add(
                FollowUp(
                    id=question_id,
                    case_id=case.id,
                    tip_id=uuid.UUID(decision.detail["tip_id"]),
                    direction="to_tipster",
                    text=decision.detail["question"],
                    at=now,
                )
            )
            await publish(
                uow,
                CaseQuestionAskedV1(
                    case_id=str(case.id),
                    tip_id=decision.detail["tip_id"],
                    question_id=str(question_id),
                    text=decision.detail["question"],
                    asked_at=now,
                ),
                at=now,
            )

    async def split(
        self, principal: Principal, case_id: uuid.UUID, tip_id: uuid.UUID, expected_version: int
    ) -> uuid.UUID:
        """Move one tip out of a case into a new case of its own; return the new case id."""
        now = self.clock.now()
        async with self.runtime.unit_of_work() as uow:
            session = uow.session
            case = await self._load(session, principal, case_id, for_update=True)
            if case.version != expected_version:
                raise version_conflict(case.version)
            tips = list(await session.scalars(sa.select(CaseTip).where(CaseTip.case_id == case.id)))
            moved = next((t for t in tips if t.tip_id == tip_id), None)
            if moved is None or len(tips) < 2:
                raise refused(
                    ActionRefused(
                        "Chỉ tách được một tin khỏi vụ việc có nhiều tin.",
                        "Only a tip of a case with several tips can split.",
                    )
                )
            new = Case(
                kind=moved.kind or case.kind,
                ward_code=case.ward_code,
                ward_name=case.ward_name,
                unit=case.unit,
                co_handlers=case.co_handlers,
                priority=case.priority,
                category=case.category,
                confidence=case.confidence,
                reasons=case.reasons,
                status="assigned",
                next_due_at=case.next_due_at,
                opened_at=now,
                updated_at=now,
            )
            session.add(new)
            await session.flush()
            moved.case_id = new.id
            case.version += 1
            case.updated_at = now
            actor = uuid.UUID(principal.user_id)
            session.add_all(
                [
                    CaseEvent(
                        case_id=case.id,
                        version=case.version,
                        action="split",
                        actor_id=actor,
                        actor_role=principal.role,
                        detail={"tracking_code": moved.tracking_code, "new_case_id": str(new.id)},
                        at=now,
                    ),
                    CaseEvent(
                        case_id=new.id,
                        version=1,
                        action="split_from",
                        actor_id=actor,
                        actor_role=principal.role,
                        detail={"from_case_id": str(case.id)},
                        at=now,
                    ),
                    self._audit(principal, "case_split", case.id, {"new_case_id": str(new.id)}),
                ]
            )
            await announce_assignment(uow, new, moved, now)
            await uow.commit()
        return new.id

    async def merge(
        self, principal: Principal, case_id: uuid.UUID, other_id: uuid.UUID, expected_version: int
    ) -> None:
        """Merge a duplicate case into this one: its tips move here, it stops counting."""
        now = self.clock.now()
        async with self.runtime.unit_of_work() as uow:
            session = uow.session
            # Lock both rows in id order so that two opposite merges cannot deadlock.
            for locked in sorted((case_id, other_id)):
                await self._load(session, principal, locked, for_update=True)
            case = await self._load(session, principal, case_id)
            other = await self._load(session, principal, other_id)
            if case.version != expected_version:
                raise version_conflict(case.version)
            # Checked after the scope checks, so that a case outside one's scope stays a 404.
            if other_id == case_id:
                raise refused(
                    ActionRefused(
                        "Không thể gộp vụ việc với chính nó.", "A case cannot merge with itself."
                    )
                )
            if "merged" in (case.status, other.status) or "handled" in (case.status, other.status):
                raise refused(
                    ActionRefused("Chỉ gộp các vụ việc đang xử lý.", "Only open cases can merge.")
                )
            moved = list(
                await session.scalars(sa.select(CaseTip).where(CaseTip.case_id == other.id))
            )
            for tip in moved:
                tip.case_id = case.id
            other.status, other.merged_into = "merged", case.id
            other.version += 1
            case.version += 1
            case.updated_at = other.updated_at = now
            if other.priority == "urgent":
                case.priority = "urgent"
            actor = uuid.UUID(principal.user_id)
            codes = [t.tracking_code for t in moved]
            session.add_all(
                [
                    CaseEvent(
                        case_id=case.id,
                        version=case.version,
                        action="merged_in",
                        actor_id=actor,
                        actor_role=principal.role,
                        detail={"from_case_id": str(other.id), "tracking_codes": codes},
                        at=now,
                    ),
                    CaseEvent(
                        case_id=other.id,
                        version=other.version,
                        action="merged_into",
                        actor_id=actor,
                        actor_role=principal.role,
                        detail={"case_id": str(case.id)},
                        at=now,
                    ),
                    self._audit(principal, "case_merge", case.id, {"from_case_id": str(other.id)}),
                ]
            )
            await publish(
                uow,
                CaseMergedV1(
                    case_id=str(other.id),
                    merged_into=str(case.id),
                    tip_ids=[str(t.tip_id) for t in moved],
                    merged_at=now,
                ),
                at=now,
            )
            for tip in moved:
                await announce_assignment(uow, case, tip, now)
            await uow.commit()

    async def audit_log(
        self, principal: Principal, *, case_id: uuid.UUID | None, limit: int
    ) -> list[AuditEntry]:
        """Audit entries (auditors everywhere, supervisors for their ward's cases)."""
        query = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if case_id:
            query = query.where(AuditEntry.case_id == case_id)
        if principal.role == "supervisor":
            query = query.join(Case, Case.id == AuditEntry.case_id).where(
                Case.ward_code == principal.ward_code
            )
        async with self.runtime.sessions() as session:
            return list(await session.scalars(query))
