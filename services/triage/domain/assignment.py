"""Decide where a tip goes: ward, category, priority and the unit that leads."""

from dataclasses import dataclass, field
from typing import Protocol

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


class WardLookup(Protocol):
    def name_of(self, ward_code: str) -> str | None: ...


class FirstRuleAssigner:
    """The first routing rule: crimes to the ward police, the rest to culture-social."""

    def __init__(self, wards: WardLookup) -> None:
        self._wards = wards

    def assign(self, tip: TipReceivedV1) -> Assignment:
        ward_name = self._wards.name_of(tip.ward_code) if tip.ward_code else None
        unit = "police" if tip.kind in CRIME_KINDS else "culture_social"
        return Assignment(
            ward_code=tip.ward_code if ward_name else None,
            ward_name=ward_name,
            unit=unit,
            priority="normal",
            category="unclassified",
            reasons=[
                "Tố giác/tin báo tội phạm → Công an phường"
                if unit == "police"
                else "Phản ánh/kiến nghị → Phòng Văn hóa - Xã hội"
            ],
            needs_manual_triage=ward_name is None,
        )


def venue_key(tip: TipReceivedV1, ward_code: str | None) -> str | None:
    """Key that makes tips about one venue or address in one ward join one case."""
    place = tip.venue_name or tip.address
    if not place:
        return None
    return f"{ward_code or '?'}|{fold_words(place)}"
