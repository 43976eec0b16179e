from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.intake.domain.submission import SubmitTip
from shared.problems import install_problem_handlers


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/tips")
    async def submit(tip: SubmitTip) -> dict[str, str]:
        return {"ok": tip.kind}

    @app.get("/boom")
    async def boom() -> None:
        raise ConnectionRefusedError("database down")

    @app.get("/bug")
    async def bug() -> None:
        raise ZeroDivisionError

    return app


def test_bad_input_names_each_field_with_a_fix_in_vietnamese_by_default() -> None:
    response = TestClient(_app()).post("/tips", json={"kind": "gossip", "text": "ngắn"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/validation")
    fields = {error["field"]: error["message"] for error in body["errors"]}
    assert set(fields) == {"kind", "text"}
    assert "chọn một trong" in fields["kind"] and "crime_report" in fields["kind"]
    assert "ít nhất 10 ký tự" in fields["text"]


def test_english_on_request() -> None:
    response = TestClient(_app()).post(
        "/tips", json={"text": "x" * 20}, headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    body = response.json()
    assert body["title"] == "The submitted data is not valid"
    assert body["errors"] == [{"field": "kind", "message": "This field is required; fill it in."}]


def test_invalid_json_is_a_problem_not_a_crash() -> None:
    response = TestClient(_app()).post(
        "/tips", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"]


def test_unreachable_dependency_is_503_with_retry_after_never_500() -> None:
    response = TestClient(_app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["status"] == 503


def test_a_bug_is_a_500_problem_without_internals() -> None:
    response = TestClient(_app(), raise_server_exceptions=False).get("/bug")
    assert response.status_code == 500
    assert "ZeroDivision" not in response.text
