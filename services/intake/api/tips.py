"""Public tip endpoints: submit, and check status with code + secret."""

from typing import Annotated

from fastapi import APIRouter, Header, Request, status

from services.intake.api.deps import IntakeDep
from services.intake.domain.codes import normalise_code
from services.intake.domain.submission import SubmitTip, TimelineEntry, TipAccepted, TipStatusRead
from shared.problems import Problem, Text, wants_english
from shared.vocabulary import unit_name

router = APIRouter(prefix="/api/v1/tips", tags=["tips"])

NOT_FOUND = Problem(
    status=404,
    slug="tip-not-found",
    title=Text("Không tìm thấy tin báo", "Tip not found"),
    detail=Text(
        "Mã theo dõi hoặc mã bí mật không đúng. Hãy kiểm tra lại cả hai mã đã nhận khi gửi tin.",
        "The tracking code or the secret is wrong. Check both codes you were given when you sent "
        "the tip.",
    ),
)


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=TipAccepted)
async def submit_tip(command: SubmitTip, intake: IntakeDep, request: Request) -> TipAccepted:
    """Submit a tip, report or complaint; keep the tracking code and secret it returns."""
    return await intake.submit(command, channel="api", english=wants_english(request))


@router.get("/{tracking_code}/status", response_model=TipStatusRead)
async def tip_status(
    tracking_code: str,
    intake: IntakeDep,
    request: Request,
    x_tip_secret: Annotated[str, Header(description="The secret given with the tracking code")],
) -> TipStatusRead:
    """Check a tip's progress with its tracking code and secret."""
    found = await intake.status(normalise_code(tracking_code), x_tip_secret)
    if found is None:
        raise NOT_FOUND
    tip, tip_status = found
    english = wants_english(request)
    return TipStatusRead(
        tracking_code=tip.tracking_code,
        kind=tip.kind,
        stage=tip_status.stage,
        unit=tip_status.unit,
        unit_name=unit_name(tip_status.unit, english=english),
        ward_code=tip_status.ward_code,
        ward_name=tip_status.ward_name,
        received_at=tip.received_at,
        updated_at=tip_status.updated_at,
        timeline=[TimelineEntry.model_validate(entry) for entry in tip_status.timeline],
    )
