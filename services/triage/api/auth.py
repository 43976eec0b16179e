"""Staff sign-in (OAuth2 password flow)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from services.triage.api.deps import AnyStaff, TriageDep
from services.triage.schemas import Token
from shared.problems import problem_responses

router = APIRouter(
    prefix="/api/v1/auth", tags=["auth"], responses=problem_responses(400, 401, 403, 413, 422, 503)
)


@router.post("/token", response_model=Token)
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], triage: TriageDep) -> Token:
    """Sign in with username and password; returns a bearer token."""
    access_token, principal = await triage.sign_in(form.username, form.password)
    return Token(
        access_token=access_token,
        expires_in=triage.settings.token_minutes * 60,
        role=principal.role,
        ward_code=principal.ward_code,
        unit=principal.unit,
    )


@router.get("/me")
async def me(principal: AnyStaff) -> dict[str, str | None]:
    """Who the token belongs to: role and scope."""
    return {
        "user_id": principal.user_id,
        "role": principal.role,
        "ward_code": principal.ward_code,
        "unit": principal.unit,
    }
