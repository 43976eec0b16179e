"""Properties of intake's parsers: phone numbers, codes, SMS keywords and form, signatures,
Open311 forms. Each one either reads its input or refuses it with a named field; none raises
anything else."""

import hashlib
import hmac
import urllib.parse

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.intake.api.forms import UnreadableField, parse_urlencoded
from services.intake.api.hotline import SIGNATURE_TOLERANCE_SECONDS, signature_valid
from services.intake.api.open311 import Open311Error, read_request_form
from services.intake.domain.codes import (
    ALPHABET,
    is_tracking_code,
    new_secret,
    new_tracking_code,
    normalise_code,
    normalise_secret,
)
from services.intake.domain.protection import keyed_hash
from services.intake.usecases import SMS_PREFIXES, normalise_phone, sms_kind_and_text
from shared.contracts.events import TipKind
from shared.text import is_clean_text

PROPERTIES = settings(max_examples=200, deadline=None)
KINDS = set(TipKind.__args__)  # type: ignore[attr-defined]

# Vietnamese mobile numbers: 0 + a carrier prefix + 8 digits (e.g. 0987 654 321).
CARRIER_PREFIXES = "32 33 34 35 36 37 38 39 70 76 77 78 79 81 82 83 84 85 86 88 89 90 91 93 94"
MOBILE = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from([*CARRIER_PREFIXES.split(), "96", "97", "98"]),
    st.text(alphabet="0123456789", min_size=7, max_size=7),
)


def _spellings(national: str) -> list[str]:
    """How one number is written: 0987654321, 0987 654 321, +84 987.654.321, 84987654321."""
    grouped = f"{national[:3]} {national[3:6]} {national[6:]}"
    return [
        "0" + national,
        "0" + grouped,
        "0" + national[:3] + "-" + national[3:6] + "-" + national[6:],
        "+84" + national,
        "+84 " + grouped.replace(" ", "."),
        "84" + national,
        " 0" + national + " ",
    ]


@PROPERTIES
@given(MOBILE)
def test_every_spelling_of_a_number_normalises_to_one_e164_form(national: str) -> None:
    forms = {normalise_phone(spelling) for spelling in _spellings(national)}
    assert forms == {"+84" + national}
    # ...so a repeat caller is recognised whatever the spelling, by its keyed hash.
    assert len({keyed_hash(f, pepper="p") for f in forms}) == 1


@PROPERTIES
@given(st.text(max_size=40))
def test_phone_normalising_never_raises_and_keeps_only_digits_and_plus(raw: str) -> None:
    normalised = normalise_phone(raw)
    assert set(normalised) <= set("+0123456789")


@PROPERTIES
@given(st.data())
def test_tracking_codes_read_back_however_they_are_typed(data: st.DataObject) -> None:
    code = new_tracking_code()
    assert is_tracking_code(code)
    assert not set(code.removeprefix("TB-").replace("-", "")) - set(ALPHABET)
    compact = code.replace("-", "")
    typed = data.draw(
        st.sampled_from(
            [code.lower(), compact, compact.lower(), code.replace("-", " "), f"  {code} "]
        )
    )
    assert normalise_code(typed) == code


@PROPERTIES
@given(st.text(max_size=30))
def test_code_normalising_is_idempotent_and_the_format_check_total(raw: str) -> None:
    once = normalise_code(raw)
    assert normalise_code(once) == once
    if is_tracking_code(once):
        assert len(once) == 12 and once.startswith("TB-")


@PROPERTIES
@given(st.text(max_size=30))
def test_only_codes_of_the_drawn_shape_pass_the_format_check(raw: str) -> None:
    if is_tracking_code(raw):
        head, first, second = raw.split("-")
        assert head == "TB" and len(first) == len(second) == 4
        assert set(first + second) <= set(ALPHABET)


@PROPERTIES
@given(st.sampled_from(["lower", "compact", "spaced"]))
def test_secrets_read_back_however_they_are_typed(how: str) -> None:
    secret = new_secret()
    typed = {
        "lower": secret.lower(),
        "compact": secret.replace("-", ""),
        "spaced": secret.replace("-", " "),
    }[how]
    assert normalise_secret(typed) == secret


SMS_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)


@PROPERTIES
@given(st.sampled_from(sorted(SMS_PREFIXES)), st.sampled_from([str.upper, str.lower, str.title]))
def test_an_sms_keyword_sets_the_kind_and_is_cut_from_the_text(keyword: str, case: object) -> None:
    kind, text = sms_kind_and_text(f"  {case(keyword)} Có người môi giới mại dâm  ")  # type: ignore[operator]
    assert kind == SMS_PREFIXES[keyword]
    assert text == "Có người môi giới mại dâm"


