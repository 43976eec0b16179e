"""What people submit to intake (commands) and what intake answers (read models)."""

import base64
import binascii
import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.contracts.events import TipKind
from shared.text import is_clean_text

MAX_TEXT_LENGTH = 5_000
MAX_ATTACHMENTS = 3
MAX_ATTACHMENT_BYTES = 3 * 1024 * 1024
ImageType = Literal["image/jpeg", "image/png", "image/webp"]
# The first bytes of each accepted image type: the declared type must match the content.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")


def _no_control_characters(value: str | None) -> str | None:
    if value is not None and not is_clean_text(value):
        raise ValueError(
            "Có ký tự điều khiển không hợp lệ; hãy xoá chúng. / Remove control characters."
        )
    return value


# Times are stored in UTC: a year-1 time east of Greenwich (or year 9999 west of it) has no
# UTC value and failed as a 500. Nothing reported to tinbao happened outside these years.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def _representable(value: datetime | None) -> datetime | None:
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            f"Thời gian phải trong khoảng năm {EARLIEST_YEAR}–{LATEST_YEAR}. "
            f"/ The time must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
        )
    return value


class Contact(BaseModel):
    """Optional contact details; stored (encrypted) only with the tipster's explicit consent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20, pattern=r"^\+?[0-9 .\-]{8,20}$")
    email: str | None = Field(None, max_length=254)
    consent: bool = Field(
        description="true: the tipster agrees that the handling unit may contact them"
    )

    @field_validator("email")
    @classmethod
    def _email_shape(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("Email không hợp lệ, ví dụ: ten@example.vn / Invalid e-mail address.")
        return value

    @model_validator(mode="after")
    def _consent_and_something_to_keep(self) -> "Contact":
        if not self.consent:
            raise ValueError(
                "Cần đồng ý (consent: true) để lưu thông tin liên hệ; nếu không, hãy bỏ trống "
                "mục contact. / Set consent to true to leave contact details, or omit contact."
            )
        if not (self.phone or self.email):
            raise ValueError("Hãy để lại số điện thoại hoặc email. / Give a phone or an e-mail.")
        return self


class Attachment(BaseModel):
    """A photo, base64-encoded; stored encrypted."""

    model_config = ConfigDict(extra="forbid")

    content_type: ImageType
    data_base64: str = Field(description="The image bytes, base64-encoded")

    def decoded(self) -> bytes:
        return base64.b64decode(self.data_base64, validate=True)

    @model_validator(mode="after")
    def _size_and_type(self) -> "Attachment":
        try:
            data = self.decoded()
        except (binascii.Error, ValueError):
            raise ValueError(
                "Ảnh không phải base64 hợp lệ. / The image is not valid base64."
            ) from None
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValueError(
                f"Ảnh quá lớn: tối đa {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB; hãy thu nhỏ ảnh. "
                f"/ Image too large: at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB."
            )
        if not data.startswith(_MAGIC[self.content_type]):
            raise ValueError(
                f"Nội dung không phải {self.content_type}. "
                f"/ The content is not {self.content_type}."
            )
        return self


class SubmitTip(BaseModel):
    """A tip as submitted through the web form or the API."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "feedback",
                    "text": "Quán karaoke trên đường Quang Trung có dấu hiệu môi giới mại dâm "
                    "vào buổi tối.",
                    "address": "123 Quang Trung, Phường Yên Nghĩa, Hà Nội",
                    "ward_code": "09562",
                }
            ]
        },
    )

    kind: TipKind = Field(
        description="crime_denunciation (tố giác), crime_report (tin báo), denunciation (tố cáo), "
        "complaint (khiếu nại), petition (kiến nghị), feedback (phản ánh)"
    )
    text: str = Field(
        min_length=10,
        max_length=MAX_TEXT_LENGTH,
        description="What happened, Vietnamese or English",
    )
    address: str | None = Field(None, max_length=300, description="Free address text")
    ward_code: str | None = Field(None, pattern=r"^\d{5}$", description="Ward code, e.g. 09562")
    latitude: float | None = Field(None, ge=8.0, le=24.0)
    longitude: float | None = Field(None, ge=102.0, le=110.0)
    venue_name: str | None = Field(None, max_length=200)
    occurred_at: datetime | None = Field(None, description="When it happened (ISO 8601)")
    contact: Contact | None = Field(None, description="Optional; omit to stay anonymous")
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    _text_clean = field_validator("text", "address", "venue_name")(
        classmethod(lambda cls, v: _no_control_characters(v))
    )

    @field_validator("occurred_at")
    @classmethod
    def _aware_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(
                "Thiếu múi giờ; ví dụ 2026-11-22T20:30:00+07:00. / Add a time zone offset."
            )
        return _representable(value)


class HotlineTip(SubmitTip):
    """A tip typed by a hotline operator during a call."""

    call_started_at: datetime = Field(description="When the call began: kept as the receipt time")
    caller_number: str | None = Field(None, max_length=20, pattern=r"^\+?[0-9 .\-]{8,20}$")
    caller_consents_to_contact: bool = False

    _call_time_representable = field_validator("call_started_at")(
        classmethod(lambda cls, v: _representable(v))
    )


class FollowUpMessage(BaseModel):
    """Extra information or an answer the tipster adds later."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=2, max_length=MAX_TEXT_LENGTH)
    in_reply_to: str | None = Field(None, description="id of the question being answered")

    _text_clean = field_validator("text")(classmethod(lambda cls, v: _no_control_characters(v)))


class TipAccepted(BaseModel):
    """Intake's answer: keep the code and the secret; the secret is shown only once."""

    tracking_code: str
    secret: str
    received_at: datetime
    status_url: str
    message: str


class TimelineEntry(BaseModel):
    """One step of the public timeline."""

    stage: str
    at: datetime
    unit: str | None = None


class MessageRead(BaseModel):
    """A message of the follow-up conversation, as the tipster sees it."""

    id: str
    direction: Literal["to_tipster", "from_tipster"]
    text: str
    at: datetime
    in_reply_to: str | None = None


class TipStatusRead(BaseModel):
    """What a tipster sees with code + secret: no officer names, no internal notes."""

    tracking_code: str
    kind: str
    stage: str
    unit: str | None
    unit_name: str | None
    ward_code: str | None
    ward_name: str | None
    received_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry]
    open_questions: int = 0
