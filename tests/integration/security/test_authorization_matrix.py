"""Who may call what: every route of every service, for every kind of caller and scope.

The routes come from the apps themselves, so a new endpoint without a declared policy fails
here. Real cases are seeded in two wards (each unit, an escalated one, and one in the
manual-triage pool); no read or write outside a caller's scope may succeed, and every one
inside it must.
"""

import urllib.parse
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from services.intake.main import create_app as intake_app
from services.notify.main import create_app as notify_app
from services.triage.domain.case_rules import Action
from services.triage.main import create_app as triage_app
from shared.auth import ROLES
from tests.integration.security.conftest import Secrets, bearer
from tests.support.infra import Infra
from tests.support.services import Stack, gather_limited
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
