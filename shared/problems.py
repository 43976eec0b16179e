"""RFC 9457 problem+json answers, in Vietnamese by default and English on request."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import is_transient

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://tinbao.vn/problems/"


def wants_english(request: Request) -> bool:
    """Say whether the caller prefers English (Vietnamese is the default)."""
    accept = request.headers.get("accept-language", "").strip().lower()
    return accept.startswith("en")


@dataclass(frozen=True)
class Text:
    """A message in both languages."""

    vi: str
    en: str

    def pick(self, english: bool) -> str:
        return self.en if english else self.vi


@dataclass(frozen=True)
class FieldError:
    """One field that is wrong, and how to fix it."""

    field: str
    message: Text


@dataclass
class Problem(Exception):
    """An error answer: raise it anywhere in a request and the handler renders it."""

    status: int
    slug: str
    title: Text
    detail: Text
    errors: Sequence[FieldError] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def render(self, english: bool) -> JSONResponse:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title.pick(english),
            "status": self.status,
            "detail": self.detail.pick(english),
        }
        if self.errors:
            body["errors"] = [
                {"field": e.field, "message": e.message.pick(english)} for e in self.errors
            ]
        return JSONResponse(
            body, status_code=self.status, media_type=PROBLEM_JSON, headers=self.headers
        )


def _describe(error: dict[str, Any]) -> Text:
    """Explain one pydantic validation error with the fix, in both languages."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return Text(
            "Trường này là bắt buộc; hãy điền giá trị.", "This field is required; fill it in."
        )
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return Text(
            f"Quá dài: tối đa {n} ký tự; hãy rút gọn.", f"Too long: at most {n} characters."
        )
    if kind == "string_too_short":
        n = ctx.get("min_length")
        return Text(f"Quá ngắn: cần ít nhất {n} ký tự.", f"Too short: at least {n} characters.")
    if kind in {"literal_error", "enum"}:
        expected = ctx.get("expected", "")
        return Text(
            f"Giá trị không hợp lệ; chọn một trong: {expected}.",
            f"Invalid value; use one of: {expected}.",
        )
    if kind in {"string_type", "int_type", "float_type", "bool_type", "dict_type", "list_type"}:
        wanted = kind.removesuffix("_type")
        return Text(f"Sai kiểu dữ liệu: cần kiểu {wanted}.", f"Wrong type: expected {wanted}.")
    if kind.startswith("datetime") or kind.startswith("date"):
        return Text(
            "Thời gian không hợp lệ; dùng dạng ISO 8601, ví dụ 2026-11-22T20:30:00+07:00.",
            "Invalid date/time; use ISO 8601, e.g. 2026-11-22T20:30:00+07:00.",
        )
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = next(iter(ctx.values()), "")
        return Text(
            f"Giá trị ngoài khoảng cho phép ({kind.replace('_', ' ')} {bound}).",
            f"Value out of range ({kind.replace('_', ' ')} {bound}).",
        )
    if kind == "string_unicode":
        return Text(
            "Có ký tự Unicode không hợp lệ (nửa cặp surrogate); hãy gửi văn bản UTF-8 hợp lệ.",
            "Contains an invalid Unicode character (a lone surrogate); send valid UTF-8 text.",
        )
    if kind == "json_invalid":
        return Text(
            "Nội dung không phải JSON hợp lệ; kiểm tra dấu ngoặc và dấu phẩy.",
            "The body is not valid JSON; check brackets and commas.",
        )
    if kind == "value_error":
        # Our validators write "Vietnamese / English" in one message.
        message = str(ctx.get("error", error.get("msg", "")))
        vietnamese, _, english = message.partition(" / ")
        return Text(vietnamese, english or vietnamese)
    msg = str(error.get("msg", "Giá trị không hợp lệ."))
    return Text(f"Giá trị không hợp lệ: {msg}", f"Invalid value: {msg}")


