"""Dependencies of intake's routes."""

from typing import Annotated

from fastapi import Depends, Header, Request

from services.intake.db.tables import Tip, TipStatus
from services.intake.domain.codes import is_tracking_code, normalise_code
from services.intake.usecases import Intake
from shared.auth import Principal, require_roles
from shared.problems import Problem, Text, wants_english


async def get_intake(request: Request) -> Intake:
    return request.app.state.intake


IntakeDep = Annotated[Intake, Depends(get_intake)]


async def is_english(request: Request) -> bool:
    return wants_english(request)


EnglishDep = Annotated[bool, Depends(is_english)]

TIP_NOT_FOUND = Problem(
    status=404,
    slug="tip-not-found",
    title=Text("Không tìm thấy tin báo", "Tip not found"),
    detail=Text(
        "Mã theo dõi hoặc mã bí mật không đúng. Hãy kiểm tra lại cả hai mã đã nhận khi gửi tin.",
        "The tracking code or the secret is wrong. Check both codes you were given when you sent "
        "the tip.",
    ),
)


async def authenticated_tip(
    tracking_code: str,
    intake: IntakeDep,
    x_tip_secret: Annotated[
        str, Header(description="The secret given with the tracking code", max_length=64)
    ],
) -> tuple[Tip, TipStatus]:
    """The tip named in the path, if the X-Tip-Secret header matches (404 otherwise)."""
    code = normalise_code(tracking_code)
    if not is_tracking_code(code):
        # No tip has such a code: answer without a lookup, and without a secret_failures row
        # per made-up string (the shape of codes is public, so this reveals nothing).
        raise TIP_NOT_FOUND
    found = await intake.authenticate(code, x_tip_secret)
    if found is None:
        raise TIP_NOT_FOUND
    return found


TipDep = Annotated[tuple[Tip, TipStatus], Depends(authenticated_tip)]

HotlineOperator = Annotated[
    Principal,
    Depends(
        require_roles(
            "hotline_operator",
            "admin",
            settings_of=lambda request: request.app.state.intake.settings,
        )
    ),
]
