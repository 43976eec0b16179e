"""Decide where a tip goes: ward, category, priority and the unit that leads."""

from dataclasses import dataclass, field
from typing import Protocol

from shared.contracts import TipReceivedV1

CRIME_KINDS = frozenset({"crime_denunciation", "crime_report"})


@dataclass(frozen=True)
class Assignment:
    """Triage's decision for one tip."""

    ward_code: str | None
    ward_name: str | None
    unit: str | None
    priority: str
    category: str
    reasons: list[str] = field(default_factory=list)


class WardLookup(Protocol):
    def name_of(self, ward_code: str) -> str | None: ...


def assign(tip: TipReceivedV1, *, wards: WardLookup) -> Assignment:
    """Apply the first routing rule: crimes to the ward police, the rest to culture-social."""
    ward_name = wards.name_of(tip.ward_code) if tip.ward_code else None
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
    )
