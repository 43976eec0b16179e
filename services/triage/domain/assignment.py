"""Decide where a tip goes: ward, category, priority and the unit that leads."""

from dataclasses import dataclass, field
from typing import Protocol

from services.triage.domain.jurisdiction import Resolution
from shared.contracts import TipReceivedV1
from shared.text import fold_words

CRIME_KINDS = frozenset({"crime_denunciation", "crime_report"})


@dataclass(frozen=True)
class Assignment:
    """Triage's decision for one tip."""

    ward_code: str | None
    ward_name: str | None
    unit: str | None
    priority: str
    category: str
    co_handlers: list[str] = field(default_factory=list)
    confidence: float = 1.0
    reasons: list[str] = field(default_factory=list)
    needs_manual_triage: bool = False


class Assigner(Protocol):
    def assign(self, tip: TipReceivedV1) -> Assignment: ...


class WardResolver(Protocol):
    def resolve(
        self,
        address: str | None,
        ward_code: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        province_hint: str | None = None,
    ) -> "Resolution": ...


class RuleAssigner:
    """Resolve the ward, then route: crimes to the ward police, the rest to culture-social.

    Tips whose ward cannot be resolved go to the manual-triage pool.
    """

    def __init__(self, wards: WardResolver) -> None:
        self._wards = wards

    def assign(self, tip: TipReceivedV1) -> Assignment:
        place = self._wards.resolve(
            tip.address, ward_code=tip.ward_code, latitude=tip.latitude, longitude=tip.longitude
        )
        unit = "police" if tip.kind in CRIME_KINDS else "culture_social"
        route = (
            "Tố giác/tin báo tội phạm → Công an phường"
            if unit == "police"
            else "Phản ánh/kiến nghị → Phòng Văn hóa - Xã hội"
        )
        return Assignment(
            ward_code=place.ward.code if place.ward else None,
            ward_name=place.ward.name if place.ward else None,
            unit=unit,
            priority="normal",
            category="unclassified",
            confidence=place.confidence,
            reasons=[*place.reasons, route],
            needs_manual_triage=place.ward is None,
        )


def venue_key(tip: TipReceivedV1, ward_code: str | None) -> str | None:
    """Key that makes tips about one venue or address in one ward join one case."""
    place = tip.venue_name or tip.address
    if not place:
        return None
    return f"{ward_code or '?'}|{fold_words(place)}"
