"""Who may call what: every route of every service and of the web console, for every kind of
caller and scope.

The routes come from the apps themselves, so a new endpoint or page without a declared policy
fails here. Real cases are seeded in two wards (each unit, an escalated one, and one in the
manual-triage pool); no read or write outside a caller's scope may succeed, and every one
inside it must, whether called on the API or through the console's pages.
"""

import asyncio
import json
import re
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from services.console.csrf import CSRF_FIELD
from services.console.i18n import LOCAL_ZONE
from services.console.main import create_app as console_app
from services.console.sessions import SESSION_COOKIE
from services.console.web import CASE_ROLES, DASHBOARD_ROLES, HOTLINE_ROLES, ROLE_HOME
from services.intake.main import create_app as intake_app
from services.notify.main import create_app as notify_app
from services.triage.domain.case_rules import Action
from services.triage.main import create_app as triage_app
from shared.auth import ROLES
from tests.integration.security.conftest import Secrets, bearer
from tests.support.infra import Infra
from tests.support.services import Stack, console_process, gather_limited
from tests.support.staff import PASSWORD, create_user_with_cli
from tests.support.waiting import eventually

pytestmark = [pytest.mark.integration]

WARD_A, WARD_B, WARD_ELSEWHERE = "00118", "00127", "00136"  # no other test uses these wards
ACTIONS: tuple[str, ...] = Action.__args__  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ who calls


@dataclass(frozen=True)
class Caller:
    """Someone calling the API: a staff member (role, ward, unit) or not staff at all."""

    name: str
    role: str | None = None  # a staff role; None for the public
    ward: str | None = None
    unit: str | None = None
    holds_tip_secret: bool = False  # the citizen: tracking code + secret of their own tip
    signs_sms: bool = False  # the SMS gateway: the shared signing key

    @property
    def staff(self) -> bool:
        return self.role is not None


CALLERS = (
    Caller("anonymous"),
    Caller("citizen with code", holds_tip_secret=True),
    Caller("SMS gateway", signs_sms=True),
    Caller("hotline operator", "hotline_operator"),
    Caller("officer police A", "officer", WARD_A, "police"),
    Caller("officer culture-social A", "officer", WARD_A, "culture_social"),
    Caller("officer health station A", "officer", WARD_A, "health_station"),
    Caller("officer police B", "officer", WARD_B, "police"),
    Caller("supervisor A", "supervisor", WARD_A),
    Caller("supervisor B", "supervisor", WARD_B),
    Caller("city monitor", "city_monitor"),
    Caller("auditor", "auditor"),
    Caller("admin", "admin"),
)


@dataclass(frozen=True)
class SeededCase:
    """A real case, as stored (the scope rules are checked against these facts)."""

    label: str
    id: str
    ward: str | None
    unit: str | None
    co_handlers: tuple[str, ...]
    version: int
    tracking_code: str
    secret: str


def sees_case(caller: Caller, case: SeededCase) -> bool:
    """Triage's rule: officers their unit (lead or co-handler) in their ward, never a case
    escalated over their unit; supervisors their ward and the manual-triage pool."""
    if caller.role == "supervisor":
        return case.ward is None or case.ward == caller.ward
    if caller.role == "officer":
        return (
            case.ward is not None
            and case.ward == caller.ward
            and case.unit != "supervisor"
            and (case.unit == caller.unit or caller.unit in case.co_handlers)
        )
    return False


def sees_clocks(caller: Caller, case: SeededCase) -> bool:
    """Notify's rule (README): officers and supervisors of the case's ward (officers never an
    escalated case; supervisors also the pool), city monitors and auditors everywhere."""
    if caller.role in {"city_monitor", "auditor"}:
        return True
    if caller.role == "supervisor":
        return case.ward is None or case.ward == caller.ward
    if caller.role == "officer":
        return case.ward is not None and case.ward == caller.ward and case.unit != "supervisor"
    return False


# ------------------------------------------------------------------------------ the policy table


@dataclass
class World:
    """The seeded data and how to reach the services."""

    secrets: Secrets
    clients: dict[str, httpx.AsyncClient]
    cases: dict[str, SeededCase]
    public_id: str
    username: str

    @property
    def own_tip(self) -> SeededCase:
        return self.cases["A police"]  # the citizen's own tip


Target = Any  # a SeededCase, a (case, other case) pair, or None
Probe = Callable[[World, Caller, Target], dict[str, Any]]  # keyword arguments of request()
Check = Callable[[World, Caller, httpx.Response], None]


@dataclass
class Policy:
    """Who may call a route, on what, and how to call it.

    who: "public"; "tip secret" (the holder of the tip's code and secret); "sms signature";
    or "roles" (a bearer token with one of `roles`, and, with `scope`, only on the targets
    the scope admits: others' cases answer 404, as missing ones do).
    """

    who: str
    probe: Probe
    ok: frozenset[int]
    roles: frozenset[str] = frozenset()
    scope: Callable[[Caller, Target], bool] | None = None
    targets: Callable[[World], Iterable[Target]] = lambda world: [None]
    check: Check | None = None  # more to assert on an allowed answer (what it shows)


def denial(policy: Policy, caller: Caller, target: Target) -> int | None:
    """The status a caller must get, or None when the call must succeed."""
    if policy.who == "public":
        return None
    if policy.who == "tip secret":
        if not caller.holds_tip_secret:
            return 422  # X-Tip-Secret is required: a bearer token is no substitute
        return None if target is not None and target.label == "A police" else 404
    if policy.who == "sms signature":
        return None if caller.signs_sms else 401
    if not caller.staff:
        return 401
    if caller.role not in policy.roles:
        return 403
    if policy.scope is not None and not policy.scope(caller, target):
        return 404
    return None


