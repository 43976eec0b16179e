"""Route a classified tip to the unit that leads, its co-handlers, and its priority."""

from dataclasses import dataclass, field

from services.triage.domain.classifier import Classification

CRIME_KINDS = frozenset({"crime_denunciation", "crime_report"})
# Categories that are never for the police queue, whatever the tip's kind: people who sell sex
# asking for support, and health or harm reduction.
NEVER_POLICE = frozenset({"support_request", "harm_reduction"})


@dataclass(frozen=True)
class Routing:
    unit: str
    co_handlers: list[str] = field(default_factory=list)
    priority: str = "normal"
    escalated_to: str | None = None
    reasons: list[str] = field(default_factory=list)


def route(classification: Classification, kind: str) -> Routing:
    """Lead unit, co-handlers and priority, with the conflict-of-interest rule.

    A tip that accuses officials of a unit (bribes, protection, tip-offs) never lands in that
    unit's queue: it goes to the supervisor level (unit "supervisor"), and stays urgent if it was.
    """
    reasons = list(classification.reasons)
    named = classification.names_officials_of
    if named or classification.category == "official_misconduct":
        reasons.append(
            f"Tố cáo cán bộ ({named or 'không rõ đơn vị'}): chuyển lãnh đạo cơ quan quản lý, "
            "không giao cho đơn vị bị tố cáo"
        )
        return Routing("supervisor", [], classification.priority, "supervisor", reasons)
    unit = classification.unit
    if classification.category in NEVER_POLICE:
        unit = "culture_social"
    elif kind in CRIME_KINDS and unit == "culture_social" and classification.confidence < 0.5:
        unit = "police"  # a reported crime with no clear other matter: the police check it first
        reasons.append("Tố giác/tin báo tội phạm → Công an phường kiểm tra")
    return Routing(unit, classification.co_handlers, classification.priority, None, reasons)