def _field_name(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_problem(errors: Sequence[dict[str, Any]]) -> Problem:
    """Turn FastAPI/pydantic validation errors into one 422 problem naming each field."""
    return fields_problem([FieldError(_field_name(e.get("loc", ())), _describe(e)) for e in errors])


def field_problem(field: str, message: Text, *, status: int = 422) -> Problem:
    """A 422 problem about one field checked by hand, worded like the validation errors."""
    return fields_problem([FieldError(field, message)], status=status)


def fields_problem(field_errors: Sequence[FieldError], *, status: int = 422) -> Problem:
    """One problem (422 unless told) naming each wrong field and its fix."""
    names = ", ".join(dict.fromkeys(f.field for f in field_errors))
    return Problem(
        status=status,
        slug="validation",
        title=Text("Dữ liệu gửi lên chưa hợp lệ", "The submitted data is not valid"),
        detail=Text(f"Hãy sửa các trường: {names}.", f"Please correct: {names}."),
        errors=field_errors,
    )


SERVICE_UNAVAILABLE = Problem(
    status=503,
    slug="unavailable",
    title=Text("Hệ thống tạm thời gián đoạn", "Temporarily unavailable"),
    detail=Text(
        "Chưa lưu được yêu cầu của bạn. Vui lòng thử lại sau ít giây; không có gì bị ghi hai lần.",
        "Your request was not stored. Please retry in a few seconds; nothing is recorded twice.",
    ),
    headers={"Retry-After": "5"},
)

INTERNAL_ERROR = Problem(
    status=500,
    slug="internal",
    title=Text("Lỗi hệ thống", "Internal error"),
    detail=Text(
        "Đã xảy ra lỗi ngoài dự kiến; đội kỹ thuật đã được ghi nhận.",
        "An unexpected error occurred; it has been logged.",
    ),
)


# What FastAPI and Starlette say when they cannot read a body at all: JSON nested too deeply
# or not UTF-8 (json.loads raised something other than a decode error), or broken multipart.
_UNREADABLE_BODY = {
    "There was an error parsing the body": Text(
        "Nội dung không đọc được: cần JSON hợp lệ, mã hoá UTF-8, không lồng quá sâu.",
        "The body cannot be read: send valid JSON, encoded in UTF-8, not nested too deeply.",
    ),
    "Invalid multipart data.": Text(
        "Nội dung multipart không hợp lệ; hãy gửi lại dạng form đúng chuẩn.",
        "Invalid multipart data; send a well-formed form.",
    ),
}


def _unreadable_body(detail: str) -> Problem:
    """A 400 naming the body and the fix, instead of the framework's bare English sentence."""
    return field_problem("body", _UNREADABLE_BODY[detail], status=400)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error of the app as problem+json."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, problem: Problem) -> JSONResponse:
        return problem.render(wants_english(request))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        return validation_problem(error.errors()).render(wants_english(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if (
            error.status_code == 400
            and isinstance(error.detail, str)
            and (error.detail in _UNREADABLE_BODY)
        ):
            return _unreadable_body(error.detail).render(wants_english(request))
        titles = {
            404: Text("Không tìm thấy", "Not found"),
            405: Text("Phương thức không được hỗ trợ", "Method not allowed"),
            401: Text("Cần đăng nhập", "Authentication required"),
            403: Text("Không có quyền", "Forbidden"),
        }
        title = titles.get(error.status_code, Text("Yêu cầu không hợp lệ", "Bad request"))
        detail = str(error.detail) if error.detail else title.en
        return Problem(
            error.status_code,
            f"http-{error.status_code}",
            title,
            Text(detail if error.detail else title.vi, detail),
            headers=dict(error.headers or {}),
        ).render(wants_english(request))

    app.add_middleware(UnexpectedErrorMiddleware)


class UnexpectedErrorMiddleware:
    """Answer problem+json for errors no handler caught: 503 when a dependency is down, else 500.

    A plain ASGI middleware (not BaseHTTPMiddleware) so streaming and
    lifespan are untouched; it only acts if the response has not started.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started:
                raise
            request = Request(scope)
            if is_transient(error):
                log.warning(
                    "dependency unavailable",
                    extra={"error": error.__class__.__name__, "path": request.url.path},
                )
                problem = SERVICE_UNAVAILABLE
            else:
                log.exception("unhandled error", extra={"path": request.url.path})
                problem = INTERNAL_ERROR
            await problem.render(wants_english(request))(scope, receive, send)


class FieldErrorDocument(BaseModel):
    """One wrong field and how to fix it."""

    field: str
    message: str


class ProblemDocument(BaseModel):
    """RFC 9457 problem details, as every error of tinbao is answered."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldErrorDocument] | None = None


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Role not allowed",
    404: "Not found",
    409: "Version conflict",
    413: "Request too large",
    422: "Invalid input: each field and its fix",
    429: "Too many requests (Retry-After)",
    503: "A dependency is down (Retry-After); retry",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting problem+json answers for the given status codes."""
    schema = {"schema": {"$ref": "#/components/schemas/ProblemDocument"}}
    return {
        code: {
            "description": _DESCRIPTIONS.get(code, "Error"),
            "model": ProblemDocument,
            "content": {PROBLEM_JSON: schema},
        }
        for code in codes
    }
