"""Ward resolution against the shipped post-2025 list; expectations are checked in the CSV files."""

import csv
import time
import unicodedata
from collections import defaultdict
from functools import cache

import pytest

from services.triage.domain.jurisdiction import DATA, Resolution, WardDirectory, unit_key
from shared.text import fold

HANOI, HCMC = "01", "79"


@cache
def ward_rows() -> tuple[dict[str, str], ...]:
    """Return the rows of wards.csv."""
    with (DATA / "wards.csv").open(encoding="utf-8", newline="") as file:
        return tuple(csv.DictReader(file))


@cache
def legacy_rows() -> tuple[dict[str, str], ...]:
    """Return the rows of legacy_wards.csv."""
    with (DATA / "legacy_wards.csv").open(encoding="utf-8", newline="") as file:
        return tuple(csv.DictReader(file))


def name_of(code: str) -> tuple[str, str]:
    """Return (ward name, province code) of a code, straight from wards.csv."""
    row = next(r for r in ward_rows() if r["ward_code"] == code)
    return row["ward_name"], row["province_code"]


def code(found: Resolution) -> str | None:
    """Return the code of the ward found, or None."""
    return found.ward.code if found.ward else None


def default_target(old_ward: str, old_district: str) -> str:
    """Return the new ward code legacy_wards.csv gives an old ward by default."""
    rows = [
        r
        for r in legacy_rows()
        if r["old_ward"] == old_ward
        and r["old_district"] == old_district
        and r["is_default"] == "1"
    ]
    assert len(rows) == 1, (old_ward, old_district, rows)
    return rows[0]["new_ward_code"]


@pytest.fixture(scope="module")
def wards() -> WardDirectory:
    return WardDirectory.load()


# ----------------------------------------------------------------------------- the data


def test_the_list_has_every_current_ward() -> None:
    rows = ward_rows()
    assert len(rows) == 3321
    assert len({r["ward_code"] for r in rows}) == 3321
    assert len({r["province_code"] for r in rows}) == 34
    assert sum(r["province_code"] == HANOI for r in rows) == 126
    assert sum(r["province_code"] == HCMC for r in rows) == 168
    assert name_of("09562") == ("Phường Yên Nghĩa", HANOI)
    assert all(r["latitude"] and r["longitude"] for r in rows)


def test_the_files_are_nfc_utf8_and_small() -> None:
    for name in ("wards.csv", "legacy_wards.csv"):
        text = (DATA / name).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), name
    assert (DATA / "legacy_wards.csv").stat().st_size < 3_000_000
    assert "MIT" in (DATA / "WARDS_SOURCE.md").read_text(encoding="utf-8")


def test_every_old_ward_maps_to_current_wards_with_one_default() -> None:
    codes = {r["ward_code"] for r in ward_rows()}
    defaults: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in legacy_rows():
        assert row["new_ward_code"] in codes
        defaults[(row["old_province"], row["old_district_code"], row["old_ward_code"])] += int(
            row["is_default"]
        )
    assert set(defaults.values()) == {1}
    assert len(defaults) == 10040  # 10,035 old wards and 5 island districts without wards
    provinces = {r["old_province"] for r in legacy_rows()}
    assert len(provinces) == 63 and {"Thành phố Hà Nội", "Thành phố Hồ Chí Minh"} <= provinces


def test_stored_keys_match_the_code_that_reads_them() -> None:
    for row in ward_rows():
        assert row["ward_key"] == unit_key(row["ward_name"]), row
    for row in legacy_rows():
        assert row["old_district_key"] == unit_key(row["old_district"]), row
        assert row["old_ward_key"] == (unit_key(row["old_ward"]) if row["old_ward"] else ""), row


# ----------------------------------------------------------------------------- addresses

