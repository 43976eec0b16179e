"""What a citizen submits (the SubmitTip command) and what intake answers."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts.events import TipKind

MAX_TEXT_LENGTH = 5_000


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
        description="What happened, in Vietnamese or English",
    )
    address: str | None = Field(None, max_length=300, description="Free address text")
    ward_code: str | None = Field(None, pattern=r"^\d{5}$", description="Ward code, e.g. 09562")
    latitude: float | None = Field(None, ge=8.0, le=24.0)
    longitude: float | None = Field(None, ge=102.0, le=110.0)
    venue_name: str | None = Field(None, max_length=200)
    occurred_at: datetime | None = Field(None, description="When it happened (ISO 8601)")

    @field_validator("text", "address", "venue_name")
    @classmethod
    def _no_control_characters(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
            raise ValueError(
                "Có ký tự điều khiển không hợp lệ; hãy xoá chúng. / Remove control characters."
            )
        return value


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
