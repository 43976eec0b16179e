"""Regenerate services/triage/data/{wards,legacy_wards}.csv and WARDS_SOURCE.md.

The source is the SQLite dataset and old → new conversion table shipped by the MIT-licensed
`vietnamadminunits` package. That package pulls in shapely and geopy, so it lives only in a
throwaway virtual environment and is never imported at run time (nor here: only its data files
are read):

    python3 -m venv /tmp/vau-venv
    /tmp/vau-venv/bin/pip install vietnamadminunits==1.0.4
    /tmp/vau-venv/bin/python scripts/extract_wards.py

Tables used:
- ``admin_units``: the 3,321 wards and communes of the 34 provinces after 1 July 2025, with
  centroid and area;
- ``admin_units_legacy``: the 10,040 pre-2025 wards (63 provinces, with districts), with the
  names of units merged into them before 2025 (``wardAlias``, ``districtAlias``);
- ``converter_2025.json``: which old ward became which new ward (``DICT_PROVINCE_WARD_NO_DIVIDED``)
  and, for old wards split between several new ones, every candidate with the package's default
  (``DICT_PROVINCE_WARD_DIVIDED``, ``isDefaultNewWard``).
"""

import argparse
import csv
import datetime as dt
import importlib.metadata
import importlib.util
import json
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the project's own key function (standard library only)

from services.triage.domain.jurisdiction import unit_key  # noqa: E402

PACKAGE = "vietnamadminunits"
OUT = ROOT / "services" / "triage" / "data"

# Unit-type words as they begin the dataset's folded keywords ("phuongtrungtu", "quan2").
TYPE_WORDS = ("phuong", "xa", "thitran", "dackhu", "quan", "huyen", "thixa", "thanhpho", "tinh")
# Abbreviated type prefixes of the dataset's keywords ("p13", "f13", "ward13", "q2", "txdian").
ABBREVIATIONS = ("p", "f", "ward", "x", "tt", "q", "district", "h", "tx", "tp")
WARD_COLUMNS = [
    "ward_code",
    "ward_name",
    "ward_type",
    "ward_short",
    "ward_key",
    "province_code",
    "province_name",
    "province_short",
    "province_keywords",
    "latitude",
    "longitude",
    "area_km2",
]
LEGACY_COLUMNS = [
    "old_province",
    "old_district_code",
    "old_district",
    "old_district_key",
    "old_district_aliases",
    "old_ward_code",
    "old_ward",
    "old_ward_key",
    "old_ward_aliases",
    "new_ward_code",
    "is_default",
]


def nfc(text: str | None) -> str:
    """Return text in Unicode NFC with surrounding spaces removed ("" for None)."""
    return unicodedata.normalize("NFC", text or "").strip()


def bare_keys(keywords: list[str], main: str) -> list[str]:
    """Turn the dataset's folded keywords into bare name keys, numbered ones as digits.

    A keyword list pairs typed and bare forms ("phuongtrungtu", "trungtu"); numbered units come
    only typed ("phuong7", "p07", "f7"), and become "7". Abbreviated forms are dropped because the
    resolver expands abbreviations itself; ``main`` (the unit's own name) is left out.
    """
    known = set(keywords)
    out: list[str] = []
    for key in keywords:
        if any(word + key in known for word in TYPE_WORDS):
            bare = key  # the bare half of a typed/bare pair
        elif word := next((w for w in TYPE_WORDS if key.startswith(w) and key != w), None):
            rest = key[len(word) :]
            if rest in known:
                continue  # its bare half is in the list too
            bare = str(int(rest)) if rest.isdigit() else rest
        elif any(
            key.startswith(a)
            and key != a
            and (key[len(a) :] in known or any(w + key[len(a) :] in known for w in TYPE_WORDS))
            for a in ABBREVIATIONS
        ):
            continue  # "p13", "txdian": an abbreviation of a form already in the list
        else:
            bare = key
        if bare != main and bare not in out:
            out.append(bare)
    return out


def short_key(full: str) -> str:
    """Fold a unit's name without its type the way the dataset's keys are ("Quận 1" → "quan1").

    The dataset's short names sometimes carry a note ("Kỳ Anh (Huyện)"), so the type is cut
    from the full name instead; numbered units keep it.
    """
    decomposed = unicodedata.normalize("NFD", full.replace("đ", "d").replace("Đ", "D"))
    letters = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    key = re.sub(r"[^0-9a-z]", "", letters.lower())
    word = next((w for w in TYPE_WORDS if key.startswith(w)), "")
    return key if key[len(word) :].isdigit() else key[len(word) :]


