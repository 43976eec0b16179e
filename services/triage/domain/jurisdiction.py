"""Which ward a tip belongs to: from a ward code, free address text, or coordinates.

The ward list is the post-2025 one (34 provinces, 3,321 wards and communes) shipped in
``data/wards.csv``; ``data/legacy_wards.csv`` maps the pre-2025 wards (with their districts) to
it. Both are extracted from the MIT-licensed ``vietnamadminunits`` dataset (see
``data/WARDS_SOURCE.md``); this module only reads the two CSV files, once per process.

Addresses are matched on folded words (no diacritics, any case, "Hoà" = "Hòa"), with the
abbreviations people write ("P.", "Ph.", "F", "X.", "Q.", "H.", "TP.", "TX.", "TT.", "HCM",
"TP.HCM", "Sài Gòn", "HN"), numbered wards and districts ("P.12", "F12", "Q1"), noise (house
numbers, streets after "đường"/"phố"/"ngõ"/"hẻm"...) and old addresses with districts, which
resolve through the old → new map. A name found in several places is never guessed: without a
province (in the text or ``province_hint``) or coordinates to tell, it stays unresolved and the
reasons list the candidates.
"""

import csv
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from services.triage.domain.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"

METHOD_CODE = "code"
METHOD_ADDRESS = "address"
METHOD_LEGACY = "legacy_address"
METHOD_COORDINATES = "coordinates"
METHOD_UNRESOLVED = "unresolved"
UNRESOLVED_REASON = "Không xác định được phường/xã: cần phân loại thủ công"

# Unit-type words as folded tokens (one or two of them) → the type they stand for.
_TYPES_1 = {
    "phuong": "phuong",
    "p": "phuong",
    "ph": "phuong",
    "f": "phuong",
    "ward": "phuong",
    "xa": "xa",
    "x": "xa",
    "commune": "xa",
    "tt": "thitran",
    "quan": "quan",
    "q": "quan",
    "district": "quan",
    "huyen": "huyen",
    "h": "huyen",
    "tx": "thixa",
    "tp": "thanhpho",
    "tinh": "tinh",
}
_TYPES_2 = {
    ("thanh", "pho"): "thanhpho",
    ("thi", "xa"): "thixa",
    ("thi", "tran"): "thitran",
    ("dac", "khu"): "dackhu",
}
_WARD_TYPES = {"phuong": "Phường", "xa": "Xã", "thitran": "Thị trấn", "dackhu": "Đặc khu"}
_DISTRICT_TYPES = {"quan", "huyen", "thixa", "thanhpho"}
_PROVINCE_TYPES = {"thanhpho", "tinh"}
# After these words a name is a street, hamlet, building or landmark, not a ward.
_STREET_WORDS = frozenset(
    {
        *("duong", "d", "dg", "pho", "ngo", "ngach", "hem", "kiet", "so", "sn", "nha"),
        *("thon", "ap", "xom", "to", "khu", "kp", "cum", "ban", "lang", "toa", "chung"),
        *("cu", "dai", "lo", "cau", "cho", "ql", "tl", "dt", "kdc", "kcn"),
    }
)
# A type abbreviation glued to a number: "p12", "f3", "q10".
_GLUED = re.compile(r"(p|ph|f|q|x|h|phuong|quan|xa|huyen|ward|district)(\d{1,3})")
# Words and separators of raw text: separators cut type words from names (",", "-"...).
_WORDS = re.compile(r"[^\W_]+|[,;()\n|\-–—]")
_HARD_BREAKS = frozenset(",;()\n|")
# Names people use for a province that the dataset does not list (folded, no spaces).
_PROVINCE_ALIASES = {
    "01": ("hanoi", "hn", "tphn"),
    "79": ("hochiminh", "hcm", "tphcm", "hcmc", "saigon", "sg", "tpsg"),
    "46": ("hue", "thuathienhue"),
}
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_MAX_SPAN = 8  # words in the longest name, with a margin (aliases have no word boundaries)
_EARTH_KM = 6371.0
_MIN_REACH_KM = 2.0  # a centroid this close is always a plausible estimate
_CELL = 2  # grid cells per degree for the nearest-centroid search

_Point = tuple[float, float]  # latitude, longitude
_WARD_FIELDS = (
    "ward_code",
    "ward_name",
    "ward_type",
    "ward_short",
    "province_code",
    "province_name",
    "latitude",
    "longitude",
    "area_km2",
)


class Ward(NamedTuple):
    """A ward, commune or special zone of the post-2025 list."""

    code: str
    name: str
    ward_type: str
    short: str
    province_code: str
    province_name: str
    latitude: float | None
    longitude: float | None
    area_km2: float | None = None

    @property
    def radius_km(self) -> float:
        """Return the radius of a disc with the ward's area (1 km when it is unknown)."""
        return math.sqrt(self.area_km2 / math.pi) if self.area_km2 else 1.0

    def label(self) -> str:
        """Return "Name (code), Province" for reasons shown to officers."""
        return f"{self.name} ({self.code}, {self.province_name})"


