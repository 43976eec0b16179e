"""Open311 GeoReport v2 facade: civic apps file and follow tips through the standard API.

Public listings show only what is safe: kind, status, dates, the handling unit and a
coarse area (the ward). Never the text, the address, coordinates or contact details.
Errors use the standard's format: [{"code": 400, "description": "..."}].
"""

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from services.intake.api.deps import get_intake
from services.intake.api.forms import UnreadableField, parse_urlencoded
from services.intake.db import repository
from services.intake.domain.submission import Contact, SubmitTip
from shared.problems import problem_responses
from shared.vocabulary import KIND_NAMES, unit_name

OPEN311_ERROR = {
    "description": 'Open311 error list: [{"code": 400, "description": "..."}]',
    "content": {"application/json": {}, "text/xml": {}},
}
router = APIRouter(
    prefix="/open311/v2",
    tags=["open311"],
    responses={
        400: OPEN311_ERROR,
        404: OPEN311_ERROR,
        201: {"content": {"text/xml": {}}},
        200: {"content": {"application/json": {}, "text/xml": {}}},
        **problem_responses(413, 429, 503),
    },
)

KIND_DESCRIPTIONS = {
    "crime_denunciation": "Cá nhân tố giác hành vi có dấu hiệu tội phạm (chứa, môi giới, tổ chức "
    "mại dâm, mua dâm người chưa thành niên, mua bán người).",
    "crime_report": "Cơ quan, tổ chức, báo chí báo tin về tội phạm.",
    "denunciation": "Tố cáo vi phạm pháp luật của cơ quan, cán bộ, cơ sở kinh doanh.",
    "complaint": "Khiếu nại quyết định, hành vi hành chính ảnh hưởng đến bạn.",
    "petition": "Kiến nghị, đề xuất với chính quyền (ví dụ tổ chức tuyên truyền).",
    "feedback": "Phản ánh tình hình cần chú ý (ví dụ quán có hoạt động đáng ngờ).",
}
MAX_RESULTS = 200


class Open311Error(Exception):
    """An error in the standard's format."""

    def __init__(self, code: int, description: str) -> None:
        self.code = code
        self.description = description


def _render(
    request: Request, fmt: str, payload: Any, root: str, item: str, status_code: int = 200
) -> Response:
    if fmt == "xml":
        return Response(
            _to_xml(payload, root, item),
            status_code=status_code,
            media_type="text/xml; charset=utf-8",
        )
    return JSONResponse(payload, status_code=status_code)


def _to_xml(payload: Any, root: str, item: str) -> bytes:
    def fill(element: ET.Element, value: Any, name: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                if isinstance(child, list):
                    holder = ET.SubElement(element, key)
                    for entry in child:
                        fill(ET.SubElement(holder, key.rstrip("s") or key), entry, key)
                else:
                    fill(ET.SubElement(element, key), child, key)
        elif value is not None:
            element.text = str(value).lower() if isinstance(value, bool) else str(value)

    tree = ET.Element(root)
    for entry in payload if isinstance(payload, list) else [payload]:
        fill(ET.SubElement(tree, item) if isinstance(payload, list) else tree, entry, item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(tree, encoding="utf-8")


def _format(name: str) -> tuple[str, str]:
    base, _, fmt = name.rpartition(".")
    if fmt not in {"json", "xml"} or not base:
        raise Open311Error(404, "Use .json or .xml / Dùng đuôi .json hoặc .xml")
    return base, fmt


def _service(kind: str) -> dict[str, Any]:
    return {
        "service_code": kind,
        "service_name": KIND_NAMES[kind][0],
        "description": KIND_DESCRIPTIONS[kind],
        "metadata": True,
        "type": "realtime",
        "keywords": "mại dâm, tin báo, tinbao",
        "group": "Phòng, chống mại dâm",
    }


@router.get("/services.{fmt}", summary="Open311: list the kinds of submission")
async def services(fmt: str, request: Request) -> Response:
    _, fmt = _format(f"services.{fmt}")
    return _render(request, fmt, [_service(kind) for kind in KIND_NAMES], "services", "service")


@router.get("/services/{name}", summary="Open311: one kind's definition and attributes")
async def service_definition(name: str, request: Request) -> Response:
    kind, fmt = _format(name)
    if kind not in KIND_NAMES:
        raise Open311Error(404, f"Unknown service_code {kind!r} / Không có loại này")
    attributes = [
        {
            "variable": True,
            "code": "venue_name",
            "datatype": "string",
            "required": False,
            "datatype_description": "Tên cơ sở (nếu có)",
            "order": 1,
            "description": "Tên quán, nhà nghỉ, cơ sở liên quan",
        },
        {
            "variable": True,
            "code": "occurred_at",
            "datatype": "datetime",
            "required": False,
            "datatype_description": "ISO 8601, ví dụ 2026-11-22T21:00:00+07:00",
            "order": 2,
            "description": "Thời điểm xảy ra",
        },
        {
            "variable": True,
            "code": "contact_consent",
            "datatype": "string",
            "required": False,
            "datatype_description": "true để đồng ý cho cơ quan liên hệ qua email/phone đã gửi",
            "order": 3,
            "description": "Đồng ý được liên hệ",
        },
    ]
    return _render(
        request,
        fmt,
        {"service_code": kind, "attributes": attributes},
        "service_definition",
        "service_definition",
    )


_FORM_FIELDS = {
    "service_code": "A kind from services.json (required)",
    "description": "What happened (required, 10–5,000 characters)",
    "address_string": "Free address text",
    "lat": "Latitude (WGS84)",
    "long": "Longitude (WGS84)",
    "attribute[venue_name]": "Venue name",
    "attribute[occurred_at]": "When it happened, ISO 8601",
    "attribute[contact_consent]": "true to let the unit contact you with email/phone",
    "email": "Contact e-mail (kept only with consent)",
    "phone": "Contact phone (kept only with consent)",
    "first_name": "Contact first name",
    "last_name": "Contact last name",
}
REQUEST_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["service_code", "description"],
                    "properties": {
                        k: {"type": "string", "description": v} for k, v in _FORM_FIELDS.items()
                    },
                }
            }
        },
    }
}
LIST_QUERY = {
    "parameters": [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": text,
        }
        for name, text in (
            ("service_request_id", "Comma-separated ids; overrides the other filters"),
            ("service_code", "Comma-separated kinds"),
            ("start_date", "W3C datetime; default 90 days before end_date"),
            ("end_date", "W3C datetime; default now; at most 90 days after start_date"),
            ("status", "open or closed (comma-separated)"),
        )
    ]
}


