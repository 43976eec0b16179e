"""Classify a tip into a matter category from the rules file, with reasons an officer can read."""

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from shared.text import fold_words

RULES = Path(__file__).resolve().parents[1] / "data" / "classification_rules.toml"


def _originals(phrases: list[str]) -> dict[str, str]:
    """Folded phrase → the phrase as written in the rules file (shown in reasons)."""
    return {fold_words(p): p for p in phrases}


def _pattern(phrases: list[str]) -> re.Pattern[str]:
    """Whole-word, diacritics-insensitive alternation ("bán dâm" never hits inside a word)."""
    folded = sorted({fold_words(p) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(p) for p in folded) + r")(?!\w)")


@dataclass(frozen=True)
class Category:
    code: str
    vi: str
    en: str
    unit: str
    priority: str
    co_handlers: tuple[str, ...]
    weights: dict[str, float]
    pattern: re.Pattern[str]


@dataclass
class Classification:
    """What the classifier proposes; officers may correct it."""

    category: str
    label: str
    unit: str
    co_handlers: list[str]
    priority: str
    confidence: float
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    needs_manual_triage: bool = False
    names_officials_of: str | None = None


class Classifier:
    """Keyword rules with weights, compiled once."""

    def __init__(self, rules: dict) -> None:  # type: ignore[type-arg]
        self.threshold = float(rules.get("manual_triage_below", 0.35))
        self.categories = [
            Category(
                c["code"],
                c["vi"],
                c["en"],
                c["unit"],
                c.get("priority", "normal"),
                tuple(c.get("co_handlers", ())),
                {fold_words(k): float(v) for k, v in c["phrases"].items()},
                _pattern(list(c["phrases"])),
            )
            for c in rules["category"]
        ]
        self.urgent = _pattern(rules["urgent"])
        self.written = _originals(rules["urgent"])
        for c in rules["category"]:
            self.written.update(_originals(list(c["phrases"])))
        officials = rules["officials"]
        self.misconduct = _pattern(officials["misconduct"])
        self.officials = {
            unit: _pattern(phrases) for unit, phrases in officials.items() if unit != "misconduct"
        }

    @classmethod
    def load(cls, path: Path = RULES) -> "Classifier":
        return _load(path)

    def classify(self, text: str, kind: str, venue_name: str | None = None) -> Classification:
        folded = " " + fold_words(f"{text} {venue_name or ''}") + " "
        scores: dict[str, float] = {}
        hits: dict[str, list[str]] = {}
        for category in self.categories:
            found = sorted(set(category.pattern.findall(folded)))
            if found:
                scores[category.code] = sum(category.weights[f] for f in found)
                hits[category.code] = found
        names = self._names_officials(folded)
        if names and "official_misconduct" not in scores:
            scores["official_misconduct"] = 3.0
            hits["official_misconduct"] = ["cán bộ bị nêu tên + hành vi sai phạm"]
        urgent = sorted(set(self.urgent.findall(folded)))
        if not scores:
            fallback = "venue_activity" if kind.startswith("crime") else "prevention_request"
            category = self._by_code(fallback)
            return Classification(
                category.code,
                category.vi,
                category.unit,
                list(category.co_handlers),
                "urgent" if urgent else "normal",
                0.2,
                ["Không nhận ra lĩnh vực: cần phân loại thủ công"],
                {},
                True,
                names,
            )
        ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
        best, top = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        # Sure when the best is strong and clearly ahead of the runner-up.
        confidence = round(min(1.0, top / 4) * (top / (top + second)), 2)
        category = self._by_code(best)
        priority = "urgent" if urgent or category.priority == "urgent" else "normal"
        shown = lambda found: ", ".join(f"“{self.written.get(f, f)}”" for f in found)  # noqa: E731
        reasons = [f"{category.vi}: {shown(hits[best])}"]
        if urgent:
            reasons.append(f"Khẩn cấp: {shown(urgent)}")
        co_handlers = list(category.co_handlers)
        if "harm_reduction" in scores and "health_station" not in co_handlers:
            co_handlers.append("health_station")
        return Classification(
            category.code,
            category.vi,
            category.unit,
            co_handlers,
            priority,
            confidence,
            reasons,
            scores,
            confidence < self.threshold,
            names,
        )

    def _names_officials(self, folded: str) -> str | None:
        """The unit whose officials the tip accuses (named + a misconduct phrase), if any."""
        if not self.misconduct.search(folded):
            return None
        for unit, pattern in self.officials.items():
            if pattern.search(folded):
                return unit
        return None

    def _by_code(self, code: str) -> Category:
        return next(c for c in self.categories if c.code == code)


@cache
def _load(path: Path) -> Classifier:
    return Classifier(tomllib.loads(path.read_text(encoding="utf-8")))