# (address, expected code, expected name, method); names are checked against wards.csv.
CURRENT = [
    ("Số 12 ngõ 5 Quang Trung, Phường Yên Nghĩa, Hà Nội", "09562", "Phường Yên Nghĩa"),
    ("so 12 ngo 5 quang trung p yen nghia ha noi", "09562", "Phường Yên Nghĩa"),
    ("P.Yên Nghĩa, HN", "09562", "Phường Yên Nghĩa"),
    ("PHƯỜNG YÊN NGHĨA - HÀ NỘI", "09562", "Phường Yên Nghĩa"),
    ("Phường Hoàn Kiếm, Thành phố Hà Nội", "00070", "Phường Hoàn Kiếm"),
    ("phuong hoan kiem tp ha noi", "00070", "Phường Hoàn Kiếm"),
    ("Phường Ba Đình, Hà Nội", "00004", "Phường Ba Đình"),
    ("Ph. Cầu Giấy, Hà Nội", "00166", "Phường Cầu Giấy"),
    ("Phường Láng, Hà Nội", "00199", "Phường Láng"),
    ("P. Phương Liệt, HN", "00352", "Phường Phương Liệt"),
    ("Phường Tây Hồ, Hà Nội", "00103", "Phường Tây Hồ"),
    ("Xã Bát Tràng, Hà Nội", "00577", "Xã Bát Tràng"),
    ("x bat trang ha noi", "00577", "Xã Bát Tràng"),
    ("Phường Hoà Bình, Phú Thọ", "04795", "Phường Hòa Bình"),  # old tone placement
    ("Phường Hòa Bình, Hải Phòng", "11533", "Phường Hòa Bình"),
    ("Phường Sài Gòn, TP.HCM", "26740", "Phường Sài Gòn"),
    ("Phường Bến Thành, TP. Hồ Chí Minh", "26743", "Phường Bến Thành"),
    ("phuong ben thanh tphcm", "26743", "Phường Bến Thành"),
    ("Xã Bình Chánh, TP HCM", "27637", "Xã Bình Chánh"),
    ("Xã Hóc Môn, Thành phố Hồ Chí Minh", "27559", "Xã Hóc Môn"),
    ("123 Lê Lợi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh", "26743", "Phường Bến Thành"),
    ("P.Tân Định, Q.1, Sài Gòn", "26737", "Phường Tân Định"),
    ("Phường Tân Phong, Lai Châu", "03408", "Phường Tân Phong"),
]

# (address, expected code, expected name, old ward and old district it reads).
LEGACY = [
    (
        "Phường Hàng Trống, Quận Hoàn Kiếm, Hà Nội",
        "00070",
        "Phường Hoàn Kiếm",
        ("Phường Hàng Trống", "Quận Hoàn Kiếm"),
    ),
    (
        "phuong hang trong quan hoan kiem",
        "00070",
        "Phường Hoàn Kiếm",
        ("Phường Hàng Trống", "Quận Hoàn Kiếm"),
    ),
    (
        "Ngõ 7 Hàng Bạc, Phường Hàng Buồm, Quận Hoàn Kiếm, Hà Nội",
        "00070",
        "Phường Hoàn Kiếm",
        ("Phường Hàng Buồm", "Quận Hoàn Kiếm"),
    ),
    (
        "Số 1 Đại Cồ Việt, Phường Bách Khoa, Quận Hai Bà Trưng, Hà Nội",
        "00292",
        "Phường Bạch Mai",
        ("Phường Bách Khoa", "Quận Hai Bà Trưng"),
    ),
    (
        "ngõ 158 Nguyễn Khánh Toàn, P. Quan Hoa, Q. Cầu Giấy, HN",
        "00160",
        "Phường Nghĩa Đô",
        ("Phường Quan Hoa", "Quận Cầu Giấy"),
    ),
    (
        "Phường Dịch Vọng Hậu, Cầu Giấy",
        "00166",
        "Phường Cầu Giấy",
        ("Phường Dịch Vọng Hậu", "Quận Cầu Giấy"),
    ),
    ("Phúc Xá, Ba Đình", "00097", "Phường Hồng Hà", ("Phường Phúc Xá", "Quận Ba Đình")),
    ("phuc xa ba dinh ha noi", "00097", "Phường Hồng Hà", ("Phường Phúc Xá", "Quận Ba Đình")),
    (
        "Phường Văn Quán, Quận Hà Đông, Hà Nội",
        "09556",
        "Phường Hà Đông",
        ("Phường Văn Quán", "Quận Hà Đông"),
    ),
    (
        "Thị trấn Trâu Quỳ, Huyện Gia Lâm",
        "00565",
        "Xã Gia Lâm",
        ("Thị trấn Trâu Quỳ", "Huyện Gia Lâm"),
    ),
    (
        "12 Nguyễn Huệ, P. Bến Nghé, Q.1, TP.HCM",
        "26740",
        "Phường Sài Gòn",
        ("Phường Bến Nghé", "Quận 1"),
    ),
    ("Bến Nghé, Quận 1", "26740", "Phường Sài Gòn", ("Phường Bến Nghé", "Quận 1")),
    # Numbered wards of Sài Gòn: "P.12", "F12", "phuong 12", always with their old district.
    ("P.12 Q.Gò Vấp TPHCM", "26882", "Phường An Hội Tây", ("Phường 12", "Quận Gò Vấp")),
    ("F12 Q. Go Vap, Sai Gon", "26882", "Phường An Hội Tây", ("Phường 12", "Quận Gò Vấp")),
    ("phuong 12 quan go vap", "26882", "Phường An Hội Tây", ("Phường 12", "Quận Gò Vấp")),
    (
        "Hẻm 51 Cao Thắng, Phường 3, Quận 3, TP.HCM",
        "27154",
        "Phường Bàn Cờ",
        ("Phường 3", "Quận 3"),
    ),
    (
        "Phường 15, Quận Tân Bình, TPHCM",
        "27007",
        "Phường Tân Sơn",
        ("Phường 15", "Quận Tân Bình"),
    ),
    ("F.25 Q.Bình Thạnh", "26956", "Phường Thạnh Mỹ Tây", ("Phường 25", "Quận Bình Thạnh")),
    ("Phường 1, Quận 10, Hồ Chí Minh", "27190", "Phường Vườn Lài", ("Phường 1", "Quận 10")),
    # Names merged before 2025 that people still write (the source's aliases).
    (
        "Phường 7, Quận 3, TP.HCM",
        "27139",
        "Phường Xuân Hòa",
        ("Phường Võ Thị Sáu", "Quận 3"),
    ),
    (
        "Phường Trung Tự, Quận Đống Đa",
        "00229",
        "Phường Kim Liên",
        ("Phường Kim Liên", "Quận Đống Đa"),
    ),
    # Quận 2 and Quận 9, merged into Thành phố Thủ Đức in 2021.
    (
        "Phường Thảo Điền, Quận 2",
        "27094",
        "Phường An Khánh",
        ("Phường Thảo Điền", "Thành phố Thủ Đức"),
    ),
    (
        "Phường Long Thạnh Mỹ, Quận 9, TP HCM",
        "26833",
        "Phường Long Bình",
        ("Phường Long Thạnh Mỹ", "Thành phố Thủ Đức"),
    ),
    (
        "P. Hiệp Bình Chánh, TP Thủ Đức",
        "26809",
        "Phường Hiệp Bình",
        ("Phường Hiệp Bình Chánh", "Thành phố Thủ Đức"),
    ),
    (
        "Phường Phú Cường, Thủ Dầu Một, Bình Dương",
        "25747",
        "Phường Thủ Dầu Một",
        ("Phường Phú Cường", "Thành phố Thủ Dầu Một"),
    ),
    (
        "Phường Tân Phong, Quận 7",
        "27475",
        "Phường Tân Hưng",
        ("Phường Tân Phong", "Quận 7"),
    ),
    ("Huyện Côn Đảo", "26732", "Đặc khu Côn Đảo", ("", "Huyện Côn Đảo")),
]


