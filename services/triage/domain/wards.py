"""The shipped list of current (post-2025) wards, by code."""

import csv
from functools import cache
from pathlib import Path

WARDS_CSV = Path(__file__).resolve().parents[1] / "data" / "wards.csv"


class WardNames:
    """Ward code → official name."""

    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    def name_of(self, ward_code: str) -> str | None:
        return self._names.get(ward_code)


@cache
def load_ward_names() -> WardNames:
    """Load the ward list once per process."""
    with WARDS_CSV.open(encoding="utf-8") as file:
        return WardNames({row["ward_code"]: row["ward_name"] for row in csv.DictReader(file)})
