"""The case's life: which officer actions are allowed when, and what each one changes.

Pure rules, no I/O: the handler loads the case, calls `decide`, and stores what it returns
(the changes, the timeline entry and the events) in one transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shared.text import is_clean_text

Action = Literal[
    "claim",
    "verify",
    "classify",
    "handle",
    "transfer",
    "reopen",
    "note",
    "question",
    "extend",
    "suspend",
    "resume",
]

VERIFICATION_RESULTS = ("founded", "partly_founded", "unfounded", "cannot_verify")
CLASSIFICATIONS = (
    "criminal",  # hình sự → ward police record and transfer to the investigating agency
    "administrative_violation",  # vi phạm hành chính → sanction at ward level
    "social_support",  # hỗ trợ xã hội, giảm hại, hòa nhập cộng đồng
    "unfounded",  # không có căn cứ
    "outside_competence",  # không thuộc thẩm quyền → transfer
)
HANDLING_OUTCOMES = (
    "transferred_to_investigation",
    "prosecuted",
    "admin_sanction",
    "support_provided",
    "referred_to_health_station",
    "propaganda_organised",
    "no_violation",
    "answered",
)
OPEN_STATUSES = ("assigned", "claimed", "verified", "classified", "transferred", "manual_triage")
MAX_EXTENSION_DAYS = 60


class ActionRefused(Exception):
    """The action is not allowed for this case now; the message says why (vi / en) and, when
    one field is at fault, which."""

    def __init__(self, vietnamese: str, english: str, *, field: str | None = None) -> None:
        super().__init__(english)
        self.vietnamese = vietnamese
        self.english = english
        self.field = field


@dataclass(frozen=True)
class CaseView:
    """What the rules need to know about a case."""

    status: str
    stage: str
    unit: str | None
    ward_code: str | None
    classification: str | None
    verification: str | None
    assignee_id: str | None
    resume_status: str | None = None


@dataclass
class Decision:
    """What an action changes: new column values, the timeline detail, stage completed."""

    changes: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    completed_stage: str | None = None
    outcome: str | None = None
    publishes: bool = True


def _require(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ActionRefused(
            f"{name} phải là một trong: {', '.join(allowed)}.",
            f"{name} must be one of: {', '.join(allowed)}.",
            field=name,
        )
    return str(value)


def _text(payload: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    # Action bodies allow any JSON: a number, a list or a NUL here used to fail as a 500.
    raw = payload.get(name)
    if raw is not None and not isinstance(raw, str):
        raise ActionRefused(
            f"{name} phải là chuỗi văn bản.", f"{name} must be a text string.", field=name
        )
    value = (raw or "").strip()
    if not is_clean_text(value):
        raise ActionRefused(
            f"{name} có ký tự điều khiển hoặc ký tự Unicode không hợp lệ; hãy xoá chúng.",
            f"{name} contains control or invalid Unicode characters; remove them.",
            field=name,
        )
    if required and len(value) < 3:
        raise ActionRefused(
            f"Cần ghi {name} (ít nhất 3 ký tự).",
            f"{name} is required (at least 3 characters).",
            field=name,
        )
    return value or None


def decide(
    case: CaseView, action: Action, payload: dict[str, Any], *, actor_id: str, now: datetime
) -> Decision:
    """Check an officer action against the case's state and return what it changes."""
    closed = case.status == "handled"
    if closed and action not in {"reopen", "note"}:
        raise ActionRefused(
            "Vụ việc đã xử lý xong; hãy mở lại trước.", "The case is handled; reopen it first."
        )
    if action == "claim":
        return Decision(
            changes={
                "assignee_id": actor_id,
                "status": "claimed" if case.status == "assigned" else case.status,
            },
            detail={},
            publishes=False,
        )
    if action == "verify":
        result = _require(payload.get("result"), VERIFICATION_RESULTS, "result")
        return Decision(
            changes={
                "verification": result,
                "stage": _later(case.stage, "verified"),
                "status": "verified" if case.status in {"assigned", "claimed"} else case.status,
            },
            detail={"result": result, "summary": _text(payload, "summary")},
            completed_stage="verified",
            outcome=result,
        )
    if action == "classify":
        classification = _require(payload.get("classification"), CLASSIFICATIONS, "classification")
        return Decision(
            changes={
                "classification": classification,
                "stage": _later(case.stage, "classified"),
                "status": "classified",
            },
            detail={
                "classification": classification,
                "summary": _text(payload, "summary", required=False),
            },
            completed_stage="classified",
            outcome=classification,
        )
    if action == "handle":
        if case.classification is None:
            raise ActionRefused(
                "Cần phân loại trước khi ghi kết quả xử lý.",
                "Record the classification before the handling decision.",
            )
        outcome = _require(payload.get("outcome"), HANDLING_OUTCOMES, "outcome")
        return Decision(
            changes={"handling": outcome, "stage": "handled", "status": "handled"},
            detail={"outcome": outcome, "decision": _text(payload, "decision")},
            completed_stage="handled",
            outcome=outcome,
        )
    if action == "transfer":
        reason = _text(payload, "reason")
        to_unit, to_ward, to_agency = (
            payload.get("to_unit"),
            payload.get("to_ward_code") or None,  # empty: no ward, as before
            _text(payload, "to_agency", required=False),
        )
        if to_ward is not None and not (
            isinstance(to_ward, str)
            and len(to_ward) == 5
            and to_ward.isascii()
            and to_ward.isdigit()
        ):
            raise ActionRefused(
                "to_ward_code phải là mã phường/xã 5 chữ số, ví dụ 09562.",
                "to_ward_code must be a 5-digit ward code, e.g. 09562.",
                field="to_ward_code",
            )
        if not (to_unit or to_ward or to_agency):
            raise ActionRefused(
                "Chọn phường, đơn vị hoặc cơ quan nhận.",
                "Choose the ward, unit or agency to transfer to.",
            )
        if to_unit is not None:
            _require(
                to_unit, ("police", "culture_social", "health_station", "supervisor"), "to_unit"
            )
        changes: dict[str, Any] = {
            "assignee_id": None,
            "status": "transferred" if to_agency else "assigned",
        }
        if to_unit:
            changes["unit"] = to_unit
        if to_ward:
            changes["ward_code"] = to_ward
        return Decision(
            changes=changes,
            detail={
                "reason": reason,
                "to_unit": to_unit,
                "to_ward_code": to_ward,
                "to_agency": to_agency,
            },
        )
    if action == "reopen":
        if not closed:
            raise ActionRefused("Chỉ mở lại vụ việc đã xử lý.", "Only a handled case can reopen.")
        return Decision(
            changes={"status": "classified", "stage": "classified", "handling": None},
            detail={"reason": _text(payload, "reason")},
        )
    if action == "extend":
        stage = _require(payload.get("stage"), ("verified", "classified", "handled"), "stage")
        days = payload.get("days")
        # bool is an int in Python: `true` is no number of days.
        if type(days) is not int or not 1 <= days <= MAX_EXTENSION_DAYS:
            raise ActionRefused(
                f"days phải là số ngày từ 1 đến {MAX_EXTENSION_DAYS}.",
                f"days must be a whole number from 1 to {MAX_EXTENSION_DAYS}.",
                field="days",
            )
        return Decision(detail={"stage": stage, "days": days, "reason": _text(payload, "reason")})
    if action == "suspend":
        if case.status == "suspended":
            raise ActionRefused("Vụ việc đang tạm đình chỉ.", "The case is already suspended.")
        return Decision(
            changes={"status": "suspended", "resume_status": case.status},
            detail={"reason": _text(payload, "reason")},
        )
    if action == "resume":
        if case.status != "suspended":
            raise ActionRefused(
                "Chỉ phục hồi vụ việc đang tạm đình chỉ.", "Only a suspended case can resume."
            )
        return Decision(
            changes={"status": case.resume_status or "assigned", "resume_status": None},
            detail={"reason": _text(payload, "reason")},
        )
    if action == "note":
        return Decision(detail={"note": _text(payload, "note")}, publishes=False)
    if action == "question":
        return Decision(
            detail={"question": _text(payload, "text"), "tip_id": payload.get("tip_id")}
        )
    raise ActionRefused("Thao tác không tồn tại.", "Unknown action.")


_STAGE_ORDER = ("received", "verified", "classified", "handled")


def _later(current: str, new: str) -> str:
    """Stages may be recorded out of order (the law classifies first); keep the furthest."""
    return max(current, new, key=_STAGE_ORDER.index)
