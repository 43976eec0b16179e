"""Properties of Vietnamese text folding, the clean-text check and validation problems."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.domain.submission import SubmitTip
from shared.problems import validation_problem
from shared.text import fold, fold_words, is_clean_text, strip_marks

# Vietnamese letters with every tone, in both cases, as people type them (precomposed).
VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_TEXT = st.text(
    alphabet=VIETNAMESE + VIETNAMESE.upper() + "0123456789 ,.-/()\n\t", max_size=80
)
TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
PROPERTIES = settings(max_examples=200, deadline=None)


@PROPERTIES
@given(st.text(max_size=80))
def test_folding_any_text_is_idempotent_and_never_raises(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert fold_words(fold_words(text)) == fold_words(text)


@PROPERTIES
@given(VIETNAMESE_TEXT)
def test_folded_vietnamese_is_lower_case_ascii_without_marks(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert "  " not in folded and folded == folded.strip()


@PROPERTIES
@given(VIETNAMESE_TEXT)
def test_folding_ignores_case_and_unicode_normal_form(text: str) -> None:
    for variant in (
        text.upper(),
        text.lower(),
        unicodedata.normalize("NFD", text),
        unicodedata.normalize("NFC", text),
    ):
        assert fold(variant) == fold(text)


@PROPERTIES
@given(
    st.lists(
        st.tuples(st.sampled_from(["oa", "oe", "uy", "ua", "uo"]), st.sampled_from(TONES)),
        min_size=1,
        max_size=6,
    )
)
def test_old_and_new_tone_placement_fold_alike(syllables: list[tuple[str, str]]) -> None:
    # "Hoà" / "Hòa": the tone mark on the first or the second vowel.
    on_first = " ".join(f"h{pair[0]}{tone}{pair[1]}" for pair, tone in syllables)
    on_second = " ".join(f"h{pair}{tone}" for pair, tone in syllables)
    assert fold(unicodedata.normalize("NFC", on_first)) == fold(
        unicodedata.normalize("NFC", on_second)
    )


@PROPERTIES
@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " .,0123456789", max_size=160))
def test_sms_text_keeps_length_and_becomes_ascii(text: str) -> None:
    # An SMS reply in GSM-7 holds 160 characters; marks must not make it longer or non-ASCII.
    stripped = strip_marks(text)
    assert stripped.isascii()
    assert len(stripped) == len(text)


@PROPERTIES
@given(st.text(max_size=60))
def test_fold_words_leaves_only_words_and_single_spaces(text: str) -> None:
    folded = fold_words(text)
    assert all(re.fullmatch(r"\w+", word) for word in folded.split(" ") if folded)


def _clean_by_definition(text: str) -> bool:
    return not any(
        (ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in text
    )


@PROPERTIES
@given(st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0xFFFF)))
def test_clean_text_refuses_exactly_control_characters_and_lone_surrogates(text: str) -> None:
    assert is_clean_text(text) is _clean_by_definition(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
TIP_FIELDS = st.sampled_from(
    ["kind", "text", "address", "ward_code", "latitude", "longitude", "occurred_at", "contact"]
)


@PROPERTIES
@given(st.dictionaries(TIP_FIELDS | st.text(max_size=8), JSON_VALUES, max_size=6))
def test_every_refused_tip_body_becomes_a_problem_naming_fields(body: dict[str, object]) -> None:
    try:
        SubmitTip.model_validate(body)
    except ValidationError as error:
        problem = validation_problem(error.errors())
    else:
        return
    assert problem.status == 422 and problem.errors
    for field_error in problem.errors:
        assert field_error.field
        assert field_error.message.vi.strip() and field_error.message.en.strip()


@pytest.mark.parametrize("year", [1, 9999])
def test_times_without_a_utc_value_are_refused_with_the_field(year: int) -> None:
    offset = "+14:00" if year == 1 else "-14:00"
    with pytest.raises(ValidationError) as refused:
        SubmitTip.model_validate(
            {"kind": "feedback", "text": "x" * 12, "occurred_at": f"{year:04d}-01-01T00:00{offset}"}
        )
    assert [e["loc"] for e in refused.value.errors()] == [("occurred_at",)]