@PROPERTIES
@given(SMS_TEXT)
def test_any_sms_gets_a_kind_and_keeps_its_words(body: str) -> None:
    kind, text = sms_kind_and_text(body)
    assert kind in KINDS
    assert body.strip().endswith(text)  # only a leading keyword is ever removed
    if kind == "feedback":
        assert text == body.strip()
    else:
        assert text and len(text) < len(body.strip())


FORM_VALUE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@PROPERTIES
@given(st.dictionaries(st.sampled_from(["sender", "body", "message_id"]), FORM_VALUE))
def test_the_sms_form_round_trips_utf8_fields(fields: dict[str, str]) -> None:
    assert parse_urlencoded(urllib.parse.urlencode(fields).encode()) == fields


@PROPERTIES
@given(st.text(alphabet=st.sampled_from("Phường Yên Nghĩa đã có 🏠 ١٢"), min_size=1, max_size=30))
def test_utf8_sent_unescaped_reads_as_sent(body: str) -> None:
    # Starlette read such a body as latin-1: "Phường" became "PhÆ°á»\x9dng".
    assume(body.strip())
    assert parse_urlencoded(f"sender=0987654321&body={body}".encode()) == {
        "sender": "0987654321",
        "body": body.replace("+", " "),
    }


@PROPERTIES
@given(st.binary(max_size=80))
def test_any_form_bytes_are_read_or_refused_naming_a_field(raw: bytes) -> None:
    try:
        form = parse_urlencoded(raw)
    except UnreadableField as error:
        assert error.field
    else:
        assert all(name and value for name, value in form.items())
        assert all(is_clean_text(name + value) for name, value in form.items())


@PROPERTIES
@given(
    st.binary(max_size=60),
    st.integers(
        min_value=-2 * SIGNATURE_TOLERANCE_SECONDS, max_value=2 * SIGNATURE_TOLERANCE_SECONDS
    ),
    st.integers(min_value=0, max_value=59),
)
def test_a_signature_holds_for_its_body_within_five_minutes_only(
    body: bytes, skew: int, flipped: int
) -> None:
    now = 1_800_000_000.0
    stamp = str(int(now) + skew)
    digest = hmac.new(b"k", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    signature = "sha256=" + digest
    fresh = abs(skew) <= SIGNATURE_TOLERANCE_SECONDS
    assert signature_valid("k", stamp, body, signature, now) is fresh
    assert not signature_valid("other", stamp, body, signature, now)
    if body:
        changed = bytearray(body)
        changed[flipped % len(body)] ^= 0x01
        assert not signature_valid("k", stamp, bytes(changed), signature, now)


@PROPERTIES
@given(st.text(max_size=30), st.text(max_size=80))
def test_forged_timestamps_and_signatures_are_refused_without_raising(
    stamp: str, signature: str
) -> None:
    assume(not signature.startswith("sha256="))
    assert not signature_valid("k", stamp, b"body", signature, 1_800_000_000.0)


OPEN311_FIELDS = st.sampled_from(
    [
        "service_code",
        "description",
        "address_string",
        "lat",
        "long",
        "attribute[venue_name]",
        "attribute[occurred_at]",
        "attribute[contact_consent]",
        "email",
        "phone",
        "first_name",
        "last_name",
    ]
)
OPEN311_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["feedback", "crime_denunciation", "true", "20.97", "105.8", "nan", "1e999"]),
    st.just("Có người môi giới mại dâm ở quán karaoke đầu ngõ"),
    st.just("2026-11-22T21:00:00+07:00"),
    st.just("ten@example.vn"),
    st.just("0987654321"),
)


@PROPERTIES
@given(st.dictionaries(OPEN311_FIELDS, OPEN311_VALUES, max_size=12))
def test_any_open311_form_becomes_a_tip_or_a_400_naming_the_field(form: dict[str, str]) -> None:
    try:
        command, contact_dropped = read_request_form(form)
    except Open311Error as error:
        assert error.code == 400
        assert error.description.split(":")[0].split(" ")[0] in {*form, "service_code"} | {
            "description",
            "email/phone",
            "first_name/last_name",
        }, error.description
        return
    assert command.kind == form["service_code"].strip()
    consented = form.get("attribute[contact_consent]", "").strip().lower() == "true"
    assert (command.contact is not None) == (
        consented
        and not contact_dropped
        and bool(form.get("email", "").strip() or form.get("phone", "").strip())
    )
    if not consented:
        assert command.contact is None


@pytest.mark.parametrize("lat", ["abc", "20,97", ""])
def test_an_unreadable_coordinate_names_its_field(lat: str) -> None:
    form = {"service_code": "feedback", "description": "x" * 12, "lat": lat, "long": "105"}
    if not lat:
        assert read_request_form(form)[0].latitude is None
        return
    with pytest.raises(Open311Error) as refused:
        read_request_form(form)
    assert refused.value.description.startswith("lat ")