class OldWard(NamedTuple):
    """A pre-2025 ward (or a whole island district) and the new wards it went into."""

    province: str
    district: str
    ward: str
    targets: tuple[str, ...]  # new ward codes, the source's default first
    province_code: str  # the new province it belongs to now
    district_keys: frozenset[str]

    def label(self) -> str:
        """Return "Ward, District, Province" as written before 2025."""
        return ", ".join(part for part in (self.ward, self.district, self.province) if part)


@dataclass(frozen=True)
class Resolution:
    """The ward found (or None), how sure, by which method, and why (shown to officers)."""

    ward: Ward | None
    confidence: float
    method: str
    reasons: list[str] = field(default_factory=list)
    candidates: tuple[Ward, ...] = ()


@dataclass(frozen=True, slots=True)
class _Mention:
    """A known name found in the address: token span, key, and the type word before it."""

    start: int
    end: int
    key: str
    unit_type: str | None  # "phuong", "quan", "thanhpho"... or None when untyped
    type_start: int  # first token of the type word (== start when untyped)
    after_street_word: bool
    tone: str  # tone key of the name as written ("" when the text has no diacritics at all)
    text: str  # as written, for reasons

    @property
    def typed_ward(self) -> bool:
        """Tell whether a ward type word ("phường", "xã"...) precedes the name."""
        return self.unit_type in _WARD_TYPES

    @property
    def typed_district(self) -> bool:
        """Tell whether a district type word ("quận", "huyện", "TP."...) precedes the name."""
        return self.unit_type in _DISTRICT_TYPES

    def inside(self, other: "_Mention") -> bool:
        """Tell whether this mention lies within a longer one."""
        return (
            other.type_start <= self.type_start
            and self.end <= other.end
            and (other.end - other.type_start) > (self.end - self.type_start)
        )

    def overlaps(self, other: "_Mention") -> bool:
        """Tell whether the two mentions share a token (type words included)."""
        return self.type_start < other.end and other.type_start < self.end


@dataclass
class _Outcome:
    """One reading of the address: a ward, or the candidates it could not choose between."""

    ward: Ward | None
    confidence: float
    method: str
    reasons: list[str]
    candidates: tuple[Ward, ...] = ()
    with_district: bool = True  # an old-name reading that used the old district
    old_label: str = ""  # the old ward it read, for reasons
    typed: bool = True  # the name was written with its type ("Phường X", not a bare "X")


@dataclass(frozen=True, slots=True)
class _Text:
    """An address cut into folded tokens, with tone keys, where each came from, and breaks."""

    tokens: tuple[str, ...]
    tones: tuple[str, ...]
    source: str  # the text in NFC
    spans: tuple[tuple[int, int], ...]  # where each token's word is in the source
    hard_break: tuple[bool, ...]  # a "," ";" "(" or line break before the token
    soft_break: tuple[bool, ...]  # any separator (hard, or a dash) before the token


@lru_cache(maxsize=4096)
def _tone_key(text: str) -> str:
    """Return text lower-cased with its diacritics, each word's tone mark moved to its end."""
    out = []
    for word in unicodedata.normalize("NFD", text.casefold()).split():
        tones = "".join(sorted(c for c in word if c in _TONES))
        base = unicodedata.normalize("NFC", "".join(c for c in word if c not in _TONES))
        out.append(base + tones)
    return "".join(out)


@lru_cache(maxsize=16384)
def _fold_word(word: str) -> str:
    """Fold one word (cached: names and addresses reuse a few thousand syllables)."""
    folded = fold(word)
    # isdecimal, not isdigit: "²" or "①" are digits int() cannot read, and an address holding
    # one made the resolver raise, so the tip was dead-lettered instead of becoming a case.
    return str(int(folded)) if folded.isdecimal() else folded


_NAME_WORDS = re.compile(r"[^\W_]+")


def _key(name: str) -> str:
    """Fold a name to its matching key: no diacritics, no spaces, numbers without zeros."""
    return "".join([_fold_word(w) for w in _NAME_WORDS.findall(name)])


_FULL_TYPES = frozenset({"phuong", "xa", "quan", "huyen", "tinh"})


def unit_key(full: str) -> str:
    """Return the matching key of a unit's full name: "Quận Gò Vấp" → "govap".

    The type word is dropped except for numbered units, which get a mark instead:
    "Phường 12" → "#12", "Quận 1" → "#1". ``scripts/extract_wards.py`` stores these keys in the
    CSV files so that loading does not fold every name again.
    """
    return _untyped([_fold_word(w) for w in _NAME_WORDS.findall(full)])


def _untyped(words: list[str]) -> str:
    """Join a unit's folded words without the type word ("#12" for numbered units)."""
    if len(words) > 2 and (words[0], words[1]) in _TYPES_2:
        words = words[2:]
    elif len(words) > 1 and words[0] in _FULL_TYPES:
        words = words[1:]
    if len(words) == 1 and words[0].isdigit():
        return f"#{words[0]}"
    return "".join(words)