@pytest.mark.parametrize(("address", "code", "name"), CURRENT)
def test_current_names_resolve(wards: WardDirectory, address: str, code: str, name: str) -> None:
    assert name_of(code)[0] == name  # the expectation itself, from the dataset
    found = wards.resolve(address)
    assert found.ward is not None, found.reasons
    assert (found.ward.code, found.method) == (code, "address"), found.reasons
    assert 0.7 <= found.confidence <= 1 and found.reasons


@pytest.mark.parametrize(("address", "code", "name", "old"), LEGACY)
def test_old_addresses_resolve_through_the_map(
    wards: WardDirectory, address: str, code: str, name: str, old: tuple[str, str]
) -> None:
    assert name_of(code)[0] == name and default_target(*old) == code
    found = wards.resolve(address)
    assert found.ward is not None, found.reasons
    assert (found.ward.code, found.method) == (code, "legacy_address"), found.reasons
    assert 0.3 <= found.confidence <= 0.95
    assert any("Địa chỉ cũ" in reason for reason in found.reasons)


def test_a_split_old_ward_names_every_candidate_and_takes_the_default(
    wards: WardDirectory,
) -> None:
    found = wards.resolve("Phường Hàng Trống, Quận Hoàn Kiếm, Hà Nội")
    split = next(r for r in found.reasons if "nay thuộc 2 phường/xã" in r)
    assert "00070" in split and "00082" in split and "mặc định" in split
    assert found.confidence < 0.75  # lower than an unsplit old ward


def test_coordinates_choose_among_the_candidates_of_a_split_old_ward(
    wards: WardDirectory,
) -> None:
    lat, lon = (float(x) for x in _centroid("00082"))  # Phường Cửa Nam
    found = wards.resolve("Phường Hàng Trống, Quận Hoàn Kiếm", latitude=lat, longitude=lon)
    assert found.ward is not None and found.ward.code == "00082"
    assert "gần toạ độ" in " ".join(found.reasons)