@router.post(
    "/requests.{fmt}",
    summary="Open311: file a tip (form-encoded, as the standard says)",
    openapi_extra=REQUEST_FORM,
)
async def create_request(fmt: str, request: Request) -> Response:
    _, fmt = _format(f"requests.{fmt}")
    raw_body = await request.body()  # read first: the form is parsed from the cached bytes
    command, contact_dropped = read_request_form(await _form_fields(request, raw_body))
    intake = await get_intake(request)
    answer, _ = await intake.submit(command, channel="open311", english=False, raw_body=raw_body)
    async with intake.runtime.sessions() as session:
        tip, _status = await repository.get_tip_with_status(
            session=session, tracking_code=answer.tracking_code
        )
    notice = (
        f"Đã tiếp nhận. Mã theo dõi {answer.tracking_code}, mã bí mật {answer.secret}: hãy giữ kín."
        + (
            " Thông tin liên hệ không được lưu vì chưa có attribute[contact_consent]=true."
            if contact_dropped
            else ""
        )
    )
    payload = [
        {
            "service_request_id": tip.public_id,
            "service_notice": notice,
            "account_id": None,
            "tracking_code": answer.tracking_code,
            "secret": answer.secret,
        }
    ]
    return _render(request, fmt, payload, "service_requests", "request", status_code=201)


async def _form_fields(request: Request, raw_body: bytes) -> dict[str, str]:
    """The request's form fields as text; Open311Error(400) naming what cannot be read."""
    if not request.headers.get("content-type", "").startswith("multipart/"):
        try:
            return parse_urlencoded(raw_body)
        except UnreadableField as error:
            raise Open311Error(
                400, f"{error.field} is not UTF-8 text or holds control characters"
            ) from None
    try:
        form = await request.form()
    except HTTPException:  # broken multipart: answer in the standard's format
        raise Open311Error(400, "The form cannot be read; send it form-encoded") from None
    fields: dict[str, str] = {}
    for name, value in form.multi_items():
        if not isinstance(value, str):  # a file where text belongs (float() of it was a 500)
            raise Open311Error(400, f"{name} must be a text field, not a file")
        fields[name] = value
    return fields


def read_request_form(form: Mapping[str, str]) -> tuple[SubmitTip, bool]:
    """Turn the standard's form fields into a tip, and say whether contact details were
    dropped for want of consent; Open311Error(400) naming the field otherwise."""
    field = lambda name: form.get(name, "").strip() or None  # noqa: E731
    service_code = field("service_code")
    if service_code is None:
        raise Open311Error(400, "service_code is required / Thiếu service_code")
    consent = (field("attribute[contact_consent]") or "").lower() == "true"
    reachable = bool(field("email") or field("phone"))
    contact = None
    if consent and reachable:
        name = " ".join(filter(None, [field("first_name"), field("last_name")])) or None
        contact = {"name": name, "phone": field("phone"), "email": field("email"), "consent": True}
    try:
        command = SubmitTip(
            kind=service_code,
            text=field("description") or "",
            address=field("address_string"),
            latitude=_coordinate(field("lat"), "lat"),
            longitude=_coordinate(field("long"), "long"),
            venue_name=field("attribute[venue_name]"),
            occurred_at=field("attribute[occurred_at]"),
            contact=Contact.model_validate(contact) if contact else None,
        )
    except (ValidationError, ValueError) as error:
        raise Open311Error(400, _describe_error(error)) from None
    return command, reachable and contact is None