def staff_headers(world: World, caller: Caller) -> dict[str, str]:
    if not caller.staff:
        return {}
    return bearer(world.secrets.token(caller.role, caller.ward, caller.unit))  # type: ignore[arg-type]


def get(service: str, path: str | Callable[[Target], str], **extra: Any) -> Probe:
    def probe(world: World, caller: Caller, target: Target) -> dict[str, Any]:
        url = path(target) if callable(path) else path
        return {"service": service, "method": "GET", "url": url, **extra}

    return probe


def case_targets(world: World) -> list[SeededCase]:
    return list(world.cases.values())


def case_pairs(world: World) -> list[tuple[SeededCase, SeededCase]]:
    """Merges into and out of the case with the most mixed verdicts, each way round."""
    pivot = world.cases["A police"]
    others = [c for c in world.cases.values() if c != pivot]
    return [(pivot, other) for other in others] + [(other, pivot) for other in others]


def action_targets(world: World) -> list[tuple[SeededCase, str]]:
    """Every action on one case; "note" on the others (the scope check precedes the action)."""
    pivot = world.cases["A police"]
    return [(pivot, name) for name in ACTIONS] + [
        (case, "note") for case in world.cases.values() if case != pivot
    ]


def tip_probe(method: str, suffix: str, body: dict | None = None) -> Probe:
    def probe(world: World, caller: Caller, target: SeededCase) -> dict[str, Any]:
        headers = staff_headers(world, caller)
        if caller.holds_tip_secret:
            headers["X-Tip-Secret"] = world.own_tip.secret
        return {
            "service": "intake",
            "method": method,
            "url": f"/api/v1/tips/{target.tracking_code}/{suffix}",
            "headers": headers,
            "json": body,
        }

    return probe


def tip_targets(world: World) -> list[SeededCase]:
    return [world.cases["A police"], world.cases["B police"]]


def new_tip(world: World, caller: Caller, target: Target) -> dict[str, Any]:
    return {
        "service": "intake",
        "method": "POST",
        "url": "/api/v1/tips",
        "headers": staff_headers(world, caller),
        "json": {
            "kind": "feedback",
            "text": f"Phản ánh ma trận quyền {uuid.uuid4().hex[:8]}: quán có dấu hiệu mại dâm.",
            "ward_code": WARD_ELSEWHERE,
        },
    }


def hotline_tip(world: World, caller: Caller, target: Target) -> dict[str, Any]:
    call = new_tip(world, caller, target)
    call["url"] = "/api/v1/hotline/tips"
    call["json"] |= {"call_started_at": datetime.now(UTC).isoformat()}
    return call


def sms(world: World, caller: Caller, target: Target) -> dict[str, Any]:
    body = urllib.parse.urlencode(
        {
            "sender": "0912345678",
            "message_id": f"matrix-{uuid.uuid4().hex}",
            "body": f"PA quan co dau hieu mai dam, ma tran quyen {uuid.uuid4().hex[:6]}",
        }
    ).encode()
    headers = staff_headers(world, caller) | {"Content-Type": "application/x-www-form-urlencoded"}
    if caller.signs_sms:
        headers |= world.secrets.sms_headers(body)
    return {
        "service": "intake",
        "method": "POST",
        "url": "/api/v1/gateways/sms",
        "content": body,
        "headers": headers,
    }


def open311_post(world: World, caller: Caller, target: Target) -> dict[str, Any]:
    return {
        "service": "intake",
        "method": "POST",
        "url": "/open311/v2/requests.json",
        "data": {
            "service_code": "feedback",
            "description": f"Phản ánh Open311 ma trận {uuid.uuid4().hex[:8]} về quán đáng ngờ",
        },
    }


def sign_in(world: World, caller: Caller, target: Target) -> dict[str, Any]:
    return {
        "service": "triage",
        "method": "POST",
        "url": "/api/v1/auth/token",
        "headers": staff_headers(world, caller),
        "data": {"username": world.username, "password": PASSWORD},
    }


def staff_get(service: str, path: str | Callable[[Target], str]) -> Probe:
    def probe(world: World, caller: Caller, target: Target) -> dict[str, Any]:
        call = get(service, path)(world, caller, target)
        return call | {"headers": staff_headers(world, caller)}

    return probe


def action(name: str) -> Probe:
    def probe(world: World, caller: Caller, target: SeededCase) -> dict[str, Any]:
        # A stale version: a caller in scope gets 409 (past the scope check), nothing changes.
        return {
            "service": "triage",
            "method": "POST",
            "url": f"/api/v1/cases/{target.id}/actions/{name}",
            "headers": staff_headers(world, caller),
            "json": {"expected_version": target.version + 1000, "note": "thử quyền"},
        }

    return probe


def split(world: World, caller: Caller, target: SeededCase) -> dict[str, Any]:
    return {
        "service": "triage",
        "method": "POST",
        "url": f"/api/v1/cases/{target.id}/split",
        "headers": staff_headers(world, caller),
        "json": {
            "expected_version": target.version + 1000,
            "tip_tracking_code": target.tracking_code,
        },
    }


def merge(world: World, caller: Caller, pair: tuple[SeededCase, SeededCase]) -> dict[str, Any]:
    case, other = pair
    return {
        "service": "triage",
        "method": "POST",
        "url": f"/api/v1/cases/{case.id}/merge",
        "headers": staff_headers(world, caller),
        "json": {"expected_version": case.version + 1000, "other_case_id": other.id},
    }


def queue_shows_exactly_the_callers_cases(
    world: World, caller: Caller, answer: httpx.Response
) -> None:
    shown = {code for case in answer.json()["data"] for code in case["tracking_codes"]}
    for case in world.cases.values():
        assert (case.tracking_code in shown) is sees_case(caller, case), (caller.name, case.label)


