"""Properties of the ward resolver: whatever the address text, it answers a ward or the
manual-triage pool, and never raises (a raise dead-letters the tip: it never becomes a case)."""

import math
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.domain.jurisdiction import (
    METHOD_CODE,
    METHOD_UNRESOLVED,
    UNRESOLVED_REASON,
    Resolution,
    WardDirectory,
)

PROPERTIES = settings(max_examples=150, deadline=None)
METHODS = {"code", "address", "legacy_address", "coordinates", "unresolved"}


@cache
def wards() -> WardDirectory:
    return WardDirectory.load()


@cache
def ward_names() -> tuple[str, ...]:
    return tuple(w.name for w in wards())


def _check(resolution: Resolution) -> None:
    assert resolution.method in METHODS
    if resolution.ward is None:
        assert resolution.method == METHOD_UNRESOLVED
        assert resolution.confidence == 0.0
        assert resolution.reasons[-1] == UNRESOLVED_REASON
    else:
        assert wards().by_code(resolution.ward.code) == resolution.ward
        assert 0.0 < resolution.confidence <= 1.0
        assert resolution.reasons  # the officer always sees why
    assert all(w.code for w in resolution.candidates)


# Pieces of real addresses, with the noise people and phones add: abbreviations glued to
# numbers, superscript and circled digits, other scripts' digits, emoji, combining marks,
# right-to-left overrides, stray punctuation.
NOISE = st.sampled_from(
    [
        "P.",
        "Ph.",
        "F",
        "X.",
        "Q.",
        "TP.",
        "TP.HCM",
        "HN",
        "Sài Gòn",
        "Quận",
        "Huyện",
        "Phường",
        "Xã",
        "số",
        "ngõ",
        "đường",
        ",",
        ";",
        "(",
        ")",
        "-",
        "—",
        "\n",
        "12",
        "007",
        "²",
        "①",
        "١٢",
        "𝟏𝟐",
        "🏠",
        "\u202e",
        "\u0301\u0301\u0301",
        "P²",
        "Q①",
        "x" * 40,
    ]
)
ADDRESS_PART = st.one_of(
    NOISE, st.builds(lambda: None).flatmap(lambda _: st.sampled_from(ward_names())), st.text()
)
ADDRESS = st.lists(ADDRESS_PART, max_size=10).map(" ".join)
COORDINATE = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))


@PROPERTIES
@given(
    ADDRESS,
    st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["09562", "26882", "99999"])),
    COORDINATE,
    COORDINATE,
    st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["HN", "01", "Huế"])),
)
def test_any_address_resolves_to_a_ward_or_the_manual_pool(
    address: str,
    ward_code: str | None,
    latitude: float | None,
    longitude: float | None,
    hint: str | None,
) -> None:
    resolution = wards().resolve(address, ward_code, latitude, longitude, hint)
    _check(resolution)
    assert wards().resolve(address, ward_code, latitude, longitude, hint) == resolution


@PROPERTIES
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_breaks_the_resolver(address: str) -> None:
    _check(wards().resolve(address))


@PROPERTIES
@given(st.data(), ADDRESS)
def test_a_known_ward_code_wins_over_any_address_text(data: st.DataObject, address: str) -> None:
    ward = data.draw(st.sampled_from(list(wards())))
    resolution = wards().resolve(address, ward_code=ward.code)
    assert resolution.ward == ward
    assert resolution.method == METHOD_CODE and resolution.confidence == 1.0


@PROPERTIES
@given(st.data())
def test_a_ward_named_with_its_province_resolves_to_itself_whatever_the_case(
    data: st.DataObject,
) -> None:
    ward = data.draw(st.sampled_from(list(wards())))
    same_name = [
        w for w in wards() if w.name == ward.name and w.province_code == ward.province_code
    ]
    address = f"{ward.name}, {ward.province_name}"
    for written in (address, address.upper(), address.lower()):
        resolution = wards().resolve(written)
        _check(resolution)
        if len(same_name) == 1:
            assert resolution.ward == ward, (written, resolution)


@PROPERTIES
@given(
    st.floats(min_value=8.0, max_value=24.0, allow_nan=False),
    st.floats(min_value=102.0, max_value=110.0, allow_nan=False),
)
def test_coordinates_alone_give_a_nearby_ward_or_the_manual_pool(lat: float, lon: float) -> None:
    resolution = wards().resolve(None, latitude=lat, longitude=lon)
    _check(resolution)
    if resolution.ward is not None and resolution.ward.latitude is not None:
        assert resolution.method == "coordinates"
        assert math.isfinite(resolution.confidence)
