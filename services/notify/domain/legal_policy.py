"""The SLA policy as data (services/notify/data/deadlines.toml), with a stable version id."""

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from services.notify.domain.working_days import (
    WorkingCalendar,
    default_calendar,
    due_at,
    local_day,
    warning_times,
)

POLICY_FILE = Path(__file__).resolve().parents[1] / "data" / "deadlines.toml"
DEFAULT_WARNINGS = (0.5, 0.8)


@dataclass(frozen=True)
class Rule:
    """One line of the legal table."""

    kinds: tuple[str, ...]
    stages: tuple[str, ...]
    limit: float
    unit: str
    basis: str
    status: str
    priority: str | None = None
    anchor: str = "received"
    warn: tuple[float, ...] = DEFAULT_WARNINGS
    warn_days_before: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    extensions: tuple[dict[str, object], ...] = field(default_factory=tuple)

    def applies(self, kind: str, priority: str, stage: str, day: date) -> bool:
        return (
            kind in self.kinds
            and stage in self.stages
            and (self.priority is None or self.priority == priority)
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


class LegalPolicy:
    """Deadlines per kind, priority and stage, from the policy file."""

    def __init__(self, path: Path = POLICY_FILE, calendar: WorkingCalendar | None = None) -> None:
        raw = path.read_bytes()
        self.version = "legal-" + hashlib.sha256(raw).hexdigest()[:12]
        self.calendar = calendar or default_calendar()
        self.rules = [
            Rule(
                kinds=tuple(r["kinds"]),
                stages=tuple(r["stages"]),
                limit=r["limit"],
                unit=r["unit"],
                basis=r["basis"],
                status=r["status"],
                priority=r.get("priority"),
                anchor=r.get("anchor", "received"),
                warn=tuple(r.get("warn", DEFAULT_WARNINGS)),
                warn_days_before=r.get("warn_days_before"),
                valid_from=date.fromisoformat(r["from"]) if "from" in r else None,
                valid_until=date.fromisoformat(r["until"]) if "until" in r else None,
                extensions=tuple(r.get("extensions", ())),
            )
            for r in tomllib.loads(raw.decode("utf-8"))["rule"]
        ]

    def rule_for(self, *, kind: str, priority: str, stage: str, at: datetime) -> Rule:
        """The rule in force for a clock starting at `at` (the first match wins)."""
        day = local_day(at)
        for rule in self.rules:
            if rule.applies(kind, priority, stage, day):
                return rule
        raise LookupError(f"no SLA rule for {kind}/{priority}/{stage} on {day}")

    def anchor(self, *, kind: str, priority: str, stage: str, at: datetime) -> str:
        return self.rule_for(kind=kind, priority=priority, stage=stage, at=at).anchor

    def due(self, *, kind: str, priority: str, stage: str, start: datetime) -> datetime:
        rule = self.rule_for(kind=kind, priority=priority, stage=stage, at=start)
        return due_at(start, rule.limit, rule.unit, self.calendar)

    def warnings(
        self, *, kind: str, priority: str, stage: str, start: datetime, due: datetime
    ) -> list[datetime]:
        rule = self.rule_for(kind=kind, priority=priority, stage=stage, at=start)
        return warning_times(start, due, list(rule.warn), rule.warn_days_before)
