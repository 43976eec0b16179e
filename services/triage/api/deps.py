"""Dependencies of triage's routes."""

from typing import Annotated

from fastapi import Depends, Request

from services.triage.usecases import Triage
from shared.auth import Principal, require_roles


async def get_triage(request: Request) -> Triage:
    return request.app.state.triage


TriageDep = Annotated[Triage, Depends(get_triage)]


def _secret(request: Request) -> str:
    return request.app.state.triage.settings.auth_secret


CaseWorker = Annotated[
    Principal, Depends(require_roles("officer", "supervisor", secret_of=_secret))
]
Auditor = Annotated[Principal, Depends(require_roles("auditor", "supervisor", secret_of=_secret))]
AnyStaff = Annotated[
    Principal,
    Depends(
        require_roles(
            "officer",
            "supervisor",
            "city_monitor",
            "auditor",
            "hotline_operator",
            "admin",
            secret_of=_secret,
        )
    ),
]