def _coordinate(value: str | None, name: str) -> float | None:
    """A decimal degree, or an error naming the field (float()'s own message named none)."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a decimal number of degrees, e.g. 20.97") from None


def _describe_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        parts = []
        for item in error.errors():
            location = ".".join(str(p) for p in item["loc"]) or "request"
            # The form's own field names, so that the error names what the client sent.
            mapped = {
                "text": "description",
                "kind": "service_code",
                "latitude": "lat",
                "longitude": "long",
                "address": "address_string",
                "venue_name": "attribute[venue_name]",
                "occurred_at": "attribute[occurred_at]",
                "contact": "email/phone",
                "contact.email": "email",
                "contact.phone": "phone",
                "contact.name": "first_name/last_name",
            }.get(location, location)
            parts.append(f"{mapped}: {item['msg']}")
        return "; ".join(parts)
    return str(error)


def _public(tip: Any, status: Any, english: bool = False) -> dict[str, Any]:
    return {
        "service_request_id": tip.public_id,
        "status": "closed" if status.stage == "handled" else "open",
        "status_notes": None,
        "service_name": KIND_NAMES[tip.kind][0],
        "service_code": tip.kind,
        "description": None,  # never published: tips name people
        "agency_responsible": unit_name(status.unit, english=english),
        "service_notice": None,
        "requested_datetime": tip.received_at.isoformat(),
        "updated_datetime": status.updated_at.isoformat(),
        "expected_datetime": None,
        "address": status.ward_name,  # coarse area only
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _parse_date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} must be W3C datetime, e.g. 2026-11-01T00:00:00Z") from None
    # Year 1 or 9999 with an offset has no UTC value, and 90 days before year 1 is no date:
    # both were 500s.
    if not 2000 <= parsed.year <= 2200:
        raise Open311Error(400, f"{name} must lie between the years 2000 and 2200")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@router.get(
    "/requests.{fmt}",
    summary="Open311: list requests (safe public fields only)",
    openapi_extra=LIST_QUERY,
)
async def list_requests(fmt: str, request: Request) -> Response:
    _, fmt = _format(f"requests.{fmt}")
    params = request.query_params
    ids = [i for i in (params.get("service_request_id") or "").split(",") if i]
    kinds = [k for k in (params.get("service_code") or "").split(",") if k]
    unknown = [k for k in kinds if k not in KIND_NAMES]
    if unknown:
        raise Open311Error(400, f"Unknown service_code: {', '.join(unknown)}")
    end = _parse_date(params.get("end_date"), "end_date") or datetime.now(UTC)
    start = _parse_date(params.get("start_date"), "start_date") or end - timedelta(days=90)
    if start > end:
        raise Open311Error(400, "start_date must not be after end_date")
    if end - start > timedelta(days=90):
        raise Open311Error(400, "start_date..end_date may not span more than 90 days")
    statuses = {s for s in (params.get("status") or "").split(",") if s}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed")
    closed = None if len(statuses) != 1 else statuses == {"closed"}
    rows = await (await get_intake(request)).public_requests(
        public_ids=ids or None,
        kinds=kinds or None,
        start=start,
        end=end,
        closed=closed,
        limit=MAX_RESULTS,
    )
    return _render(request, fmt, [_public(t, s) for t, s in rows], "service_requests", "request")


@router.get("/requests/{name}", summary="Open311: one request (safe public fields only)")
async def get_request(name: str, request: Request) -> Response:
    public_id, fmt = _format(name)
    rows = await (await get_intake(request)).public_requests(
        public_ids=[public_id],
        kinds=None,
        start=datetime.min.replace(tzinfo=UTC),
        end=datetime.now(UTC),
        closed=None,
        limit=1,
    )
    if not rows:
        raise Open311Error(404, f"No service request {public_id!r}")
    return _render(request, fmt, [_public(*rows[0])], "service_requests", "request")


def install_open311_errors(app: FastAPI) -> None:
    """Render Open311Error in the standard's JSON or XML error format."""

    @app.exception_handler(Open311Error)
    async def _error(request: Request, error: Open311Error) -> Response:
        payload = [{"code": error.code, "description": error.description}]
        fmt = "xml" if request.url.path.endswith(".xml") else "json"
        return _render(request, fmt, payload, "errors", "error", status_code=error.code)
