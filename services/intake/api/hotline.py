"""The hotline bridge: operators typing a call, and the SMS/telephony gateway's webhook."""

import hashlib
import hmac
import time
from typing import Annotated

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError

from services.intake.api.deps import HotlineOperator, IntakeDep
from services.intake.api.forms import UnreadableField, parse_urlencoded
from services.intake.api.tips import IdempotencyKey
from services.intake.domain.submission import HotlineTip, TipAccepted
from shared.problems import Problem, Text, field_problem, problem_responses
from shared.text import strip_marks

router = APIRouter(
    prefix="/api/v1",
    tags=["hotline"],
    responses=problem_responses(400, 401, 403, 413, 422, 429, 503),
)

SIGNATURE_TOLERANCE_SECONDS = 300


class HotlineAccepted(TipAccepted):
    """The answer to read to the caller, plus what the operator should know."""

    earlier_tips_from_caller: int


@router.post("/hotline/tips", status_code=status.HTTP_202_ACCEPTED, response_model=HotlineAccepted)
async def hotline_tip(
    command: HotlineTip,
    operator: HotlineOperator,
    intake: IntakeDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> HotlineAccepted:
    """Register a tip typed during a call (hotline operators only); read the codes to the caller."""
    answer, earlier = await intake.submit_hotline(
        command, operator=operator, raw_body=await request.body(), idempotency_key=idempotency_key
    )
    return HotlineAccepted(**answer.model_dump(), earlier_tips_from_caller=earlier)


BAD_SIGNATURE = Problem(
    status=401,
    slug="bad-signature",
    title=Text("Chữ ký không hợp lệ", "Invalid signature"),
    detail=Text(
        'X-Tinbao-Signature phải là sha256=HMAC-SHA256(khoá, "<X-Tinbao-Timestamp>.<thân>") và '
        "thời điểm lệch không quá 5 phút.",
        'X-Tinbao-Signature must be sha256=HMAC-SHA256(key, "<X-Tinbao-Timestamp>.<body>") with '
        "a timestamp within 5 minutes.",
    ),
)


def signature_valid(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """Check the gateway's HMAC over "<timestamp>.<raw body>" and the timestamp's freshness."""
    # ASCII digits of a sane length: "²" passes isdigit() and 5,000 digits pass it too, and
    # int() raised on both (a 500 before the signature was even looked at).
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), signature)


def sms_text(text: str) -> str:
    """Drop diacritics: in GSM-7 an SMS holds 160 characters, in UCS-2 only 70."""
    return strip_marks(text)


SMS_FORM_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["sender", "body"],
                    "properties": {
                        "sender": {"type": "string", "maxLength": 20},
                        "body": {"type": "string", "maxLength": 2000},
                        "message_id": {"type": "string", "maxLength": 100},
                    },
                }
            }
        },
    }
}


def _form_problem(field: str) -> Problem:
    return field_problem(field, Text("Thiếu hoặc quá dài.", "Missing or too long."))


_NOT_UTF8 = Text(
    "Không phải văn bản UTF-8 hợp lệ, hoặc có ký tự điều khiển; hãy gửi UTF-8 (percent-encoded).",
    "Not valid UTF-8 text, or holds control characters; send UTF-8 (percent-encoded).",
)


@router.post("/gateways/sms", response_class=PlainTextResponse, openapi_extra=SMS_FORM_SCHEMA)
async def sms_webhook(
    request: Request,
    intake: IntakeDep,
    x_tinbao_timestamp: Annotated[str, Header()] = "",
    x_tinbao_signature: Annotated[str, Header()] = "",
) -> PlainTextResponse:
    """Receive an SMS from the telephony gateway (signed); answer with the reply SMS text."""
    # The signature covers the raw bytes, so the form is parsed only after checking it.
    raw = await request.body()
    if not signature_valid(
        intake.settings.sms_webhook_secret, x_tinbao_timestamp, raw, x_tinbao_signature, time.time()
    ):
        raise BAD_SIGNATURE
    try:
        form = parse_urlencoded(raw)
    except UnreadableField as error:
        raise field_problem(error.field, _NOT_UTF8) from None
    limits = {"sender": 20, "body": 2000, "message_id": 100}
    for field, limit in limits.items():
        value = form.get(field)
        if (value is None and field != "message_id") or (value and len(value) > limit):
            raise _form_problem(field)
    try:
        answer = await intake.submit_sms(
            sender=form["sender"],
            body=form["body"],
            message_id=form.get("message_id"),
            signature=x_tinbao_signature,
        )
    except ValidationError:
        return PlainTextResponse(
            sms_text(
                "Tin nhắn quá ngắn. Hãy mô tả rõ sự việc, địa điểm, thời gian (ít nhất 10 ký tự)."
            )
        )
    return PlainTextResponse(
        sms_text(
            f"Đã tiếp nhận tin báo. Mã theo dõi {answer.tracking_code}, mã bí mật {answer.secret}. "
            "Giữ kín 2 mã này để xem tiến độ."
        )
    )
