"""Dependencies of intake's routes."""

from typing import Annotated

from fastapi import Depends, Request

from services.intake.bootstrap import Intake


def get_intake(request: Request) -> Intake:
    return request.app.state.intake


IntakeDep = Annotated[Intake, Depends(get_intake)]