def test_an_old_district_with_a_current_ward_name_reads_the_old_map(wards: WardDirectory) -> None:
    # Old An Phú of Quận 2 (Thủ Đức) is not today's Phường An Phú (ex-Bình Dương).
    old = wards.resolve("Phường An Phú, Quận 2, TP.HCM")
    assert old.ward is not None and old.ward.code == default_target(
        "Phường An Phú", "Thành phố Thủ Đức"
    )
    assert old.method == "legacy_address" and "25975" in " ".join(old.reasons)
    current = wards.resolve("Phường An Phú, TP.HCM")
    assert current.ward is not None and (current.ward.code, current.method) == ("25975", "address")


# ----------------------------------------------------------------------------- never a guess


@pytest.mark.parametrize(
    ("address", "listed"),
    [
        ("Phường Tân Phong", ("03408", "26188", "27475")),  # Lai Châu; Biên Hòa and Quận 7 (old)
        ("phuong tan phong", ("03408", "27475")),
        ("phường hoà bình", ("04795", "11533", "27211")),
        ("Phường Ba Đình", ("00004", "14797")),  # Hà Nội, and old Ba Đình of Thanh Hóa
        ("Phường Hoàn Kiếm gần phường Cửa Nam, Hà Nội", ("00070", "00082")),
    ],
)
def test_ambiguous_names_are_listed_not_guessed(
    wards: WardDirectory, address: str, listed: tuple[str, ...]
) -> None:
    found = wards.resolve(address)
    assert (found.ward, found.method, found.confidence) == (None, "unresolved", 0.0)
    reasons = " ".join(found.reasons)
    assert all(code in reasons for code in listed), reasons
    assert {c.code for c in found.candidates} >= set(listed)
    assert "phân loại thủ công" in reasons


@pytest.mark.parametrize(
    ("hint", "code"),
    [("Lai Châu", "03408"), ("12", "03408"), ("TP HCM", "27475"), ("Đồng Nai", "26188")],
)
def test_a_province_hint_settles_an_ambiguous_name(
    wards: WardDirectory, hint: str, code: str
) -> None:
    found = wards.resolve("Phường Tân Phong", province_hint=hint)
    assert found.ward is not None and found.ward.code == code, found.reasons


def test_the_province_in_the_text_wins_over_the_hint(wards: WardDirectory) -> None:
    found = wards.resolve("Phường Hòa Bình, Hải Phòng", province_hint="Hà Nội")
    assert found.ward is not None and found.ward.code == "11533"


def test_diacritics_tell_apart_names_that_fold_alike(wards: WardDirectory) -> None:
    accented = wards.resolve("Xã Thanh An, Thành phố Hồ Chí Minh")
    assert accented.ward is not None and accented.ward.code == "25807"
    assert code(wards.resolve("Xã Thạnh An, TP.HCM")) == "27676"
    assert wards.resolve("xa thanh an, tp hcm").ward is None  # without marks: both are listed


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "abc xyz",
        "!!!@@@###",
        "Quán karaoke đầu ngõ, không rõ địa chỉ",
        "12 Hàng Bạc",  # a street, no ward
        "Huyện Thanh Trì",  # a district is no ward
        "Quận 1, TP.HCM",
        "Hà Nội",
        "Phường 12",  # numbered wards need their old district
        "Phường 9, Quận 9",  # Quận 9 had no numbered wards
        "Phường Yên Nghĩa, TP HCM",  # no such ward in that province
        "x" * 5000,
    ],
)
def test_unclear_addresses_go_to_manual_triage(wards: WardDirectory, address: str) -> None:
    found = wards.resolve(address)
    assert (found.ward, found.method, found.confidence) == (None, "unresolved", 0.0)
    assert found.reasons and found.reasons[-1].endswith("cần phân loại thủ công")


def test_none_address_and_nothing_else(wards: WardDirectory) -> None:
    found = wards.resolve(None)
    assert (found.ward, found.method) == (None, "unresolved")
    assert "Không có địa chỉ" in found.reasons


# ----------------------------------------------------------------------------- codes


def test_a_ward_code_wins_over_the_address(wards: WardDirectory) -> None:
    found = wards.resolve("Phường Ba Đình, Hà Nội", ward_code="09562")
    assert (code(found), found.method, found.confidence) == ("09562", "code", 1.0)
    assert code(wards.resolve(None, ward_code=" 9562 ")) == "09562"