def audit_stays_in_the_supervisors_ward(
    world: World, caller: Caller, answer: httpx.Response
) -> None:
    entries = answer.json()
    if caller.role == "supervisor":
        foreign = {c.id for c in world.cases.values() if c.ward != caller.ward}
        assert not foreign & {e["case_id"] for e in entries}, caller.name
        assert all(e["case_id"] for e in entries)  # and nothing that belongs to no case


def ward_forced_for_supervisors(world: World, caller: Caller, answer: httpx.Response) -> None:
    # Asked for the other ward; a supervisor still gets their own.
    if caller.role == "supervisor":
        assert answer.json()["ward_code"] == caller.ward, caller.name


CASE_WORKERS = frozenset({"officer", "supervisor"})
ALL_STAFF = frozenset(
    {"officer", "supervisor", "city_monitor", "auditor", "hotline_operator", "admin"}
)
READERS = frozenset({"supervisor", "city_monitor", "auditor"})
PUBLIC_GET = frozenset({200})

POLICIES: dict[tuple[str, str, str], Policy] = {
    # Every service: operations and API documentation are public.
    **{
        (service, "GET", path): Policy("public", get(service, path), PUBLIC_GET)
        for service in ("intake", "triage", "notify")
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc")
    },
    **{
        (service, "GET", "/docs/oauth2-redirect"): Policy(
            "public", get(service, "/docs/oauth2-redirect"), PUBLIC_GET
        )
        for service in ("intake", "triage", "notify")
    },
    # Intake: the public, the tipster with code and secret, the hotline, the SMS gateway.
    ("intake", "POST", "/api/v1/tips"): Policy("public", new_tip, frozenset({202})),
    ("intake", "GET", "/api/v1/tips/{tracking_code}/status"): Policy(
        "tip secret", tip_probe("GET", "status"), PUBLIC_GET, targets=tip_targets
    ),
    ("intake", "GET", "/api/v1/tips/{tracking_code}/messages"): Policy(
        "tip secret", tip_probe("GET", "messages"), PUBLIC_GET, targets=tip_targets
    ),
    ("intake", "POST", "/api/v1/tips/{tracking_code}/messages"): Policy(
        "tip secret",
        tip_probe("POST", "messages", {"text": "Thêm thông tin: thường sau 21 giờ."}),
        frozenset({201}),
        targets=tip_targets,
    ),
    ("intake", "POST", "/api/v1/hotline/tips"): Policy(
        "roles", hotline_tip, frozenset({202}), roles=frozenset({"hotline_operator", "admin"})
    ),
    ("intake", "POST", "/api/v1/gateways/sms"): Policy("sms signature", sms, PUBLIC_GET),
    ("intake", "GET", "/open311/v2/services.{fmt}"): Policy(
        "public", get("intake", "/open311/v2/services.json"), PUBLIC_GET
    ),
    ("intake", "GET", "/open311/v2/services/{name}"): Policy(
        "public", get("intake", "/open311/v2/services/feedback.xml"), PUBLIC_GET
    ),
    ("intake", "POST", "/open311/v2/requests.{fmt}"): Policy(
        "public", open311_post, frozenset({201})
    ),
    ("intake", "GET", "/open311/v2/requests.{fmt}"): Policy(
        "public", get("intake", "/open311/v2/requests.json"), PUBLIC_GET
    ),
    ("intake", "GET", "/open311/v2/requests/{name}"): Policy(
        "public",
        lambda world, caller, target: get("intake", f"/open311/v2/requests/{world.public_id}.json")(
            world, caller, target
        ),
        PUBLIC_GET,
    ),
    # Triage: staff sign in with credentials; case workers within their scope.
    ("triage", "POST", "/api/v1/auth/token"): Policy("public", sign_in, PUBLIC_GET),
    ("triage", "GET", "/api/v1/auth/me"): Policy(
        "roles", staff_get("triage", "/api/v1/auth/me"), PUBLIC_GET, roles=ALL_STAFF
    ),
    ("triage", "GET", "/api/v1/cases"): Policy(
        "roles",
        staff_get("triage", "/api/v1/cases?limit=200&include_handled=true"),
        PUBLIC_GET,
        roles=CASE_WORKERS,
        check=queue_shows_exactly_the_callers_cases,
    ),
    ("triage", "GET", "/api/v1/cases/by-code/{tracking_code}"): Policy(
        "roles",
        staff_get("triage", lambda case: f"/api/v1/cases/by-code/{case.tracking_code}"),
        PUBLIC_GET,
        roles=CASE_WORKERS,
        scope=sees_case,
        targets=case_targets,
    ),
    ("triage", "GET", "/api/v1/cases/{case_id}"): Policy(
        "roles",
        staff_get("triage", lambda case: f"/api/v1/cases/{case.id}"),
        PUBLIC_GET,
        roles=CASE_WORKERS,
        scope=sees_case,
        targets=case_targets,
    ),
    ("triage", "POST", "/api/v1/cases/{case_id}/actions/{action}"): Policy(
        "roles",
        lambda world, caller, target: action(target[1])(world, caller, target[0]),
        frozenset({409}),
        roles=CASE_WORKERS,
        scope=lambda caller, target: sees_case(caller, target[0]),
        targets=action_targets,
    ),
    ("triage", "POST", "/api/v1/cases/{case_id}/split"): Policy(
        "roles", split, frozenset({409}), roles=CASE_WORKERS, scope=sees_case, targets=case_targets
    ),
    ("triage", "POST", "/api/v1/cases/{case_id}/merge"): Policy(
        "roles",
        merge,
        frozenset({409}),
        roles=CASE_WORKERS,
        scope=lambda caller, pair: sees_case(caller, pair[0]) and sees_case(caller, pair[1]),
        targets=case_pairs,
    ),
    ("triage", "GET", "/api/v1/audit"): Policy(
        "roles",
        staff_get("triage", "/api/v1/audit?limit=1000"),
        PUBLIC_GET,
        roles=frozenset({"auditor", "supervisor"}),
        check=audit_stays_in_the_supervisors_ward,
    ),
    # Notify: reports and the SLA board for readers of figures; a case's clocks by ward.
    ("notify", "GET", "/api/v1/reports/{kind}/{period}"): Policy(
        "roles",
        staff_get("notify", f"/api/v1/reports/monthly/2026-10?ward={WARD_B}"),
        PUBLIC_GET,
        roles=READERS,
        check=ward_forced_for_supervisors,
    ),
    ("notify", "GET", "/api/v1/sla/board"): Policy(
        "roles",
        staff_get("notify", f"/api/v1/sla/board?ward={WARD_B}"),
        PUBLIC_GET,
        roles=READERS,
        check=ward_forced_for_supervisors,
    ),
    ("notify", "GET", "/api/v1/sla/cases/{case_id}"): Policy(
        "roles",
        staff_get("notify", lambda case: f"/api/v1/sla/cases/{case.id}"),
        PUBLIC_GET,
        roles=frozenset({"officer", "supervisor", "city_monitor", "auditor"}),
        scope=sees_clocks,
        targets=case_targets,
    ),
}