def _split(text: str) -> _Text:
    """Cut text into folded tokens (abbreviations glued to numbers split, zeros dropped)."""
    source = unicodedata.normalize("NFC", text)
    tokens: list[str] = []
    tones: list[str] = []
    spans: list[tuple[int, int]] = []
    hard: list[bool] = []
    soft: list[bool] = []
    pending_hard = pending_soft = False
    for match in _WORDS.finditer(source):
        piece = match.group()
        if not piece[0].isalnum():
            pending_soft = True
            pending_hard = pending_hard or piece in _HARD_BREAKS
            continue
        word = _fold_word(piece)
        glued = _GLUED.fullmatch(word)
        parts = [glued.group(1), str(int(glued.group(2)))] if glued else [word]
        for n, part in enumerate(parts):
            tokens.append(part)
            tones.append(part if glued or part.isdigit() else piece.casefold())
            spans.append(match.span())
            hard.append(pending_hard and n == 0)
            soft.append(pending_soft and n == 0)
        pending_hard = pending_soft = False
    return _Text(tuple(tokens), tuple(tones), source, tuple(spans), tuple(hard), tuple(soft))


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the distance in km (equirectangular: exact enough within a country)."""
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return _EARTH_KM * math.hypot(x, math.radians(lat2 - lat1))


def _km(value: float) -> str:
    """Format a distance the Vietnamese way ("1,2 km")."""
    return f"{value:.1f}".replace(".", ",") + " km"


_HOW = {"hint": " (chọn theo tỉnh/thành gợi ý)", "point": " (chọn theo toạ độ gửi kèm)"}


def _listing(wards: Iterable[Ward], limit: int = 8) -> str:
    """List wards for a reason, with code and province, at most ``limit`` of them."""
    shown = list(wards)
    text = "; ".join(w.label() for w in shown[:limit])
    return text + (f" và {len(shown) - limit} nơi khác" if len(shown) > limit else "")


def _same_type(m: _Mention, old: OldWard) -> bool:
    """Tell whether an old ward has the type written before its name (true when untyped)."""
    if not m.typed_ward:
        return True
    first = _fold_word(old.ward.split(" ", 1)[0])
    return {"phuong": "phuong", "xa": "xa", "thi": "thitran"}.get(first) == m.unit_type


def _unique(wards: Iterable[Ward]) -> list[Ward]:
    """Drop repeated wards, keeping the first occurrence's order."""
    return list({w.code: w for w in wards}.values())


