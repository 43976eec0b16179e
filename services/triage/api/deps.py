"""Dependencies of triage's routes."""

from typing import Annotated

from fastapi import Depends, Request

from services.triage.config import TriageSettings
from services.triage.usecases import Triage
from shared.auth import Principal, require_roles


async def get_triage(request: Request) -> Triage:
    return request.app.state.triage


TriageDep = Annotated[Triage, Depends(get_triage)]


def _settings(request: Request) -> TriageSettings:
    return request.app.state.triage.settings


CaseWorker = Annotated[
    Principal, Depends(require_roles("officer", "supervisor", settings_of=_settings))
]
Auditor = Annotated[
    Principal, Depends(require_roles("auditor", "supervisor", settings_of=_settings))
]
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
            settings_of=_settings,
        )
    ),
]