APPS: dict[str, Callable[[], FastAPI]] = {
    "intake": intake_app,
    "triage": triage_app,
    "notify": notify_app,
}


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers unfolded."""
    try:  # FastAPI ≥ 0.16x includes routers lazily; this is what its OpenAPI generator walks
        from fastapi.routing import iter_route_contexts

        routes: Iterable[Any] = iter_route_contexts(app.routes)
    except ImportError:
        routes = app.routes
    return {
        (method, route.path)
        for route in routes
        for method in (getattr(route, "methods", None) or set()) - {"HEAD"}
    }


def test_every_route_of_every_service_has_a_declared_policy() -> None:
    served = {
        (service, method, path)
        for service, factory in APPS.items()
        for method, path in routes_of(factory())
    }
    assert len(served) > 35  # the enumeration itself works (it once saw only 7 routes)
    undeclared = sorted(served - POLICIES.keys())
    assert not undeclared, f"routes with no authorization policy: {undeclared}"
    stale = sorted(POLICIES.keys() - served)
    assert not stale, f"policies for routes that no longer exist: {stale}"


# ------------------------------------------------------------------------------ the seeded world


SEEDS = {
    "A police": (
        "crime_denunciation",
        "Có người chứa mại dâm trong nhà nghỉ, tối nào cũng hoạt động.",
        WARD_A,
    ),
    "A culture-social": (
        "petition",
        "Đề nghị phường tổ chức tuyên truyền phòng chống mại dâm ở khu trọ.",
        WARD_A,
    ),
    "A escalated": (
        "denunciation",
        "Cảnh sát khu vực nhận tiền hàng tháng để làm ngơ cho quán karaoke có gái bán dâm.",
        WARD_A,
    ),
    "B police": (
        "crime_denunciation",
        "Có người chứa mại dâm trong nhà nghỉ ven đường, tối nào cũng hoạt động.",
        WARD_B,
    ),
    "pool": (
        "feedback",
        "Quán karaoke có nhân viên nữ tiếp khách trong phòng kín, có dấu hiệu mại dâm.",
        None,
    ),
}


@pytest.fixture(scope="module")
async def world(
    stack: Stack, stack_secrets: Secrets, infra: Infra, db: asyncpg.Pool
) -> AsyncIterator[World]:
    username = f"matrix.{uuid.uuid4().hex[:6]}"
    create_user_with_cli(
        infra.database_url,
        username=username,
        role="officer",
        ward=WARD_A,
        unit="police",
    )
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as intake,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as triage,
        httpx.AsyncClient(base_url=stack.notify.url, timeout=30) as notify,
    ):
        accepted = {}
        for label, (kind, text, ward) in SEEDS.items():
            body: dict[str, Any] = {
                "kind": kind,
                "text": text,
                "address": f"Ngõ {uuid.uuid4().hex[:6]}" + ("" if ward else ", không rõ phường"),
            }
            if ward:
                body["ward_code"] = ward
            answer = await intake.post("/api/v1/tips", json=body)
            assert answer.status_code == 202, answer.text
            accepted[label] = answer.json()
        codes = [a["tracking_code"] for a in accepted.values()]
        rows = await eventually(
            lambda: db.fetch(
                "SELECT t.tracking_code, c.id, c.ward_code, c.unit, c.co_handlers, c.version "
                "FROM triage.case_tips t JOIN triage.cases c ON c.id = t.case_id "
                "WHERE t.tracking_code = ANY($1)",
                codes,
            ),
            lambda found: len(found) == len(codes),
            what="the seeded cases",
        )
        by_code = {r["tracking_code"]: r for r in rows}
        cases = {}
        for label, tip in accepted.items():
            row = by_code[tip["tracking_code"]]
            cases[label] = SeededCase(
                label,
                str(row["id"]),
                row["ward_code"],
                row["unit"],
                tuple(row["co_handlers"] or ()),
                row["version"],
                tip["tracking_code"],
                tip["secret"],
            )
        # The matrix covers what it means to cover only if triage routed the seeds as meant.
        assert (cases["A police"].ward, cases["A police"].unit) == (WARD_A, "police")
        assert (cases["A culture-social"].ward, cases["A culture-social"].unit) == (
            WARD_A,
            "culture_social",
        )
        assert (cases["A escalated"].ward, cases["A escalated"].unit) == (WARD_A, "supervisor")
        assert (cases["B police"].ward, cases["B police"].unit) == (WARD_B, "police")
        assert cases["pool"].ward is None
        assert len({c.id for c in cases.values()}) == len(cases)
        await eventually(
            lambda: db.fetchval(
                "SELECT count(DISTINCT case_id) FROM notify.sla_clocks WHERE case_id = ANY($1)",
                [uuid.UUID(c.id) for c in cases.values()],
            ),
            lambda n: n == len(cases),
            what="the seeded cases' clocks",
        )
        public_id = await db.fetchval(
            "SELECT public_id FROM intake.tips WHERE tracking_code = $1", codes[0]
        )
        yield World(
            stack_secrets,
            {"intake": intake, "triage": triage, "notify": notify},
            cases,
            public_id,
            username,
        )


async def call(world: World, request: dict[str, Any]) -> httpx.Response:
    client = world.clients[request.pop("service")]
    return await client.request(request.pop("method"), request.pop("url"), **request)


async def test_every_route_admits_exactly_the_callers_its_policy_names(world: World) -> None:
    planned = [
        (route, policy, caller, target)
        for route, policy in POLICIES.items()
        for caller in CALLERS
        for target in policy.targets(world)
    ]

    async def one(route, policy, caller, target):  # type: ignore[no-untyped-def]
        answer = await call(world, policy.probe(world, caller, target))
        return route, policy, caller, target, answer

    results = await gather_limited([one(*p) for p in planned], limit=16)
    wrong = []
    for route, policy, caller, target, answer in results:
        denied = denial(policy, caller, target)
        where = f"{route} as {caller.name} on {getattr(target, 'label', target)}"
        if denied is None:
            if answer.status_code not in policy.ok:
                wrong.append(f"{where}: {answer.status_code}, expected {set(policy.ok)}")
            elif policy.check is not None:
                policy.check(world, caller, answer)
        else:
            if answer.status_code != denied:
                wrong.append(f"{where}: {answer.status_code}, expected {denied}")
            elif answer.headers["content-type"].split(";")[0] != "application/problem+json":
                wrong.append(f"{where}: a refusal that is not problem+json")
    assert not wrong, "\n".join(wrong[:40]) + f"\n({len(wrong)} wrong of {len(results)})"
    assert len(results) > 1000  # the matrix really ran: routes x callers x targets


async def test_writes_inside_the_scope_succeed_and_outside_change_nothing(
    world: World, db: asyncpg.Pool
) -> None:
    triage = world.clients["triage"]
    staff = [c for c in CALLERS if c.staff]
    before = {
        label: await db.fetchval("SELECT version FROM triage.cases WHERE id = $1", uuid.UUID(c.id))
        for label, c in world.cases.items()
    }
    for case in world.cases.values():
        for caller in staff:
            version = await db.fetchval(
                "SELECT version FROM triage.cases WHERE id = $1", uuid.UUID(case.id)
            )
            answer = await triage.post(
                f"/api/v1/cases/{case.id}/actions/note",
                json={"expected_version": version, "note": f"ghi chú của {caller.name}"},
                headers=staff_headers(world, caller),
            )
            expected = (
                200 if sees_case(caller, case) else (404 if caller.role in CASE_WORKERS else 403)
            )
            assert answer.status_code == expected, (caller.name, case.label, answer.text)
    for label, case in world.cases.items():
        writers = [c for c in staff if sees_case(c, case)]
        assert writers, f"nobody may write {label}: the seeds do not cover the rule"
        after = await db.fetchval(
            "SELECT version FROM triage.cases WHERE id = $1", uuid.UUID(case.id)
        )
        assert after == before[label] + len(writers), label
        notes = await db.fetch(
            "SELECT actor_role, detail->>'note' AS note FROM triage.case_events "
            "WHERE case_id = $1 AND action = 'note'",
            uuid.UUID(case.id),
        )
        assert sorted(n["note"] for n in notes) == sorted(f"ghi chú của {c.name}" for c in writers)


async def test_a_wrong_password_and_an_unknown_user_are_refused_alike(world: World) -> None:
    triage = world.clients["triage"]
    wrong = await triage.post(
        "/api/v1/auth/token", data={"username": world.username, "password": "sai-mat-khau-1"}
    )
    unknown = await triage.post(
        "/api/v1/auth/token",
        data={"username": f"khong.co.{uuid.uuid4().hex}", "password": "x1234567"},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()  # nothing tells which accounts exist
    token = await triage.post(
        "/api/v1/auth/token", data={"username": world.username, "password": PASSWORD}
    )
    assert token.status_code == 200
    me = await triage.get("/api/v1/auth/me", headers=bearer(token.json()["access_token"]))
    assert me.json()["role"] == "officer" and me.json()["ward_code"] == WARD_A


def test_the_callers_cover_every_role() -> None:
    assert {c.role for c in CALLERS if c.role} == set(ROLES)


# ------------------------------------------------------------------------------ the web console
#
# The console is a fourth app with routes of its own, in front of the three services. It keeps
# no data and calls the services with the signed-in staff member's own token, so the rules
# above hold through it too. Checked here, with each caller signed in through the console's own
# login form: every console route has a declared policy; staff pages send visitors who are not
# signed in to the sign-in page and answer the wrong roles with the 403 page; a case outside
# the caller's scope is not found (page, search, action); and no answer ever shows the tracking
# code of a case the caller may not see.


@dataclass(frozen=True)
class Visitor:
    """A browser's console session: its signed cookie and the CSRF token its forms carry."""

    cookie: str
    csrf: str