class WardDirectory:
    """The ward list with indexes for resolving codes, addresses and coordinates."""

    def __init__(
        self, wards: list[tuple[Ward, str]], old_wards: list[tuple[OldWard, str, list[str]]]
    ) -> None:
        """Index the wards (with their keys) and the old → new map (with name and alias keys)."""
        self._by_code = {w.code: w for w, _ in wards}
        self._province_names: dict[str, str] = {}
        self._provinces: dict[str, set[str]] = defaultdict(set)  # key → new province codes
        self._new: dict[str, list[Ward]] = defaultdict(list)
        self._cells: dict[tuple[int, int], list[Ward]] = defaultdict(list)
        for ward, key in wards:
            self._province_names[ward.province_code] = ward.province_name
            self._new[key].append(ward)
            if ward.latitude is not None and ward.longitude is not None:
                self._cells[self._cell(ward.latitude, ward.longitude)].append(ward)
        self._old: dict[str, list[tuple[OldWard, bool]]] = defaultdict(list)  # → (unit, alias)
        self._whole_districts: dict[str, list[OldWard]] = defaultdict(list)
        for old, key, aliases in old_wards:
            if not old.ward:
                for district in old.district_keys:
                    self._whole_districts[district].append(old)
                continue
            self._old[key].append((old, False))
            for alias in aliases:
                self._old[f"#{alias}" if alias.isdigit() else alias].append((old, True))
        self._old_province_keys = {
            province: {unit_key(province)} for province in {old.province for old, _, _ in old_wards}
        }
        self._districts = set().union(*{old.district_keys for old, _, _ in old_wards})
        self._keys = set(self._new) | set(self._old) | self._districts

    def _add_province_keys(self, code: str, names: Iterable[str]) -> None:
        """Let these names (already folded, no spaces, or plain text) mean this province."""
        for name in names:
            if name:
                key = _key(name)
                self._provinces[key].add(code)
                self._keys.add(key)

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls) -> "WardDirectory":
        """Return the directory built from the shipped CSV files (read once per process)."""
        return _load(DATA)

    @classmethod
    def from_csv(cls, folder: Path) -> "WardDirectory":
        """Build a directory from ``wards.csv`` and ``legacy_wards.csv`` in a folder."""
        wards: list[tuple[Ward, str]] = []
        province_names: dict[str, set[str]] = {}
        with (folder / "wards.csv").open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            col = {name: i for i, name in enumerate(next(reader))}
            fields = [col[name] for name in _WARD_FIELDS]
            key, short, keywords = col["ward_key"], col["province_short"], col["province_keywords"]
            for row in reader:
                code, name, kind, ward_short, province, province_name, lat, lon, area = (
                    row[i] for i in fields
                )
                ward = Ward(
                    code,
                    name,
                    kind,
                    ward_short,
                    province,
                    province_name,
                    float(lat) if lat else None,
                    float(lon) if lon else None,
                    float(area) if area else None,
                )
                wards.append((ward, row[key]))
                if province not in province_names:
                    province_names[province] = {row[short], *row[keywords].split()}
        province_of = {w.code: w.province_code for w, _ in wards}
        units: dict[tuple[str, str, str], tuple[list[str], list[str]]] = {}
        with (folder / "legacy_wards.csv").open(encoding="utf-8", newline="") as file:
            reader = csv.reader(file)
            col = {name: i for i, name in enumerate(next(reader))}
            province, district_code, ward_code, new_code, default = (
                col["old_province"],
                col["old_district_code"],
                col["old_ward_code"],
                col["new_ward_code"],
                col["is_default"],
            )
            for row in reader:
                place = (row[province], row[district_code], row[ward_code])
                unit = units.get(place)
                if unit is None:
                    units[place] = (row, [row[new_code]])
                elif row[default] == "1":
                    unit[1].insert(0, row[new_code])
                else:
                    unit[1].append(row[new_code])
        district_name, district_key, district_aliases = (
            col["old_district"],
            col["old_district_key"],
            col["old_district_aliases"],
        )
        ward_name, ward_key, ward_aliases = (
            col["old_ward"],
            col["old_ward_key"],
            col["old_ward_aliases"],
        )
        old_wards: list[tuple[OldWard, str, list[str]]] = []
        districts: dict[tuple[str, str], frozenset[str]] = {}
        old_provinces: dict[str, str] = {}
        for (old_province, code_of_district, _), (row, targets) in units.items():
            district = (old_province, code_of_district)
            if district not in districts:
                aliases = row[district_aliases].split()
                districts[district] = frozenset(
                    [
                        row[district_key],
                        *(f"#{a}" if a.isdigit() else a for a in aliases),
                    ]
                )
            code = province_of[targets[0]]
            old_provinces.setdefault(old_province, code)
            old = OldWard(
                old_province,
                row[district_name],
                row[ward_name],
                tuple(targets),
                code,
                districts[district],
            )
            aliases = row[ward_aliases]
            old_wards.append((old, row[ward_key], aliases.split() if aliases else []))
        directory = cls(wards, old_wards)
        for code, names in province_names.items():
            directory._add_province_keys(code, [*names, *_PROVINCE_ALIASES.get(code, ())])
        for name, code in old_provinces.items():
            directory._add_province_keys(code, [unit_key(name)])
        return directory

    # ------------------------------------------------------------------ look-ups

    def __len__(self) -> int:
        """Return the number of wards and communes."""
        return len(self._by_code)

    def __iter__(self) -> Iterator[Ward]:
        """Iterate over the wards in code order."""
        return iter(self._by_code.values())

    def by_code(self, code: str | None) -> Ward | None:
        """Return the ward with this code (5 digits, e.g. "09562"), or None."""
        if not code:
            return None
        code = code.strip()
        return self._by_code.get(code.zfill(5) if code.isdigit() else code)

    def name_of(self, code: str | None) -> str | None:
        """Return the full name of the ward with this code, or None."""
        ward = self.by_code(code)
        return ward.name if ward else None

    def province_code(self, text: str | None) -> str | None:
        """Return the code of the province a code or name stands for ("01", "HN", "Huế")."""
        if not text or not text.strip():
            return None
        text = text.strip()
        if text.isdigit() and text.zfill(2) in self._province_names:
            return text.zfill(2)
        codes = {c for m in self._scan(_split(text)) for c in self._provinces.get(m.key, ())}
        return codes.pop() if len(codes) == 1 else None

    # ------------------------------------------------------------------ resolving

    def resolve(
        self,
        address: str | None,
        ward_code: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        province_hint: str | None = None,
    ) -> Resolution:
        """Find the ward of a tip: by code, else address text, else coordinates."""
        reasons: list[str] = []
        if ward_code and ward_code.strip():
            ward = self.by_code(ward_code)
            if ward:
                return Resolution(ward, 1.0, METHOD_CODE, [f"Mã phường/xã {ward.label()}"])
            count = f"{len(self._by_code):,}".replace(",", ".")
            reasons.append(
                f"Mã phường/xã «{ward_code.strip()}» không có trong danh mục {count} đơn vị "
                "sau sắp xếp 2025"
            )
        point = self._point(latitude, longitude, reasons)
        hint = self.province_code(province_hint)
        if province_hint and province_hint.strip() and hint is None:
            reasons.append(f"Không nhận ra tỉnh/thành gợi ý «{province_hint.strip()}»")
        outcome = self._from_address(address, hint, point) if address and address.strip() else None
        if outcome is not None and outcome.ward is not None:
            if point is not None:
                self._check_point(outcome, point)
            return Resolution(
                outcome.ward,
                round(min(max(outcome.confidence, 0.05), 1.0), 2),
                outcome.method,
                reasons + outcome.reasons,
                outcome.candidates,
            )
        candidates: tuple[Ward, ...] = ()
        if outcome is not None:
            reasons += outcome.reasons
            candidates = outcome.candidates
        if point is not None:
            found = self._by_point(point, candidates or None)
            if found is not None:
                return Resolution(
                    found.ward,
                    found.confidence,
                    METHOD_COORDINATES,
                    reasons + found.reasons,
                    candidates,
                )
            reasons.append(
                "Toạ độ không gần tâm phường/xã nào"
                + (" trong số các ứng viên" if candidates else "")
            )
        if not address or not address.strip():
            reasons.append("Không có địa chỉ")
        elif outcome is None or not outcome.reasons:
            reasons.append("Địa chỉ không nêu tên phường/xã nào có trong danh mục")
        return Resolution(None, 0.0, METHOD_UNRESOLVED, [*reasons, UNRESOLVED_REASON], candidates)

    # ------------------------------------------------------------------ address text

    def _scan(self, text: _Text) -> list[_Mention]:
        """Find every known name in the text, with the type word written before it."""
        tokens = text.tokens
        n = len(tokens)
        mentions: list[_Mention] = []
        ends: set[tuple[int, int]] = set()  # (start, end) of multi-word names found so far
        typed_until = 0  # a name starting inside a typed name cannot end a type word's role
        for i in range(n):
            unit_type, type_start = self._type_before(text, i, ends)
            before = type_start - 1
            street = (
                before >= 0
                and not text.soft_break[type_start]
                and (tokens[before] in _STREET_WORDS or any(c.isdigit() for c in tokens[before]))
            )
            key = ""
            for j in range(i, min(n, i + _MAX_SPAN)):
                if j > i and text.hard_break[j]:
                    break
                key += tokens[j]
                if key in self._keys:
                    mentions.append(
                        self._mention(text, i, j + 1, key, unit_type, type_start, street)
                    )
                    if unit_type:
                        typed_until = max(typed_until, j + 1)
                    elif j > i and i >= typed_until:
                        ends.add((i, j + 1))
            if unit_type and tokens[i].isdigit() and f"#{tokens[i]}" in self._keys:
                mentions.append(
                    self._mention(text, i, i + 1, f"#{tokens[i]}", unit_type, type_start, False)
                )
        return mentions

    @staticmethod
    def _mention(
        text: _Text,
        start: int,
        end: int,
        key: str,
        unit_type: str | None,
        type_start: int,
        street: bool,
    ) -> _Mention:
        """Build a mention, keeping the words as written for reasons."""
        return _Mention(
            start=start,
            end=end,
            key=key,
            unit_type=unit_type,
            type_start=type_start,
            after_street_word=street and unit_type is None,
            tone=_tone_key(" ".join(text.tones[start:end])) if not text.source.isascii() else "",
            text=text.source[text.spans[type_start][0] : text.spans[end - 1][1]],
        )

    @staticmethod
    def _type_before(text: _Text, i: int, ends: set[tuple[int, int]]) -> tuple[str | None, int]:
        """Return the unit type written just before token i, and where that type word starts."""
        tokens = text.tokens
        if text.soft_break[i]:
            return None, i
        if i >= 2 and not text.soft_break[i - 1] and (tokens[i - 2], tokens[i - 1]) in _TYPES_2:
            return _TYPES_2[(tokens[i - 2], tokens[i - 1])], i - 2
        # In "phuc xa ba dinh" the "xa" ends the name Phúc Xá: it is no type word for Ba Đình.
        if i >= 1 and tokens[i - 1] in _TYPES_1 and not any(e == i and s < i - 1 for s, e in ends):
            return _TYPES_1[tokens[i - 1]], i - 1
        return None, i

    def _from_address(self, address: str, hint: str | None, point: _Point | None) -> _Outcome:
        """Read the address: current names first, then old ones with their districts."""
        mentions = self._scan(_split(address))
        new_roles: list[_Mention] = []
        old_roles: list[_Mention] = []
        district_roles: list[_Mention] = []
        province_roles: list[_Mention] = []
        for m in mentions:
            is_province = m.key in self._provinces
            bare = m.unit_type is None and not m.after_street_word and m.key[0] != "#"
            long_bare = bare and m.end - m.start >= 2 and not is_province
            if m.key in self._new and (m.typed_ward or long_bare):
                new_roles.append(m)
            if m.key in self._old and (m.typed_ward or long_bare):
                old_roles.append(m)
            if m.key in self._districts and (m.typed_district or bare):
                district_roles.append(m)
            if is_province and (m.unit_type in _PROVINCE_TYPES or bare):
                province_roles.append(m)
        every = new_roles + old_roles + district_roles + province_roles
        # A name inside a longer one is no mention of its own ("Bình Phước" in "Hiệp Bình Phước").
        new_roles = [m for m in new_roles if not any(m.inside(o) for o in every)]
        old_roles = [m for m in old_roles if not any(m.inside(o) for o in every)]
        district_roles = [m for m in district_roles if not any(m.inside(o) for o in every)]
        province_roles = [m for m in province_roles if not any(m.inside(o) for o in every)]
        province, mentioned, written = self._text_province(
            province_roles, new_roles + old_roles + district_roles
        )
        new = self._new_outcome(new_roles, province, mentioned, hint, point)
        named = {m.key for m in province_roles}  # old province names tell old units apart
        old = self._legacy_outcome(
            old_roles, district_roles, province, mentioned, named, hint, point
        )
        chosen = self._choose(new, old)
        if chosen is None:
            return _Outcome(None, 0.0, METHOD_UNRESOLVED, [])
        if chosen.ward is not None and province:
            chosen.reasons.append(
                f"Tỉnh/thành ghi trong địa chỉ: «{written}» → {self._province_names[province]}"
            )
        return chosen

    def _text_province(
        self, provinces: list[_Mention], units: list[_Mention]
    ) -> tuple[str | None, set[str], str]:
        """Return the province the text states, every province it names, and how it is written.

        The stated one is the last province name written after "tỉnh"/"thành phố", or after
        every ward and district name ("..., Quận 1, Sài Gòn"); an earlier bare one may be a
        street ("12 Nguyễn Huệ, Phường Bến Nghé") and only helps to choose among candidates.
        """
        mentioned = {code for m in provinces for code in self._provinces[m.key]}
        last_unit = max(
            (m.end for m in units if not any(m.overlaps(p) for p in provinces)), default=-1
        )
        strong = [m for m in provinces if m.unit_type or m.start >= last_unit]
        for m in sorted(strong, key=lambda m: m.start, reverse=True):
            codes = self._provinces[m.key]
            if len(codes) == 1:
                return next(iter(codes)), mentioned, m.text
        return None, mentioned, ""

    def _candidates(self, m: _Mention) -> list[Ward]:
        """Return the current wards a mention names, preferring its type and its diacritics."""
        wards = self._new.get(m.key, [])
        if len(wards) > 1 and m.typed_ward:
            written = _WARD_TYPES[m.unit_type or ""]  # the source's type and name disagree 4 times
            same_type = [w for w in wards if w.ward_type == written or w.name.startswith(written)]
            wards = same_type or wards
        if len(wards) > 1 and m.tone:
            same_marks = [w for w in wards if _tone_key(w.short) == m.tone]
            wards = same_marks or wards
        return wards

    def _options(self, m: _Mention) -> list[tuple[Ward, OldWard | None]]:
        """Return what a ward name may mean: current wards, and old wards of other provinces.

        An old ward of the same name counts only where no current ward has that name: in the
        province of a current "Phường X", "Phường X" means the current one.
        """
        options: list[tuple[Ward, OldWard | None]] = [(w, None) for w in self._candidates(m)]
        current = {w.province_code for w, _ in options}
        for old, alias in self._old.get(m.key, ()):
            if not alias and old.province_code not in current and _same_type(m, old):
                options.append((self._by_code[old.targets[0]], old))
        return options

    def _new_outcome(
        self,
        mentions: list[_Mention],
        province: str | None,
        mentioned: set[str],
        hint: str | None,
        point: _Point | None,
    ) -> _Outcome | None:
        """Resolve current ward names: typed ones ("Phường X") first, then bare names."""
        for typed in (True, False):
            pool = [m for m in mentions if m.typed_ward == typed]
            found: list[tuple[_Mention, Ward, str]] = []
            ambiguous: list[tuple[_Mention, list[tuple[Ward, OldWard | None]]]] = []
            elsewhere: list[tuple[_Mention, list[Ward]]] = []
            for m in pool:
                options, how = self._narrow(self._options(m), province, mentioned, hint, point)
                current = _unique(w for w, old in options if old is None)
                if province and not current:
                    elsewhere.append((m, self._candidates(m)))
                elif len({w.code for w, _ in options}) > 1:
                    ambiguous.append((m, options))
                elif current:
                    found.append((m, current[0], how))
            distinct = _unique(w for _, w, _ in found)
            if len(distinct) == 1:
                m, ward, how = found[0]
                confidence = {"province": 0.95, "": 0.9, "hint": 0.85, "point": 0.75}[how]
                if not typed:
                    confidence -= 0.2
                return _Outcome(
                    ward,
                    confidence,
                    METHOD_ADDRESS,
                    [f"Địa chỉ ghi «{m.text}» → {ward.label()}" + _HOW.get(how, "")],
                    typed=typed,
                )
            if len(distinct) > 1:
                return _Outcome(
                    None,
                    0.0,
                    METHOD_UNRESOLVED,
                    [f"Địa chỉ nêu nhiều phường/xã khác nhau: {_listing(distinct)}"],
                    tuple(distinct),
                )
            if ambiguous:
                m, options = ambiguous[0]
                labels = [
                    w.label() if old is None else f"{old.label()} (tên cũ, nay là {w.label()})"
                    for w, old in options
                ]
                shown = "; ".join(dict.fromkeys(labels[:8]))
                more = f" và {len(labels) - 8} nơi khác" if len(labels) > 8 else ""
                return _Outcome(
                    None,
                    0.0,
                    METHOD_UNRESOLVED,
                    [
                        f"Tên «{m.text}» có ở nhiều nơi: {shown}{more} — cần ghi rõ "
                        "tỉnh/thành (hoặc quận/huyện cũ)"
                    ],
                    tuple(_unique(w for w, _ in options)),
                )
            if elsewhere and typed and province:
                m, wards = elsewhere[0]
                return _Outcome(
                    None,
                    0.0,
                    METHOD_UNRESOLVED,
                    [
                        f"«{m.text}» không có ở {self._province_names[province]} "
                        f"(tên này có ở: {_listing(wards)})"
                    ],
                )
        return None

    def _narrow(
        self,
        options: list[tuple[Ward, OldWard | None]],
        province: str | None,
        mentioned: set[str],
        hint: str | None,
        point: _Point | None,
    ) -> tuple[list[tuple[Ward, OldWard | None]], str]:
        """Keep the options the province (stated, named, hinted) or the coordinates allow."""
        if province:
            return [o for o in options if o[0].province_code == province], "province"
        how = ""
        if len({w.province_code for w, _ in options}) > 1 and mentioned:
            options = [o for o in options if o[0].province_code in mentioned] or options
        if len({w.province_code for w, _ in options}) > 1 and hint:
            inside = [o for o in options if o[0].province_code == hint]
            if inside:
                options, how = inside, "hint"
        if len({w.code for w, _ in options}) > 1 and point is not None:
            near = self._by_point(point, tuple(w for w, _ in options))
            if near is not None and near.ward is not None:
                options = [o for o in options if o[0].code == near.ward.code]
                how = "point"
        if len({w.province_code for w, _ in options}) == 1:
            options = [o for o in options if o[1] is None] or options
        return options, how

    def _legacy_outcome(
        self,
        wards: list[_Mention],
        districts: list[_Mention],
        province: str | None,
        mentioned: set[str],
        named: set[str],
        hint: str | None,
        point: _Point | None,
    ) -> _Outcome | None:
        """Resolve old (pre-2025) ward and district names through the old → new map."""
        hits: list[tuple[float, OldWard, _Mention, _Mention | None, bool]] = []
        for w in wards:
            near = {d.key: d for d in districts if not d.overlaps(w)}
            for old, alias in self._old[w.key]:
                for key in old.district_keys & near.keys():
                    d = near[key]
                    score = 2 + w.typed_ward + d.typed_district - 0.5 * alias
                    hits.append((score, old, w, d, alias))
        with_district = bool(hits)
        if not hits:  # "Phường Hàng Trống" without its district: only if the name is unique
            for w in wards:
                if w.typed_ward and not w.key.startswith("#"):
                    same = [(old, alias) for old, alias in self._old[w.key] if _same_type(w, old)]
                    hits += [
                        (1 - 0.5 * alias, old, w, None, alias)
                        for old, alias in same or self._old[w.key]
                    ]
        if not hits:  # island districts that became special zones ("Huyện Côn Đảo")
            for d in districts:
                if d.typed_district:
                    hits += [
                        (2.5, old, d, None, False) for old in self._whole_districts.get(d.key, ())
                    ]
            with_district = bool(hits)
        if not hits:
            return None
        every = hits
        if province:
            hits = [h for h in hits if h[1].province_code == province]
        else:
            if mentioned:
                hits = [h for h in hits if h[1].province_code in mentioned] or hits
            if hint and len({h[1].province_code for h in hits}) > 1:
                hits = [h for h in hits if h[1].province_code == hint] or hits
        if not hits:
            olds = "; ".join(sorted({h[1].label() for h in every})[:8])
            return _Outcome(
                None,
                0.0,
                METHOD_UNRESOLVED,
                [
                    f"Địa chỉ cũ «{every[0][2].text}» không thuộc "
                    f"{self._province_names[province or '']} (chỉ có: {olds})"
                ],
            )
        if len({h[1].targets for h in hits}) > 1:  # "Xã Trực Hưng" / "Xã Trực Hùng", same district
            hits = [h for h in hits if self._old_province_keys[h[1].province] & named] or hits
            hits = [h for h in hits if _same_type(h[2], h[1])] or hits
            hits = [
                h for h in hits if h[2].tone and _tone_key(h[1].ward).endswith(h[2].tone)
            ] or hits
        best = max(h[0] for h in hits)
        hits = [h for h in hits if h[0] == best]
        if len({h[1].targets for h in hits}) > 1 and point is not None:
            near = self._by_point(point, tuple(self._by_code[h[1].targets[0]] for h in hits))
            if near is not None and near.ward is not None:
                hits = [h for h in hits if h[1].targets[0] == near.ward.code]
        if len({h[1].targets for h in hits}) > 1:
            olds = "; ".join(
                f"{h[1].label()} (nay là {self._by_code[h[1].targets[0]].label()})"
                for h in hits[:8]
            )
            return _Outcome(
                None,
                0.0,
                METHOD_UNRESOLVED,
                [f"Địa chỉ cũ khớp nhiều nơi: {olds} — cần ghi rõ quận/huyện và tỉnh/thành"],
                tuple(_unique(self._by_code[h[1].targets[0]] for h in hits)),
                with_district,
            )
        score, old, w, d, alias = hits[0]
        ward, split_reason = self._pick_target(old, point)
        written = w.text + (f", {d.text}" if d is not None else "")
        old_name = old.label() if not alias else f"{w.text} (đã nhập vào {old.label()})"
        reasons = [f"Địa chỉ cũ «{written}»: {old_name} → nay là {ward.label()}"]
        if split_reason:
            reasons.append(split_reason)
        if with_district:
            confidence = 0.6 + 0.1 * (score - 2) + (0.05 if province else 0.0)
        else:
            confidence = 0.6 if province or hint else 0.5
            reasons.append("Không ghi quận/huyện cũ: suy từ tên phường/xã cũ duy nhất")
        if len(old.targets) > 1:
            confidence -= 0.1 if point is not None else 0.2
        return _Outcome(ward, confidence, METHOD_LEGACY, reasons, (), with_district, old.label())

    def _pick_target(self, old: OldWard, point: _Point | None) -> tuple[Ward, str]:
        """Choose the new ward of a split old ward: nearest to the point, else the default."""
        targets = [self._by_code[code] for code in old.targets]
        if len(targets) == 1:
            return targets[0], ""
        chosen, how = targets[0], "mặc định theo dữ liệu nguồn"
        if point is not None:
            near = self._by_point(point, tuple(targets))
            if near is not None and near.ward is not None:
                chosen, how = near.ward, "gần toạ độ gửi kèm nhất"
        return chosen, (
            f"{old.ward or old.district} cũ nay thuộc {len(targets)} phường/xã: "
            f"{_listing(targets)}; chọn {chosen.name} ({how}) — cần kiểm tra lại"
        )

    @staticmethod
    def _choose(new: _Outcome | None, old: _Outcome | None) -> _Outcome | None:
        """Pick between the current-name and the old-name readings of one address."""
        if old is not None and old.ward is not None and old.with_district:
            if new is None or new.ward is None:
                return old
            if new.ward.code == old.ward.code:
                both = min(1.0, max(new.confidence, old.confidence) + 0.05)
                if not new.typed:  # "Phường Dịch Vọng Hậu, Cầu Giấy": an old address
                    old.confidence = both
                    old.reasons.append(f"Tên hiện nay {new.ward.name} cũng có trong địa chỉ")
                    return old
                new.confidence = both
                new.reasons.append(f"Khớp cả địa chỉ cũ: {old.old_label}")
                return new
            old.reasons.append(
                f"Tên {new.ward.label()} cũng khớp, nhưng địa chỉ ghi theo quận/huyện cũ nên "
                "chọn theo địa giới cũ — cần kiểm tra lại"
            )
            old.confidence -= 0.1
            return old
        if old is not None and old.candidates and old.with_district:
            # "xa hoang thanh, huyen hoang hoa": Hoằng Thành or Hoằng Thanh? Never a guess.
            return old
        # Current names first: an old ward name alone counts only if no current one was written.
        for outcome in (new, old):
            if outcome is not None and (outcome.ward is not None or outcome.candidates):
                return outcome
        return new or old

    # ------------------------------------------------------------------ coordinates

    @staticmethod
    def _point(
        latitude: float | None, longitude: float | None, reasons: list[str]
    ) -> tuple[float, float] | None:
        """Return a usable (latitude, longitude), or None with the reason it is not."""
        if latitude is None and longitude is None:
            return None
        if latitude is None or longitude is None:
            reasons.append("Toạ độ thiếu vĩ độ hoặc kinh độ: bỏ qua")
            return None
        try:
            lat, lon = float(latitude), float(longitude)
        except (TypeError, ValueError):
            reasons.append("Toạ độ không hợp lệ: bỏ qua")
            return None
        if not (
            math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
        ):
            reasons.append("Toạ độ không hợp lệ: bỏ qua")
            return None
        return lat, lon

    @staticmethod
    def _cell(latitude: float, longitude: float) -> tuple[int, int]:
        """Return the grid cell of a point."""
        return math.floor(latitude * _CELL), math.floor(longitude * _CELL)

    def _by_point(self, point: _Point, among: tuple[Ward, ...] | None) -> _Outcome | None:
        """Return the ward whose centroid best fits the point, if one is near enough.

        Distances are scaled by each ward's radius (from its area), so a point near the edge
        of a large rural commune is not given to a small town ward whose centre is closer.
        """
        lat, lon = point
        if among is None:
            row, col = self._cell(lat, lon)
            pool: Iterable[Ward] = (
                w
                for dr in (-1, 0, 1)
                for dc in (-1, 0, 1)
                for w in self._cells.get((row + dr, col + dc), ())
            )
        else:
            pool = among
        best: tuple[float, float, Ward] | None = None
        for ward in pool:
            if ward.latitude is None or ward.longitude is None:
                continue
            km = _distance_km(lat, lon, ward.latitude, ward.longitude)
            radius = max(ward.radius_km, 0.5)
            if km > max(_MIN_REACH_KM, 2 * radius):
                continue
            score = km / radius
            if best is None or score < best[0]:
                best = (score, km, ward)
        if best is None:
            return None
        score, km, ward = best
        confidence = 0.5 if score <= 1 else 0.35
        return _Outcome(
            ward,
            confidence,
            METHOD_COORDINATES,
            [
                f"Toạ độ cách tâm {ward.label()} khoảng {_km(km)}: vị trí ước lượng theo tâm "
                "phường/xã (không có ranh giới), cần kiểm tra"
            ],
        )

    def _check_point(self, outcome: _Outcome, point: _Point) -> None:
        """Note when the coordinates lie far from the ward the address names."""
        ward = outcome.ward
        if ward is None or ward.latitude is None or ward.longitude is None:
            return
        km = _distance_km(point[0], point[1], ward.latitude, ward.longitude)
        if km > max(3 * _MIN_REACH_KM, 3 * ward.radius_km):
            outcome.confidence -= 0.25
            outcome.reasons.append(
                f"Lưu ý: toạ độ gửi kèm cách tâm {ward.name} khoảng {_km(km)} — cần kiểm tra"
            )


@cache
def _load(folder: Path) -> WardDirectory:
    """Build and keep the directory for a data folder."""
    return WardDirectory.from_csv(folder)
