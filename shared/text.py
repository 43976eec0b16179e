"""Vietnamese text folding: compare words without regard to diacritics, case or tone placement."""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def strip_marks(text: str) -> str:
    """Remove diacritics and map đ/Đ to d/D, keeping case (e.g. for SMS replies)."""
    decomposed = unicodedata.normalize("NFD", text)
    without_marks = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without_marks.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Return text without diacritics, lower-cased, with đ/Đ as d and spaces collapsed.

    Old and new tone placement ("Hoà" / "Hòa") fold to the same string because the
    tone mark is dropped wherever it sits.
    """
    return _WHITESPACE.sub(" ", strip_marks(text).casefold()).strip()


def fold_words(text: str) -> str:
    """Fold text and replace punctuation with spaces, for keyword and address matching."""
    return _WHITESPACE.sub(" ", _PUNCTUATION.sub(" ", fold(text))).strip()