@dataclass
class ConsoleWorld:
    """The seeded world as seen through a running console, one session per caller."""

    world: World
    client: httpx.AsyncClient
    visitors: dict[str, Visitor]  # by caller name
    decoy_code: str  # a tip only ever asked for with a wrong secret (its lockout harms no one)
    log_path: Path


Expected = tuple[frozenset[int], str | None]  # the statuses allowed and, for a redirect, where
PageProbe = Callable[[ConsoleWorld, Caller, Target], dict[str, Any]]
PageCheck = Callable[[ConsoleWorld, Caller, Target, httpx.Response], None]
SIGN_IN_PAGE: Expected = (frozenset({303}), "/staff/login")


def answers(*statuses: int, location: str | None = None) -> Callable[[Caller, Target], Expected]:
    return lambda caller, target: (frozenset(statuses), location)


@dataclass
class Page:
    """Who may use a console route, and what everyone else gets.

    who: "public" (anyone: `ok` may still depend on who calls) or "roles": a signed-in staff
    member with one of `roles`. Anyone not signed in is sent to the sign-in page; a staff
    member of another role gets the 403 page; with `scope`, a case outside it answers
    `outside` (the service's 404, shown as a page or as a message on the queue).
    """

    who: str
    probe: PageProbe
    ok: Callable[[Caller, Target], Expected]
    roles: frozenset[str] = frozenset()
    scope: Callable[[Caller, Target], bool] | None = None
    outside: Callable[[Target], Expected] = lambda target: (frozenset({404}), None)
    targets: Callable[[World], Iterable[Target]] = lambda world: [None]
    check: PageCheck | None = None