def package_dir() -> Path:
    """Locate the installed package's folder without importing it (it imports shapely)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{PACKAGE} is not installed in this interpreter ({sys.executable})")
    return Path(next(iter(spec.submodule_search_locations)))


def extract_wards(db: sqlite3.Connection, out: Path) -> tuple[list[sqlite3.Row], dict]:
    """Write wards.csv; return the rows and the (provinceKey, wardKey) → wardCode map."""
    wards = db.execute(
        "SELECT wardCode, ward, wardType, wardShort, provinceCode, province, provinceShort, "
        "provinceKey, wardKey, wardLat, wardLon, wardAreaKm2, provinceKeywords "
        "FROM admin_units ORDER BY provinceCode, wardCode"
    ).fetchall()
    with (out / "wards.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(WARD_COLUMNS)
        for w in wards:
            writer.writerow(
                [
                    w["wardCode"],
                    nfc(w["ward"]),
                    nfc(w["wardType"]),
                    nfc(w["wardShort"]),
                    unit_key(nfc(w["ward"])),
                    w["provinceCode"],
                    nfc(w["province"]),
                    nfc(w["provinceShort"]),
                    " ".join(json.loads(w["provinceKeywords"] or "[]")),
                    "" if w["wardLat"] is None else w["wardLat"],
                    "" if w["wardLon"] is None else w["wardLon"],
                    "" if w["wardAreaKm2"] is None else w["wardAreaKm2"],
                ]
            )
    return wards, {(w["provinceKey"], w["wardKey"]): w["wardCode"] for w in wards}


def new_wards_of(converter: dict, code_of: dict) -> dict[str, list[tuple[str, bool]]]:
    """Map each old "province_district_ward" key to its new ward codes (default flagged)."""
    targets: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for province, mapping in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in mapping.items():
            for old in old_keys:
                targets[old].append((code_of[(province, new_key)], True))
    for province, mapping in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in mapping.items():
            for candidate in candidates:
                code = code_of[(province, candidate["newWardKey"])]
                targets[old].append((code, bool(candidate["isDefaultNewWard"])))
    return targets


def extract_legacy(db: sqlite3.Connection, converter: dict, code_of: dict, out: Path) -> dict:
    """Write legacy_wards.csv (one row per old ward and new ward it went into); return counts."""
    targets = new_wards_of(converter, code_of)
    legacy = db.execute(
        "SELECT * FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
    ).fetchall()
    counts = {"old_wards": 0, "rows": 0, "split": 0, "unmapped": 0, "aliases": 0}
    with (out / "legacy_wards.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(LEGACY_COLUMNS)
        for w in legacy:
            key = f"{w['provinceKey']}_{w['districtKey']}_{w['wardKey'] or ''}"
            found = targets.get(key, [])
            if not found:
                counts["unmapped"] += 1
                continue
            counts["old_wards"] += w["ward"] is not None
            counts["split"] += len(found) > 1
            district_aliases = bare_keys(
                json.loads(w["districtAlias"] or "[]"), short_key(nfc(w["district"]))
            )
            ward_aliases = bare_keys(
                json.loads(w["wardAlias"] or "[]"), short_key(nfc(w["ward"] or ""))
            )
            counts["aliases"] += bool(ward_aliases)
            for code, default in found:
                writer.writerow(
                    [
                        nfc(w["province"]),
                        w["districtCode"],
                        nfc(w["district"]),
                        unit_key(nfc(w["district"])),
                        " ".join(district_aliases),
                        w["wardCode"] or "",
                        nfc(w["ward"]),
                        unit_key(nfc(w["ward"])) if w["ward"] else "",
                        " ".join(ward_aliases),
                        code,
                        int(default),
                    ]
                )
                counts["rows"] += 1
    return counts


SOURCE_MD = """\
# Ward data

Files in this folder, generated by `scripts/extract_wards.py`, do not edit by hand:

- `wards.csv`: the {wards:,} wards and communes (phường, xã, đặc khu) of the {provinces} provinces
  and cities after the reorganisation of 1 July 2025 ({hanoi} in Hà Nội, {hcm} in Thành phố
  Hồ Chí Minh): code, full name, type, short name, province, centroid latitude/longitude and
  area in km² (the centroids are points, not boundaries).
