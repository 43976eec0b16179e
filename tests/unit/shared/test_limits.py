from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from shared.limits import BodySizeLimitMiddleware, RateLimitMiddleware


def _app(per_minute: int = 3, max_bytes: int = 100) -> FastAPI:
    app = FastAPI()

    @app.post("/api/v1/tips")
    async def submit(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/healthz")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(RateLimitMiddleware, per_minute=per_minute, prefixes=("/api/v1/tips",))
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_bytes)
    return app


def test_public_endpoints_are_rate_limited_per_client_with_retry_after() -> None:
    client = TestClient(_app(per_minute=3))
    codes = [client.post("/api/v1/tips").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.post("/api/v1/tips", headers={"Accept-Language": "en"})
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert "retry" in limited.json()["detail"]
    assert all(client.get("/healthz").status_code == 200 for _ in range(10))  # not public


def test_bodies_over_the_limit_are_refused_even_without_content_length() -> None:
    client = TestClient(_app(max_bytes=100))
    declared = client.post("/api/v1/tips", content=b"x" * 101)
    assert declared.status_code == 413

    def chunks():  # streamed: no Content-Length to trust
        yield b"x" * 60
        yield b"x" * 60

    streamed = client.post("/api/v1/tips", content=chunks())
    assert streamed.status_code == 413
    assert client.post("/api/v1/tips", content=b"x" * 50).status_code == 200


def test_a_streamed_body_too_large_for_a_parsed_json_model_is_413_not_400() -> None:
    # FastAPI reads a model's body itself and turns any exception while reading into a 400.
    app = FastAPI()

    @app.post("/api/v1/tips")
    async def submit(body: dict[str, str]) -> dict[str, int]:
        return {"fields": len(body)}

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=100)
    client = TestClient(app)

    def chunks():
        yield b'{"text": "' + b"x" * 60
        yield b"x" * 60 + b'"}'

    streamed = client.post(
        "/api/v1/tips", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == "application/problem+json"
    assert client.post("/api/v1/tips", json={"text": "ngắn"}).json() == {"fields": 1}


async def test_requests_past_the_in_flight_limit_are_refused_at_once_with_retry_after() -> None:
    import asyncio

    import httpx

    from shared.limits import InFlightLimitMiddleware

    release, both_in = asyncio.Event(), asyncio.Event()
    entered: list[int] = []
    app = FastAPI()

    @app.post("/api/v1/tips")
    async def slow_submit() -> dict[str, bool]:
        entered.append(1)
        if len(entered) == 2:
            both_in.set()
        await release.wait()  # held in work until the test lets go
        return {"stored": True}

    @app.get("/healthz")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    app.add_middleware(InFlightLimitMiddleware, limit=2, prefixes=("/api/v1/tips",))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        held = [asyncio.create_task(client.post("/api/v1/tips")) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), timeout=10)
        refused = await client.post("/api/v1/tips")
        refused_en = await client.post("/api/v1/tips", headers={"Accept-Language": "en"})
        assert (await client.get("/healthz")).status_code == 200  # operations never shed
        release.set()
        assert [(await task).status_code for task in held] == [200, 200]
        assert (await client.post("/api/v1/tips")).status_code == 200  # room again
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "2"
    assert "quá tải" in refused.json()["title"]
    assert "Idempotency-Key" in refused_en.json()["detail"]