def page_denial(page: Page, caller: Caller, target: Target) -> Expected | None:
    """What a caller must get instead of the page, or None when they may use it."""
    if page.who == "public":
        return None
    if not caller.staff:
        return SIGN_IN_PAGE
    if caller.role not in page.roles:
        return frozenset({403}), None
    if page.scope is not None and not page.scope(caller, target):
        return page.outside(target)
    return None


def may_see(caller: Caller, case: SeededCase) -> bool:
    """Whether any console answer to this caller may show the case's tracking code."""
    return sees_case(caller, case) or (caller.holds_tip_secret and case.label == "A police")


def visit(
    method: str,
    path: str | Callable[[ConsoleWorld, Caller, Target], str],
    form: Callable[[ConsoleWorld, Caller, Target], dict[str, str]] | None = None,
) -> PageProbe:
    """A browser request in the caller's session; a POST carries the session's CSRF token."""

    def probe(console: ConsoleWorld, caller: Caller, target: Target) -> dict[str, Any]:
        visitor = console.visitors[caller.name]
        request: dict[str, Any] = {
            "method": method,
            "url": path(console, caller, target) if callable(path) else path,
            "headers": {"Cookie": f"{SESSION_COOKIE}={visitor.cookie}"},
        }
        if method == "POST":
            fields = form(console, caller, target) if form else {}
            request["data"] = {CSRF_FIELD: visitor.csrf, **fields}
        return request

    return probe


def web_tip(console: ConsoleWorld, caller: Caller, target: Target) -> dict[str, str]:
    return {
        "kind": "feedback",
        "text": f"Phản ánh qua trang {uuid.uuid4().hex[:8]}: quán có dấu hiệu mại dâm.",
        "ward_code": WARD_ELSEWHERE,
    }


def phone_call(console: ConsoleWorld, caller: Caller, target: Target) -> dict[str, str]:
    started = datetime.now(UTC).astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")
    return web_tip(console, caller, target) | {"call_started_at": started}


def tracking_form(console: ConsoleWorld, caller: Caller, target: Target) -> dict[str, str]:
    """The holder types their own code and secret; anyone else a real code, a wrong secret."""
    if caller.holds_tip_secret:
        own = console.world.own_tip
        return {"code": own.tracking_code, "secret": own.secret}
    return {"code": console.decoy_code, "secret": "SAI0-SAI0-SAI0-SAI0"}


def other_ward(caller: Caller) -> str:
    return WARD_A if caller.ward == WARD_B else WARD_B


def dashboard_url(suffix: str) -> Callable[[ConsoleWorld, Caller, Target], str]:
    # Asks for a ward not the caller's: supervisors must still get their own.
    return lambda console, caller, target: f"{suffix}?kind=monthly&ward={other_ward(caller)}"


def track_page_shows_only_the_holders_tip(
    console: ConsoleWorld, caller: Caller, target: Target, answer: httpx.Response
) -> None:
    own = console.world.own_tip.tracking_code
    assert (own in answer.text) is caller.holds_tip_secret, caller.name


def queue_shows_cases(
    console: ConsoleWorld, caller: Caller, target: Target, answer: httpx.Response
) -> None:
    # The queue is paged (50 a page) and shared with other tests' cases in these wards, so
    # what must not be there is checked on every answer; here only that it lists something.
    if any(sees_case(caller, case) for case in console.world.cases.values()):
        assert 'class="case-row' in answer.text, caller.name


def case_page_shows_the_case(
    console: ConsoleWorld, caller: Caller, target: SeededCase, answer: httpx.Response
) -> None:
    assert target.tracking_code in answer.text, (caller.name, target.label)


def dashboard_keeps_supervisors_in_their_ward(
    console: ConsoleWorld, caller: Caller, target: Target, answer: httpx.Response
) -> None:
    scope = re.search(r'<p class="scope" id="scope">(.*?)</p>', answer.text, re.S)
    assert scope, caller.name
    if caller.role == "supervisor":
        assert caller.ward in scope.group(1), (caller.name, scope.group(1))
    else:
        assert other_ward(caller) in scope.group(1), (caller.name, scope.group(1))


