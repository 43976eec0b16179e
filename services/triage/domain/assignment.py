"""Decide where a tip goes: ward, category, priority and the unit that leads."""

from dataclasses import dataclass, field
from typing import Protocol

from services.triage.domain.classifier import Classifier
from services.triage.domain.jurisdiction import Resolution
from services.triage.domain.routing import route
from shared.contracts import TipReceivedV1
from shared.text import fold_words


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
    """Resolve the ward, classify the matter, route it (see routing.route for the rules).

    Tips whose ward cannot be resolved, or whose matter the rules cannot tell with enough
    confidence, go to the manual-triage pool.
    """

    def __init__(self, wards: WardResolver, classifier: Classifier | None = None) -> None:
        self._wards = wards
        self._classifier = classifier or Classifier.load()

    def assign(self, tip: TipReceivedV1) -> Assignment:
        place = self._wards.resolve(
            tip.address, ward_code=tip.ward_code, latitude=tip.latitude, longitude=tip.longitude
        )
        matter = self._classifier.classify(tip.text, tip.kind, tip.venue_name)
        routing = route(matter, tip.kind)
        return Assignment(
            ward_code=place.ward.code if place.ward else None,
            ward_name=place.ward.name if place.ward else None,
            unit=routing.unit,
            priority=routing.priority,
            category=matter.category,
            co_handlers=routing.co_handlers,
            confidence=matter.confidence,
            reasons=[*place.reasons, *routing.reasons],
            needs_manual_triage=place.ward is None or matter.needs_manual_triage,
        )


def venue_key(tip: TipReceivedV1, ward_code: str | None) -> str | None:
    """Key that makes tips about one venue or address in one ward join one case."""
    place = tip.venue_name or tip.address
    if not place:
        return None
    return f"{ward_code or '?'}|{fold_words(place)}"
