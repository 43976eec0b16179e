"""The console's words: every message in both languages, every key a template uses exists."""

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.console.i18n import LABELS, MESSAGES, Translator, choose_language

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "console" / "templates"
PAGES = Path(__file__).resolve().parents[3] / "services" / "console"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders() -> None:
    for key, (vietnamese, english) in MESSAGES.items():
        assert vietnamese.strip() and english.strip(), key
        assert _placeholders(vietnamese) == _placeholders(english), key


def test_vietnamese_messages_are_vietnamese() -> None:
    # Most Vietnamese sentences carry diacritics; an English text pasted on the wrong side
    # would not. Short labels (Email, CSV…) are allowed to be the same in both.
    marked = [vi for vi, en in MESSAGES.values() if vi != en]
    with_marks = [vi for vi in marked if re.search(r"[à-ỹđĐ]", vi)]
    assert len(with_marks) / len(marked) > 0.9


def test_every_key_used_in_templates_and_pages_exists() -> None:
    used: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), *PAGES.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""", text))
        used |= set(re.findall(r"""words\(\s*["']([a-z_.]+)["']""", text))
    dynamic_prefixes = ("action.", "sla.", "period.", "tip.kind.hint.")
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith(dynamic_prefixes))
    assert not missing, missing
    assert len(used) > 100


@pytest.mark.parametrize(
    ("group", "codes"),
    [
        ("action", ["claim", "verify", "classify", "handle", "transfer", "reopen", "note"]),
        ("action", ["question", "extend", "suspend", "resume"]),
        ("sla", ["on_time", "warning", "breached", "paused", "pending", "met", "late"]),
        ("period", ["monthly", "six_month", "nine_month", "annual"]),
        ("tip.kind.hint", list(LABELS["kind"])),
    ],
)
def test_keys_built_from_codes_exist(group: str, codes: list[str]) -> None:
    for code in codes:
        assert f"{group}.{code}" in MESSAGES


def test_sla_words_are_the_handbooks() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert [vi(f"sla.{s}") for s in ("on_time", "warning", "breached")] == [
        "đúng hạn",
        "sắp đến hạn",
        "quá hạn",
    ]
    assert [en(f"sla.{s}") for s in ("on_time", "warning", "breached")] == [
        "on track",
        "warning",
        "breached",
    ]


def test_language_choice() -> None:
    assert choose_language(None, None) == "vi"
    assert choose_language("en", None) == "en"
    assert choose_language(None, "en") == "en"
    assert choose_language("vi", "en") == "vi"  # the query wins over the cookie
    assert choose_language("fr", "de") == "vi"  # unknown languages fall back to Vietnamese


def test_labels_and_fallbacks() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert vi.label("kind", "crime_denunciation") == "Tố giác về tội phạm"
    assert en.label("unit", "police") == "Ward police"
    assert vi.label("category", "minors").startswith("Liên quan trẻ em")
    assert vi.label("category", "a_new_category") == "a_new_category"
    assert vi.label("kind", None) == "—"
    assert vi("no.such.key") == "no.such.key"
    assert en("track.open_questions", count=2).startswith("The handling unit has 2")


def test_field_names_from_problem_answers() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert vi.field("contact.phone") == "Số điện thoại"
    assert en.field("attachments.0") == "Photo"
    assert vi.field("contact.unknown") == "Liên hệ"  # the nearest known parent
    assert vi.field("mystery") == "mystery"


def test_durations_and_local_times() -> None:
    vi, en = Translator("vi"), Translator("en")
    assert vi.duration(3 * 86400 + 5 * 3600 + 59) == "3 ngày 5 giờ"
    assert en.duration(-(2 * 3600 + 15 * 60)) == "2 h 15 min"
    assert vi.duration(59) == "0 phút"
    # 17:30 UTC is 00:30 the next day in Hà Nội.
    assert vi.time(datetime(2026, 11, 22, 17, 30, tzinfo=UTC)) == "23/11/2026 00:30"
    assert vi.time("2026-11-22T17:30:00+00:00") == "23/11/2026 00:30"
    assert vi.time(None) == "—"