- `legacy_wards.csv`: the old → new map. One row per pre-2025 ward (old province, district and
  ward with their codes and full names, {old_wards:,} wards of 63 provinces) and per new ward it
  went into ({rows:,} rows).
  {split} old wards were split between several new ones: they have one row per candidate and
  `is_default = 1` on the one the source names as the default (the resolver takes it unless the
  tip's coordinates are nearer another candidate's centroid, and says so). The island districts
  without wards (Bạch Long Vĩ, Cồn Cỏ, Côn Đảo, Hoàng Sa, Lý Sơn) have a row with an empty ward.
  `ward_key`, `old_ward_key` and `old_district_key` are the matching keys of the names (folded
  by `services/triage/domain/jurisdiction.py`'s `unit_key`: no type word, no diacritics, no
  spaces; "#12" for a numbered unit such as Phường 12 or "#1" for Quận 1), computed here so
  that loading does not fold 13,000 names; a unit test checks they still match the code.
  `old_ward_aliases` / `old_district_aliases` list, folded without spaces or diacritics, names
  of units merged into that ward or district before 2025 that people still write ("trungtu",
  numbered wards as digits: "7" for Phường 7 of Quận 3, now part of Võ Thị Sáu; "2" and "9"
  for Quận 2 and Quận 9, now Thành phố Thủ Đức) — {aliases} old wards carry such aliases.

## Source and licence

Extracted on {date} from the dataset (`data/dataset.db`, tables `admin_units` and
`admin_units_legacy`, and `data/converter_2025.json`) of the Python package
**{package} {version}** by Trần Ngọc Minh Hiếu, MIT licence, Copyright (c) 2025 Tran Ngoc Minh
Hieu (https://github.com/tranngocminhhieu/vietnamadminunits, https://pypi.org/project/{package}/).
The MIT licence requires its notice to be kept with copies of substantial portions: it is
reproduced below.

The package is **not** a run-time dependency (it pulls in shapely and geopy). To regenerate, in
a throwaway virtual environment, never the project's:

```bash
python3 -m venv /tmp/vau-venv
/tmp/vau-venv/bin/pip install {package}=={version}
/tmp/vau-venv/bin/python scripts/extract_wards.py
.venv/bin/python -m pytest tests/unit/triage/test_jurisdiction.py -q
```

## Known gaps and quirks

- The old list is the last one before 1 July 2025. Wards merged or renamed earlier resolve
  from their old name only when the source records it as an alias (Quận 2 and Quận 9, the
  numbered wards of Quận 3 merged in 2020...); other old names go to manual triage.
- A split old ward resolves to one candidate only approximately (the source's default, or the
  candidate whose centroid is nearest the tip's coordinates); the reasons list every candidate
  so that an officer can correct it.
- Centroids are points: a ward found from coordinates alone is an estimate (nearest centroid,
  scaled by the ward's size), said so in the reasons.
- In {type_mismatches} rows of `wards.csv` the source's `ward_type` disagrees with the type in
  the name ({type_mismatch_list}); the resolver accepts either.
- Old districts split between two new-era districts before 2025 (the source's
  `DICT_PROVINCE_DISTRICT_DIVIDED`, e.g. the former Thành phố Huế) are not extracted: such an
  old ward still resolves from its name and province, without the district.

## Licence of the source data

```
{licence}
```
"""


def main() -> None:
    """Extract the CSV files and the attribution from the installed package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    folder = package_dir()
    version = importlib.metadata.version(PACKAGE)
    db = sqlite3.connect(folder / "data" / "dataset.db")
    db.row_factory = sqlite3.Row
    converter = json.loads((folder / "data" / "converter_2025.json").read_text(encoding="utf-8"))
    wards, code_of = extract_wards(db, args.out)
    counts = extract_legacy(db, converter, code_of, args.out)
    dist = importlib.metadata.distribution(PACKAGE)
    licence_file = next((f for f in dist.files or [] if f.name.upper().startswith("LICEN")), None)
    licence = dist.locate_file(licence_file).read_text() if licence_file else "MIT"
    mismatches = [
        f"{w['wardCode']} {nfc(w['ward'])}: {nfc(w['wardType'])}"
        for w in wards
        if not nfc(w["ward"]).startswith(nfc(w["wardType"]))
    ]
    (args.out / "WARDS_SOURCE.md").write_text(
        SOURCE_MD.format(
            type_mismatches=len(mismatches),
            type_mismatch_list="; ".join(mismatches),
            wards=len(wards),
            provinces=len({w["provinceCode"] for w in wards}),
            hanoi=sum(w["provinceCode"] == "01" for w in wards),
            hcm=sum(w["provinceCode"] == "79" for w in wards),
            date=dt.date.today().isoformat(),
            package=PACKAGE,
            version=version,
            licence=licence.strip(),
            **counts,
        ),
        encoding="utf-8",
    )
    print(
        f"{PACKAGE} {version}: {len(wards)} wards; {counts['old_wards']} old wards, "
        f"{counts['rows']} legacy rows, {counts['split']} split, {counts['aliases']} with aliases, "
        f"{counts['unmapped']} unmapped"
    )


if __name__ == "__main__":
    main()