def test_an_unknown_code_is_said_and_the_address_used(wards: WardDirectory) -> None:
    found = wards.resolve("Phường Ba Đình, Hà Nội", ward_code="99999")
    assert (code(found), found.method) == ("00004", "address")
    assert "99999" in found.reasons[0]
    alone = wards.resolve(None, ward_code="ABC")
    assert (alone.ward, alone.method) == (None, "unresolved") and "ABC" in alone.reasons[0]


def test_look_ups(wards: WardDirectory) -> None:
    assert len(wards) == 3321 and sum(1 for _ in wards) == 3321
    assert wards.name_of("00070") == "Phường Hoàn Kiếm"
    assert wards.by_code("nope") is None and wards.by_code(None) is None
    assert wards.name_of("26743") == "Phường Bến Thành" and wards.name_of("00000") is None
    assert wards.province_code("HN") == HANOI and wards.province_code("Sài Gòn") == HCMC
    assert wards.province_code("79") == HCMC and wards.province_code("Tỉnh Xyz") is None
    assert WardDirectory.load() is wards  # built once per process


# ----------------------------------------------------------------------------- coordinates


def _centroid(code: str) -> tuple[str, str]:
    row = next(r for r in ward_rows() if r["ward_code"] == code)
    return row["latitude"], row["longitude"]


def test_coordinates_give_the_nearest_ward_as_an_estimate(wards: WardDirectory) -> None:
    lat, lon = (float(x) for x in _centroid("09562"))
    found = wards.resolve(None, latitude=lat + 0.002, longitude=lon - 0.002)
    assert (code(found), found.method) == ("09562", "coordinates")
    assert found.confidence <= 0.5 and "ước lượng" in found.reasons[0]
    lake = wards.resolve("không rõ", latitude=21.0285, longitude=105.8542)  # Hồ Hoàn Kiếm
    assert lake.ward is not None and lake.ward.code == "00070"


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(10.0, 108.5), (91.0, 0.0), (float("nan"), 105.0), (48.85, 2.35)],  # at sea, bad, Paris
)
def test_far_or_invalid_coordinates_resolve_nothing(
    wards: WardDirectory, latitude: float, longitude: float
) -> None:
    found = wards.resolve(None, latitude=latitude, longitude=longitude)
    assert (found.ward, found.method) == (None, "unresolved")


def test_coordinates_settle_an_ambiguous_name(wards: WardDirectory) -> None:
    lat, lon = (float(x) for x in _centroid("03408"))
    found = wards.resolve("Phường Tân Phong", latitude=lat, longitude=lon)
    assert found.ward is not None and found.ward.code == "03408"
    assert "toạ độ" in found.reasons[0]


def test_coordinates_far_from_the_address_lower_confidence(wards: WardDirectory) -> None:
    plain = wards.resolve("Phường Yên Nghĩa, Hà Nội")
    far = wards.resolve("Phường Yên Nghĩa, Hà Nội", latitude=10.77, longitude=106.70)
    assert far.ward == plain.ward and far.confidence < plain.confidence
    assert "cần kiểm tra" in far.reasons[-1]


# ----------------------------------------------------------------------------- whole lists


def test_every_current_ward_resolves_from_its_name_and_province(wards: WardDirectory) -> None:
    wrong = [
        r["ward_code"]
        for r in ward_rows()
        if code(wards.resolve(f"{r['ward_name']}, {r['province_name']}")) != r["ward_code"]
    ]
    assert wrong == []


@pytest.mark.parametrize("province", ["Thành phố Hà Nội", "Thành phố Hồ Chí Minh"])
def test_every_old_ward_of_the_two_cities_resolves_with_and_without_marks(
    wards: WardDirectory, province: str
) -> None:
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in legacy_rows():
        if row["old_province"] == province and row["old_ward"]:
            targets[(row["old_ward"], row["old_district"])].add(row["new_ward_code"])
    assert len(targets) == {"Thành phố Hà Nội": 526, "Thành phố Hồ Chí Minh": 273}[province]
    for (ward, district), codes in targets.items():
        for address in (f"{ward}, {district}, {province}", fold(f"{ward}, {district}")):
            found = wards.resolve(address)
            assert found.ward is not None and found.ward.code in codes, (address, found.reasons)


def test_resolving_is_fast(wards: WardDirectory) -> None:
    addresses = [a for a, *_ in CURRENT + LEGACY] * 10
    start = time.perf_counter()
    for address in addresses:
        wards.resolve(address)
    per_address = (time.perf_counter() - start) / len(addresses)
    assert per_address < 0.005  # typically 0.1–0.3 ms; the margin is for slow CI machines
