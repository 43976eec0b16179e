"""The one entry page of the whole system, and the console's health probes."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from services.console.web import clients, render

router = APIRouter(tags=["home"])


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """Send a tip, follow a tip, or sign in as staff."""
    return render(request, "home.html")


@router.get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The console process is alive."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> JSONResponse:
    """The three services answer (the console is useless without them)."""
    reachable = await clients(request).reachable()
    ready = all(reachable.values())
    return JSONResponse(
        {"status": "ready" if ready else "waiting", "services": reachable},
        status_code=200 if ready else 503,
    )
