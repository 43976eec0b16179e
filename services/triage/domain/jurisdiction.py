"""Which ward a tip belongs to: from a ward code, free address text, or coordinates.

The ward list is the post-2025 one (34 provinces, 3,321 wards and communes) extracted from the
MIT-licensed `vietnamadminunits` dataset (see data/WARDS_SOURCE.md). Addresses are matched
without regard to diacritics, case or tone placement, with the abbreviations people write
("P.", "Q.", "TP.", "F" for phường in Sài Gòn) and old district names, which resolve through the
old → new mapping. An ambiguous name is never guessed: it is returned unresolved with candidates.
"""

import csv
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from shared.text import fold_words

DATA = Path(__file__).resolve().parents[1] / "data"

# Abbreviations → full folded words (applied to whole tokens).
_ABBREVIATIONS = {
    "p": "phuong",
    "ph": "phuong",
    "f": "phuong",
    "x": "xa",
    "q": "quan",
    "h": "huyen",
    "tp": "thanh pho",
    "tx": "thi xa",
    "tt": "thi tran",
    "hcm": "ho chi minh",
    "tphcm": "thanh pho ho chi minh",
    "hn": "ha noi",
    "sg": "sai gon",
}
# Names people use for a province that the dataset does not list.
_PROVINCE_ALIASES = {"79": ("sai gon", "ho chi minh"), "01": ("ha noi", "hanoi")}
_NUMBERED = re.compile(r"\b(phuong|quan|p|q|f)(\d{1,2})\b")
WARD_WORDS = ("phuong", "xa", "dac khu", "thi tran")
DISTRICT_WORDS = ("quan", "huyen", "thi xa", "thanh pho")


@dataclass(frozen=True)
class Ward:
    code: str
    name: str
    short: str
    province_code: str
    province_name: str
    latitude: float | None
    longitude: float | None