def a_csv_report(
    console: ConsoleWorld, caller: Caller, target: Target, answer: httpx.Response
) -> None:
    assert answer.headers["content-type"].startswith("text/csv"), caller.name


def login_page(caller: Caller, target: Target) -> Expected:
    """The sign-in form; a signed-in staff member goes straight to their own page."""
    if caller.staff:
        return frozenset({303}), ROLE_HOME[caller.role]
    return frozenset({200}), None


def tracking_answer(caller: Caller, target: Target) -> Expected:
    if caller.holds_tip_secret:
        return frozenset({303}), "/tips/track"
    # Not found; after five wrong secrets in 15 minutes the code is locked (429) for everyone.
    return frozenset({404, 429}), None


CONSOLE_PAGES: dict[tuple[str, str], Page] = {
    # Anyone: the entry page, probes, the stylesheet, and the citizen's pages.
    ("GET", "/"): Page("public", visit("GET", "/"), answers(200)),
    ("GET", "/healthz"): Page("public", visit("GET", "/healthz"), answers(200)),
    ("GET", "/readyz"): Page("public", visit("GET", "/readyz"), answers(200)),
    ("GET", "/static/{path}"): Page("public", visit("GET", "/static/console.css"), answers(200)),
    ("GET", "/tips/new"): Page("public", visit("GET", "/tips/new"), answers(200)),
    ("POST", "/tips/new"): Page(
        "public", visit("POST", "/tips/new", web_tip), answers(303, location="/tips/submitted")
    ),
    # No session here holds a receipt: everyone is sent to the form.
    ("GET", "/tips/submitted"): Page(
        "public", visit("GET", "/tips/submitted"), answers(303, location="/tips/new")
    ),
    ("GET", "/tips/track"): Page(
        "public",
        visit("GET", "/tips/track"),
        answers(200),
        check=track_page_shows_only_the_holders_tip,
    ),
    ("POST", "/tips/track"): Page(
        "public", visit("POST", "/tips/track", tracking_form), tracking_answer
    ),
    # Only a session holding a tip's codes sends anything; the others land on the form.
    ("POST", "/tips/track/messages"): Page(
        "public",
        visit(
            "POST",
            "/tips/track/messages",
            lambda console, caller, target: {"text": "Thêm thông tin qua trang: sau 21 giờ."},
        ),
        answers(303, location="/tips/track"),
    ),
    ("POST", "/tips/forget"): Page(
        "public", visit("POST", "/tips/forget"), answers(303, location="/")
    ),
    # Staff sign-in: the form, the password checked by triage, signing out.
    ("GET", "/staff/login"): Page("public", visit("GET", "/staff/login"), login_page),
    ("POST", "/staff/login"): Page(
        "public",
        visit(
            "POST",
            "/staff/login",
            lambda console, caller, target: {
                "username": console.world.username,
                "password": PASSWORD,
            },
        ),
        answers(303, location="/cases"),
    ),
    ("POST", "/staff/logout"): Page(
        "public", visit("POST", "/staff/logout"), answers(303, location="/")
    ),
    # The hotline operator's entry form.
    ("GET", "/hotline"): Page(
        "roles", visit("GET", "/hotline"), answers(200), roles=frozenset(HOTLINE_ROLES)
    ),
    ("POST", "/hotline"): Page(
        "roles",
        visit("POST", "/hotline", phone_call),
        answers(303, location="/hotline"),
        roles=frozenset(HOTLINE_ROLES),
    ),
    # Officers and supervisors: the queue, finding a case, a case, its actions.
    ("GET", "/cases"): Page(
        "roles",
        visit("GET", "/cases?include_handled=1"),
        answers(200),
        roles=frozenset(CASE_ROLES),
        check=queue_shows_cases,
    ),
    ("POST", "/cases/find"): Page(
        "roles",
        visit("POST", "/cases/find", lambda console, caller, case: {"code": case.tracking_code}),
        lambda caller, case: (frozenset({303}), f"/cases/{case.id}"),
        roles=frozenset(CASE_ROLES),
        scope=sees_case,
        # As for a code that does not exist: back to the queue, with a message.
        outside=lambda case: (frozenset({303}), "/cases"),
        targets=case_targets,
    ),
    ("GET", "/cases/{case_id}"): Page(
        "roles",
        visit("GET", lambda console, caller, case: f"/cases/{case.id}"),
        answers(200),
        roles=frozenset(CASE_ROLES),
        scope=sees_case,
        targets=case_targets,
        check=case_page_shows_the_case,
    ),
    ("POST", "/cases/{case_id}/actions/{action}"): Page(
        "roles",
        # A stale version: inside the scope the page shows the 409, and nothing changes.
        visit(
            "POST",
            lambda console, caller, case: f"/cases/{case.id}/actions/note",
            lambda console, caller, case: {
                "expected_version": str(case.version + 1000),
                "note": "thử quyền qua trang",
            },
        ),
        answers(409),
        roles=frozenset(CASE_ROLES),
        scope=sees_case,
        targets=case_targets,
    ),
    # Supervisors, city monitors, auditors: the figures and their downloads.
    ("GET", "/dashboard"): Page(
        "roles",
        visit("GET", dashboard_url("/dashboard")),
        answers(200),
        roles=frozenset(DASHBOARD_ROLES),
        check=dashboard_keeps_supervisors_in_their_ward,
    ),
    ("GET", "/dashboard/report.{fmt}"): Page(
        "roles",
        visit("GET", dashboard_url("/dashboard/report.csv")),
        answers(200),
        roles=frozenset(DASHBOARD_ROLES),
        check=a_csv_report,
    ),
}


