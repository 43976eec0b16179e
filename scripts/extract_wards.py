"""Regenerate services/triage/data/{wards,legacy_wards}.csv from `vietnamadminunits`.

The package (MIT) pulls in shapely and geopy, so it is used only here, never at run time:
    python3 -m venv /tmp/vau && /tmp/vau/bin/pip install vietnamadminunits==1.0.4
    /tmp/vau/bin/python scripts/extract_wards.py
"""

import csv
import json
import sqlite3
import unicodedata
from pathlib import Path

import vietnamadminunits

PACKAGE = Path(vietnamadminunits.__file__).parent
OUT = Path(__file__).resolve().parents[1] / "services" / "triage" / "data"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def main() -> None:
    db = sqlite3.connect(PACKAGE / "data" / "dataset.db")
    db.row_factory = sqlite3.Row
    wards = db.execute(
        "SELECT wardCode, ward, wardType, wardShort, provinceCode, province, provinceShort, "
        "provinceKey, wardKey, wardLat, wardLon, provinceKeywords FROM admin_units "
        "ORDER BY provinceCode, wardCode"
    ).fetchall()
    by_key = {(w["provinceKey"], w["wardKey"]): w["wardCode"] for w in wards}
    with (OUT / "wards.csv").open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(
            [
                "ward_code",
                "ward_name",
                "ward_type",
                "ward_short",
                "province_code",
                "province_name",
                "province_short",
                "province_keywords",
                "latitude",
                "longitude",
            ]
        )
        for w in wards:
            out.writerow(
                [
                    w["wardCode"],
                    nfc(w["ward"]),
                    nfc(w["wardType"]),
                    nfc(w["wardShort"]),
                    w["provinceCode"],
                    nfc(w["province"]),
                    nfc(w["provinceShort"]),
                    " ".join(json.loads(w["provinceKeywords"] or "[]")),
                    w["wardLat"],
                    w["wardLon"],
                ]
            )
    converter = json.loads((PACKAGE / "data" / "converter_2025.json").read_text())
    new_of: dict[str, list[tuple[str, bool]]] = {}
    for province, mapping in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, old_keys in mapping.items():
            for old in old_keys:
                if (province, new_key) in by_key:
                    new_of.setdefault(old, []).append((by_key[(province, new_key)], True))
    for province, mapping in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, candidates in mapping.items():
            for candidate in candidates:
                code = by_key.get((province, candidate["newWardKey"]))
                if code:
                    new_of.setdefault(old, []).append((code, bool(candidate["isDefaultNewWard"])))
    legacy = db.execute(
        "SELECT province, provinceShort, district, districtShort, ward, wardShort, provinceKey, "
        "districtKey, wardKey FROM admin_units_legacy"
    ).fetchall()
    rows = 0
    with (OUT / "legacy_wards.csv").open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(
            [
                "old_province_short",
                "old_district",
                "old_district_short",
                "old_ward",
                "old_ward_short",
                "new_ward_code",
                "is_default",
            ]
        )
        for w in legacy:
            key = f"{w['provinceKey']}_{w['districtKey']}_{w['wardKey']}"
            for code, default in new_of.get(key, []):
                out.writerow(
                    [
                        nfc(w["provinceShort"]),
                        nfc(w["district"]),
                        nfc(w["districtShort"]),
                        nfc(w["ward"]),
                        nfc(w["wardShort"]),
                        code,
                        int(default),
                    ]
                )
                rows += 1
    print(f"{len(wards)} wards, {rows} legacy rows")


if __name__ == "__main__":
    main()
