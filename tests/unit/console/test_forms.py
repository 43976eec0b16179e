"""What people type becomes the services' request bodies; a few mistakes are caught first."""

import base64

from services.console.forms import (
    action_body,
    hotline_body,
    image_type,
    local_time_iso,
    submission_id,
    tip_body,
)
from services.console.i18n import Translator

T = Translator("vi")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def test_an_anonymous_tip() -> None:
    body, errors = tip_body(
        {
            "kind": "feedback",
            "text": "Quán karaoke hoạt động quá giờ",
            "address": "",
            "ward_code": "",
        },
        consent=False,
        photo=None,
        max_photo_bytes=100,
        t=T,
    )
    assert errors == {}
    assert body == {"kind": "feedback", "text": "Quán karaoke hoạt động quá giờ"}


def test_contact_needs_consent_and_the_photo_is_checked_by_its_bytes() -> None:
    values = {"kind": "nonsense", "text": "x", "contact_phone": "0987654321"}
    body, errors = tip_body(values, consent=False, photo=b"GIF89a....", max_photo_bytes=100, t=T)
    assert set(errors) == {"kind", "contact", "attachments"}
    assert "contact" not in body
    body, errors = tip_body(
        {"kind": "feedback", "text": "x", "contact_phone": "0987654321"},
        consent=True,
        photo=PNG,
        max_photo_bytes=100,
        t=T,
    )
    assert errors == {}
    assert body["contact"] == {"phone": "0987654321", "consent": True}
    assert body["attachments"][0]["content_type"] == "image/png"
    assert base64.b64decode(body["attachments"][0]["data_base64"]) == PNG
    _, errors = tip_body(
        {"kind": "feedback", "text": "x"}, consent=False, photo=PNG, max_photo_bytes=10, t=T
    )
    assert errors["attachments"].startswith("Ảnh quá lớn")


def test_image_types() -> None:
    assert image_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_type(PNG) == "image/png"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg onload=alert(1)>") is None


def test_times_typed_in_the_browser_are_vietnam_time() -> None:
    assert local_time_iso("2026-11-22T20:30") == "2026-11-22T20:30:00+07:00"
    assert local_time_iso("2026-11-22T20:30:00+00:00") == "2026-11-22T20:30:00+00:00"
    assert local_time_iso("hôm qua") is None
    body, errors = hotline_body(
        {"kind": "crime_report", "text": "abc", "call_started_at": "", "caller_number": "0123"},
        caller_consents=True,
        t=T,
    )
    assert set(errors) == {"call_started_at"}
    assert body["caller_number"] == "0123" and body["caller_consents_to_contact"] is True


def test_action_bodies() -> None:
    assert action_body(
        "verify", {"expected_version": "3", "result": "founded", "summary": " x "}
    ) == {
        "expected_version": 3,
        "result": "founded",
        "summary": "x",
    }
    assert (
        action_body("extend", {"expected_version": "1", "stage": "verified", "days": "10"})["days"]
        == 10
    )
    # A days value that is not a number goes as typed, and triage names the field.
    assert action_body("extend", {"expected_version": "1", "days": "mười"})["days"] == "mười"
    assert action_body("claim", {"expected_version": "2", "note": "ignored"}) == {
        "expected_version": 2
    }
    assert action_body("note", {"note": "x"}) is None
    assert action_body("note", {"expected_version": "abc", "note": "x"}) is None


def test_submission_ids_are_kept_only_when_well_formed() -> None:
    good = "0123456789abcdef0123456789abcdef"
    assert submission_id(good) == good
    assert submission_id("../../etc") != "../../etc"
    assert len(submission_id(None)) == 32