def console_routes() -> set[tuple[str, str]]:
    """(method, path) of every console route, read from the console app itself."""
    app = console_app()
    # Mounted apps (the stylesheet and the icon) serve GET below their path.
    mounts = {("GET", f"{route.path}/{{path}}") for route in app.routes if isinstance(route, Mount)}
    return routes_of(app) | mounts


def test_every_console_route_has_a_declared_policy() -> None:
    served = console_routes()
    assert len(served) > 20  # the enumeration itself works
    undeclared = sorted(served - CONSOLE_PAGES.keys())
    assert not undeclared, f"console routes with no authorization policy: {undeclared}"
    stale = sorted(CONSOLE_PAGES.keys() - served)
    assert not stale, f"policies for console routes that no longer exist: {stale}"


def _session_cookie(answer: httpx.Response, current: str) -> str:
    for header in answer.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == SESSION_COOKIE:
            return rest.split(";", 1)[0]
    return current


def _csrf_token(answer: httpx.Response) -> str:
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', answer.text)
    assert found, answer.text[:500]
    return found.group(1)


async def open_session(
    client: httpx.AsyncClient, caller: Caller, username: str | None, world: World
) -> Visitor:
    """A session as the caller's browser holds it: staff signed in through the login form,
    the citizen with their own tip opened through the tracking form."""
    cookie = ""

    async def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
        nonlocal cookie
        headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
        answer = await client.request(method, url, headers=headers, **kwargs)
        cookie = _session_cookie(answer, cookie)
        return answer

    csrf = _csrf_token(await send("GET", "/staff/login"))
    if caller.staff:
        signed_in = await send(
            "POST",
            "/staff/login",
            data={CSRF_FIELD: csrf, "username": username, "password": PASSWORD},
        )
        assert signed_in.status_code == 303, (caller.name, signed_in.text[:500])
        assert signed_in.headers["location"] == ROLE_HOME[caller.role], caller.name
        csrf = _csrf_token(await send("GET", "/"))  # signing in issued a new one
    if caller.holds_tip_secret:
        own = world.own_tip
        opened = await send(
            "POST",
            "/tips/track",
            data={CSRF_FIELD: csrf, "code": own.tracking_code, "secret": own.secret},
        )
        assert (opened.status_code, opened.headers.get("location")) == (303, "/tips/track")
    return Visitor(cookie, csrf)


@pytest.fixture(scope="module")
async def console(
    world: World, stack: Stack, infra: Infra, security_logs: Path
) -> AsyncIterator[ConsoleWorld]:
    """The console in front of the stack, and a signed-in session for every caller."""
    suffix = uuid.uuid4().hex[:6]
    usernames = {c.name: f"console.{i}.{suffix}" for i, c in enumerate(CALLERS) if c.staff}
    await asyncio.gather(
        *(
            asyncio.to_thread(
                create_user_with_cli,
                infra.database_url,
                username=usernames[c.name],
                role=c.role,  # type: ignore[arg-type]
                ward=c.ward,
                unit=c.unit,
            )
            for c in CALLERS
            if c.staff
        )
    )
    decoy = await world.clients["intake"].post(
        "/api/v1/tips",
        json={
            "kind": "feedback",
            "text": f"Phản ánh mồi {uuid.uuid4().hex[:8]}: quán có dấu hiệu mại dâm.",
            "ward_code": WARD_ELSEWHERE,
        },
    )
    assert decoy.status_code == 202, decoy.text
    with console_process(stack, security_logs) as process:
        # Never keep cookies: each request carries the session of the caller it is for.
        no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
        async with httpx.AsyncClient(
            base_url=process.url, timeout=30, cookies=no_cookies
        ) as client:
            visitors = {}
            for caller in CALLERS:
                username = usernames.get(caller.name)
                visitors[caller.name] = await open_session(client, caller, username, world)
            yield ConsoleWorld(
                world, client, visitors, decoy.json()["tracking_code"], process.log_path
            )


async def test_every_console_page_admits_exactly_the_callers_its_policy_names(
    console: ConsoleWorld,
) -> None:
    planned = [
        (route, page, caller, target)
        for route, page in CONSOLE_PAGES.items()
        for caller in CALLERS
        for target in page.targets(console.world)
    ]

    async def one(route, page, caller, target):  # type: ignore[no-untyped-def]
        answer = await console.client.request(**page.probe(console, caller, target))
        return route, page, caller, target, answer

    results = await gather_limited([one(*p) for p in planned], limit=8)
    wrong = []
    for route, page, caller, target, answer in results:
        where = f"console {route} as {caller.name} on {getattr(target, 'label', target)}"
        denied = page_denial(page, caller, target)
        statuses, location = denied or page.ok(caller, target)
        if answer.status_code not in statuses or (
            location is not None and answer.headers.get("location") != location
        ):
            wrong.append(
                f"{where}: {answer.status_code} {answer.headers.get('location', '')}, "
                f"expected {set(statuses)} {location or ''}"
            )
        elif denied is None and page.check is not None:
            page.check(console, caller, target, answer)
        elif denied is not None and answer.status_code == 403:
            assert answer.headers["content-type"].startswith("text/html"), where
        shown = [c.label for c in console.world.cases.values() if c.tracking_code in answer.text]
        leaked = [label for label in shown if not may_see(caller, console.world.cases[label])]
        if leaked:
            wrong.append(f"{where}: shows the tracking code of {leaked}")
    assert not wrong, "\n".join(wrong[:40]) + f"\n({len(wrong)} wrong of {len(results)})"
    assert len(results) > 400  # the matrix really ran: routes x callers x targets
    # And none of it was a server error behind a friendly page.
    for line in console.log_path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)  # a traceback printed raw would not parse
        assert entry["level"] not in {"error", "critical"}, entry
        assert "exception" not in entry, entry
