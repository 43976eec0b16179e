"""Turn what people type into the services' request bodies (pure functions, no I/O).

Checks here are only those a person should hear about before anything is sent (a missing
kind, contact details without consent, a photo of the wrong type); the services check the
rest and their answers name the field, which the pages show next to it.
"""

import base64
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.console.i18n import LOCAL_ZONE, Translator
from shared.vocabulary import KIND_NAMES

KINDS: tuple[str, ...] = tuple(KIND_NAMES)
ACTIONS: dict[str, tuple[str, ...]] = {
    "claim": (),
    "verify": ("result", "summary"),
    "classify": ("classification", "summary"),
    "handle": ("outcome", "decision"),
    "transfer": ("to_ward_code", "to_unit", "to_agency", "reason"),
    "reopen": ("reason",),
    "note": ("note",),
    "question": ("text", "tip_id"),
    "extend": ("stage", "days", "reason"),
    "suspend": ("reason",),
    "resume": ("reason",),
}
TIP_FIELDS = ("kind", "text", "address", "ward_code", "venue_name", "occurred_at")
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")
_IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")


def new_submission_id() -> str:
    """A form's own id, sent as Idempotency-Key: pressing "send" twice makes one tip."""
    return uuid.uuid4().hex


def submission_id(value: object) -> str:
    return value if isinstance(value, str) and _SUBMISSION_ID.match(value) else new_submission_id()


def text_values(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The form's text fields, trimmed (files and missing fields become empty strings)."""
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    return values


def local_time_iso(value: str) -> str | None:
    """A browser's date-time field (Vietnam's time, no zone) as ISO 8601 with +07:00."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.isoformat()


def image_type(data: bytes) -> str | None:
    """The image type read from the bytes themselves (never from the file name)."""
    for signature, content_type in _IMAGE_SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def tip_body(
    values: Mapping[str, str],
    *,
    consent: bool,
    photo: bytes | None,
    max_photo_bytes: int,
    t: Translator,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The intake body of a web tip, and the errors to show (keyed by the API's field names)."""
    errors: dict[str, str] = {}
    body: dict[str, Any] = {}
    if values.get("kind") not in KINDS:
        errors["kind"] = t("tip.error.kind")
    else:
        body["kind"] = values["kind"]
    body["text"] = values.get("text", "")
    for name in ("address", "ward_code", "venue_name"):
        if values.get(name):
            body[name] = values[name]
    if values.get("occurred_at"):
        when = local_time_iso(values["occurred_at"])
        if when is None:
            errors["occurred_at"] = t("tip.error.when")
        else:
            body["occurred_at"] = when
    contact = {
        key: values[f"contact_{key}"]
        for key in ("name", "phone", "email")
        if values.get(f"contact_{key}")
    }
    if contact and not consent:
        errors["contact"] = t("tip.error.consent")
    elif consent:
        body["contact"] = {**contact, "consent": True}
    if photo:
        content_type = image_type(photo)
        if len(photo) > max_photo_bytes:
            errors["attachments"] = t("tip.error.photo_size")
        elif content_type is None:
            errors["attachments"] = t("tip.error.photo_type")
        else:
            body["attachments"] = [
                {"content_type": content_type, "data_base64": base64.b64encode(photo).decode()}
            ]
    return body, errors


def hotline_body(
    values: Mapping[str, str], *, caller_consents: bool, t: Translator
) -> tuple[dict[str, Any], dict[str, str]]:
    """The intake body of a call typed by an operator, and the errors to show."""
    body, errors = tip_body(values, consent=False, photo=None, max_photo_bytes=0, t=t)
    started = local_time_iso(values.get("call_started_at", ""))
    if started is None:
        errors["call_started_at"] = t("tip.error.when")
    else:
        body["call_started_at"] = started
    if values.get("caller_number"):
        body["caller_number"] = values["caller_number"]
    body["caller_consents_to_contact"] = caller_consents
    return body, errors


def action_body(action: str, form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The triage body of an officer action, or None when the form lacks a usable version."""
    version = form.get("expected_version")
    if not isinstance(version, str) or not version.isdigit():
        return None
    body: dict[str, Any] = {"expected_version": int(version)}
    for name, value in text_values(form, ACTIONS[action]).items():
        if not value:
            continue
        body[name] = int(value) if name == "days" and value.isdigit() else value
    return body