@dataclass
class Resolution:
    """The ward found (or None), how sure, by which method, and why (shown to officers)."""

    ward: Ward | None
    confidence: float
    method: str
    reasons: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Fold, expand abbreviations and split numbered units ("p12" → "phuong 12")."""
    folded = _NUMBERED.sub(lambda m: f"{m.group(1)} {m.group(2)}", fold_words(text))
    words = [_ABBREVIATIONS.get(word, word) for word in folded.split()]
    return " " + " ".join(words) + " "


class WardDirectory:
    """The ward list with indexes for resolving addresses."""

    def __init__(
        self,
        wards: list[Ward],
        province_names: dict[str, set[str]],
        legacy: dict[tuple[str, str, str], list[tuple[str, bool]]],
    ) -> None:
        self._by_code = {w.code: w for w in wards}
        self._by_short: dict[str, list[Ward]] = defaultdict(list)
        for ward in wards:
            self._by_short[fold_words(ward.short)].append(ward)
        self._provinces = province_names
        self._legacy = legacy
        self._legacy_wards: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for province, district, ward in legacy:
            self._legacy_wards[ward].add((province, district))

    @classmethod
    def load(cls) -> "WardDirectory":
        return _load()

    def by_code(self, code: str) -> Ward | None:
        return self._by_code.get(code)

    def name_of(self, code: str) -> str | None:
        ward = self._by_code.get(code)
        return ward.name if ward else None

    def _province_in(self, text: str, hint: str | None) -> str | None:
        if hint:
            text = text + normalise(hint)
        # The longest matching name wins: "Nguyễn Huệ" (a street) must not make it Huế province.
        matches = [
            (len(name), code)
            for code, names in self._provinces.items()
            for name in names
            if f" {name} " in text
        ]
        if not matches:
            return None
        longest = max(length for length, _ in matches)
        codes = {code for length, code in matches if length == longest}
        return codes.pop() if len(codes) == 1 else None

    def resolve(
        self,
        address: str | None,
        ward_code: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        province_hint: str | None = None,
    ) -> Resolution:
        """Find the ward of a tip; unresolved tips go to the manual-triage pool."""
        if ward_code:
            ward = self._by_code.get(ward_code)
            if ward:
                return Resolution(ward, 1.0, "code", [f"Mã phường/xã {ward_code}: {ward.name}"])
        text = normalise(address or "")
        province = self._province_in(text, province_hint)
        reasons: list[str] = []
        if text.strip():
            old_style = any(f" {word} " in text for word in ("quan", "huyen"))
            attempts = (
                (self._legacy_match, self._new_match)
                if old_style
                else (self._new_match, self._legacy_match)
            )
            for attempt in attempts:
                found = attempt(text, province, reasons)
                if found is not None:
                    return found
        if latitude is not None and longitude is not None:
            ward = self._nearest(latitude, longitude, province)
            if ward:
                return Resolution(
                    ward,
                    0.5,
                    "coordinates",
                    [*reasons, f"Gần tâm {ward.name} nhất (ước lượng theo toạ độ)"],
                )
        return Resolution(
            None,
            0.0,
            "unresolved",
            reasons or ["Không xác định được phường/xã: cần phân loại thủ công"],
        )

    def _new_match(self, text: str, province: str | None, reasons: list[str]) -> Resolution | None:
        typed: list[Ward] = []
        bare: list[Ward] = []
        for short, wards in self._by_short.items():
            if f" {short} " not in text:
                continue
            candidates = [w for w in wards if province is None or w.province_code == province]
            if any(f" {word} {short} " in text for word in WARD_WORDS):
                typed += candidates
            elif len(short.split()) >= 2 and not any(
                f" {word} {short} " in text for word in DISTRICT_WORDS
            ):  # a bare one-word name is too easy to hit by chance; "Huyện X" is no ward
                bare += candidates
        for pool, confidence, how in ((typed, 0.9, "address"), (bare, 0.7, "address")):
            longest = max((len(w.short) for w in pool), default=0)
            best = [w for w in pool if len(w.short) == longest]
            if len(best) == 1:
                ward = best[0]
                return Resolution(
                    ward,
                    confidence if province else confidence - 0.1,
                    how,
                    [f"Địa chỉ nêu {ward.name}, {ward.province_name}"],
                )
            if len(best) > 1:
                names = "; ".join(f"{w.name} ({w.province_name})" for w in best[:5])
                reasons.append(f"Tên phường/xã trùng ở nhiều nơi: {names} — cần ghi rõ tỉnh/thành")
                return None
        return None

    def _legacy_match(
        self, text: str, province: str | None, reasons: list[str]
    ) -> Resolution | None:
        hits = []
        for (old_province, district, old_ward), targets in self._legacy.items():
            if f" {old_ward} " not in text or f" {district} " not in text:
                continue
            # Numbered units carry their type in the short name ("phuong 12", "quan 1").
            ward_typed = old_ward.startswith(WARD_WORDS) or any(
                f" {w} {old_ward} " in text for w in WARD_WORDS
            )
            district_typed = district.startswith(DISTRICT_WORDS) or any(
                f" {w} {district} " in text for w in DISTRICT_WORDS
            )
            if not (ward_typed and district_typed):
                continue
            hits.append((old_province, district, old_ward, targets))
        if province:
            hits = [
                h for h in hits if any(self._by_code[c].province_code == province for c, _ in h[3])
            ]
        # Keep the most specific match (longest ward + district names).
        if not hits:
            return None
        longest = max(len(h[1]) + len(h[2]) for h in hits)
        hits = [h for h in hits if len(h[1]) + len(h[2]) == longest]
        if len(hits) > 1:
            reasons.append(
                "Địa chỉ cũ khớp nhiều nơi: "
                + "; ".join(f"{h[2]}, {h[1]} ({h[0]})" for h in hits[:5])
            )
            return None
        old_province, district, old_ward, targets = hits[0]
        code = next((c for c, default in targets if default), targets[0][0])
        ward = self._by_code[code]
        split = " (phường/xã cũ đã chia; chọn đơn vị mặc định)" if len(targets) > 1 else ""
        old_name = _LEGACY_NAMES.get((old_province, district, old_ward), old_ward)
        return Resolution(
            ward,
            0.75 if len(targets) == 1 else 0.6,
            "legacy_address",
            [f"Địa chỉ cũ {old_name} → nay là {ward.name}{split}"],
        )

    def _nearest(self, latitude: float, longitude: float, province: str | None) -> Ward | None:
        best, best_km = None, 5.0  # farther than 5 km from every centroid: not a guess we make
        for ward in self._by_code.values():
            if ward.latitude is None or (province and ward.province_code != province):
                continue
            km = _distance_km(latitude, longitude, ward.latitude, ward.longitude or 0.0)
            if km < best_km:
                best, best_km = ward, km
        return best


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(x, math.radians(lat2 - lat1))


_LEGACY_NAMES: dict[tuple[str, str, str], str] = {}


@cache
def _load() -> WardDirectory:
    wards: list[Ward] = []
    provinces: dict[str, set[str]] = defaultdict(set)
    with (DATA / "wards.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            wards.append(
                Ward(
                    row["ward_code"],
                    row["ward_name"],
                    row["ward_short"],
                    row["province_code"],
                    row["province_name"],
                    float(row["latitude"]) if row["latitude"] else None,
                    float(row["longitude"]) if row["longitude"] else None,
                )
            )
            provinces[row["province_code"]] |= {
                fold_words(row["province_short"]),
                fold_words(row["province_name"]),
            }
    for code, aliases in _PROVINCE_ALIASES.items():
        provinces[code] |= set(aliases)
    legacy: dict[tuple[str, str, str], list[tuple[str, bool]]] = defaultdict(list)
    with (DATA / "legacy_wards.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            province = fold_words(row["old_province_short"])
            key = (
                province,
                fold_words(row["old_district_short"]),
                fold_words(row["old_ward_short"]),
            )
            legacy[key].append((row["new_ward_code"], row["is_default"] == "1"))
            _LEGACY_NAMES[key] = f"{row['old_ward']}, {row['old_district']}"
    return WardDirectory(wards, dict(provinces), dict(legacy))
