"""Strict reading of form-encoded bodies (the SMS gateway and Open311 clients send them)."""

import urllib.parse

from shared.text import is_clean_text


class UnreadableField(ValueError):
    """A form field that is not UTF-8 text (or holds control characters)."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} is not UTF-8 text")
        self.field = field


def parse_urlencoded(raw: bytes) -> dict[str, str]:
    """Read an application/x-www-form-urlencoded body; the first value of each field wins.

    Starlette decodes such a body as latin-1 and percent-escapes with "replace": UTF-8 sent
    unescaped turned into mojibake and invalid bytes into U+FFFD, silently. Here bytes that
    are not UTF-8 (raw or percent-encoded) survive as lone surrogates and are refused, naming
    the field. Blank values are dropped (an empty field counts as missing), and so are
    unnamed fields.
    """
    text = raw.decode("utf-8", "surrogateescape")
    form: dict[str, str] = {}
    for name, value in urllib.parse.parse_qsl(text, errors="surrogateescape"):
        if not name:
            continue
        if not is_clean_text(name):
            raise UnreadableField("body")
        if not is_clean_text(value):
            raise UnreadableField(name)
        form.setdefault(name, value)
    return form
