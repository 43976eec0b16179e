"""Vietnamese text folding: compare words without regard to diacritics, case or tone placement."""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
# C0 control characters except tab, line feed and carriage return; and lone surrogates.
_UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def is_clean_text(text: str) -> bool:
    """Say whether text is free of control characters (tab and line breaks allowed) and of
    lone surrogates.

    PostgreSQL refuses NUL in text and JSON, and a lone surrogate cannot be encoded as UTF-8,
    so either would fail deep in a transaction; other control characters only hide or
    rearrange what a reader sees. Checked at the edge, they become a 422 naming the field.
    """
    return _UNFIT.search(text) is None


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
