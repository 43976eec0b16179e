"""Ward resolution against the shipped post-2025 list (codes checked in wards.csv)."""

import csv

import pytest

from services.triage.domain.jurisdiction import DATA, WardDirectory


@pytest.fixture(scope="module")
def wards() -> WardDirectory:
    return WardDirectory.load()


def test_the_list_has_every_current_ward() -> None:
    with (DATA / "wards.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 3321
    assert len({r["province_code"] for r in rows}) == 34
    assert sum(r["province_code"] == "01" for r in rows) == 126  # Hà Nội
    assert {r["ward_code"]: r["ward_name"] for r in rows}["09562"] == "Phường Yên Nghĩa"


@pytest.mark.parametrize(
    ("address", "code", "method"),
    [
        # Current names, with and without diacritics and abbreviations.
        ("Số 12 ngõ 5 Quang Trung, Phường Yên Nghĩa, Hà Nội", "09562", "address"),
        ("so 12 ngo 5 quang trung p yen nghia ha noi", "09562", "address"),
        ("P.Yên Nghĩa, HN", "09562", "address"),
        ("PHƯỜNG YÊN NGHĨA - HÀ NỘI", "09562", "address"),
        ("Phường Hoàn Kiếm, Hà Nội", "00070", "address"),
        ("Phường Ba Đình, Hà Nội", "00004", "address"),
        ("phuong ba dinh ha noi", "00004", "address"),
        ("Phường Đống Đa, TP Hà Nội", "00235", "address"),
        ("Phường Cầu Giấy, Hà Nội", "00166", "address"),
        ("Phường Hoàng Mai, Hà Nội", "00331", "address"),
        ("Phường Sài Gòn, TP Hồ Chí Minh", "26740", "address"),
        ("Phường Bến Thành, TP.HCM", "26743", "address"),
        ("phuong ben thanh tphcm", "26743", "address"),
        ("Phường An Khánh, TP HCM", "27094", "address"),
        ("Xã Bình Chánh, TP HCM", "27637", "address"),
        # Old tone placement (Hoà / Hòa) and the province naming which Hòa Bình.
        ("Phường Hoà Bình, Phú Thọ", "04795", "address"),
        ("Phường Hòa Bình, Hải Phòng", "11533", "address"),
        # Old addresses with the districts people still write.
        ("Phường Hàng Trống, Quận Hoàn Kiếm, Hà Nội", "00070", "legacy_address"),
        ("phuong hang trong quan hoan kiem", "00070", "legacy_address"),
        ("Phường Kim Liên, Quận Đống Đa, Hà Nội", "00229", "legacy_address"),
        ("Ngõ 1 Phường Láng Hạ, Quận Đống Đa", "00199", "legacy_address"),
        ("Phường Dịch Vọng, Q. Cầu Giấy, Hà Nội", "00166", "legacy_address"),
        ("phường hoàng liệt quận hoàng mai", "00337", "legacy_address"),
        ("12 Nguyễn Huệ, P. Bến Nghé, Q.1, TP.HCM", "26740", "legacy_address"),
        ("P.Tân Định, Q.1, Sài Gòn", "26737", "legacy_address"),
        # Numbered wards of Sài Gòn: "P.12", "F12", with the old district.
        ("P.12 Q.Gò Vấp TPHCM", "26882", "legacy_address"),
        ("F12 Q. Go Vap, Sai Gon", "26882", "legacy_address"),
        ("Phường 15, Quận Tân Bình, TPHCM", "27007", "legacy_address"),
    ],
)
def test_addresses_resolve(wards: WardDirectory, address: str, code: str, method: str) -> None:
    found = wards.resolve(address)
    assert found.ward is not None, found.reasons
    assert (found.ward.code, found.method) == (code, method), found.reasons
    assert 0.5 <= found.confidence <= 1 and found.reasons


@pytest.mark.parametrize(
    "address",
    [
        "Phường Tân Phong",  # in several provinces: never guessed
        "phường hoà bình",
        "abc xyz",
        "",
        "Quán karaoke đầu ngõ, không rõ địa chỉ",
        "Phường 7, Quận 3, TP.HCM",  # merged before 2025: not in the dataset's old list
        "Huyện Thanh Trì",  # a district is not a ward
    ],
)
def test_unclear_addresses_go_to_manual_triage(wards: WardDirectory, address: str) -> None:
    found = wards.resolve(address)
    assert (found.ward, found.method) == (None, "unresolved")
    assert found.reasons


def test_ambiguity_names_the_candidates(wards: WardDirectory) -> None:
    reasons = " ".join(wards.resolve("phường hoà bình").reasons)
    assert "Hải Phòng" in reasons and "cần ghi rõ tỉnh/thành" in reasons


def test_a_ward_code_wins_and_unknown_codes_fall_back_to_the_address(
    wards: WardDirectory,
) -> None:
    assert wards.resolve("bất kỳ", ward_code="09562").method == "code"
    fallback = wards.resolve("Phường Ba Đình, Hà Nội", ward_code="99999")
    assert (fallback.ward.code, fallback.method) == ("00004", "address")


def test_coordinates_give_the_nearest_ward_as_an_estimate(wards: WardDirectory) -> None:
    found = wards.resolve(None, latitude=20.9391, longitude=105.736)
    assert (found.ward.code, found.method, found.confidence) == ("09562", "coordinates", 0.5)
    assert wards.resolve(None, latitude=10.0, longitude=108.5).method == "unresolved"  # at sea
