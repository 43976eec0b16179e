"""An officer works a citizen's tip from the queue to handled; the citizen sees it happen."""

import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from tests.support.infra import Infra
from tests.support.services import Stack
from tests.support.staff import bearer, create_user_with_cli, sign_in, token_for
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WARD = "09562"


def _tip(kind: str, text: str) -> dict[str, str]:
    return {
        "kind": kind,
        "text": text,
        "ward_code": WARD,
        "address": f"Ngõ {uuid.uuid4().hex[:6]} Quang Trung, Yên Nghĩa, Hà Nội",
    }


async def test_officer_takes_the_most_urgent_case_through_every_stage(
    stack: Stack, infra: Infra, db: asyncpg.Pool
) -> None:
    username = f"cand.{uuid.uuid4().hex[:6]}"
    create_user_with_cli(
        infra.database_url, username=username, role="officer", ward=WARD, unit="police"
    )
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as citizen,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as staff,
    ):
        petition = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip(
                    "petition", "Đề nghị phường tổ chức tuyên truyền phòng chống mại dâm ở khu trọ."
                ),
            )
        ).json()
        crime = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip(
                    "crime_denunciation",
                    "Có người chứa mại dâm trong nhà nghỉ, tối nào cũng hoạt động.",
                ),
            )
        ).json()
        officer = await sign_in(staff, username)

        async def my_codes() -> list[str]:
            queue = (
                await staff.get("/api/v1/cases", params={"limit": 200}, headers=officer)
            ).json()
            return [code for case in queue["data"] for code in case["tracking_codes"]]

        codes = await eventually(
            my_codes, lambda c: crime["tracking_code"] in c, what="the tip in the police queue"
        )
        assert petition["tracking_code"] not in codes  # culture-social's, not police's
        queue = (await staff.get("/api/v1/cases", headers=officer)).json()
        keys = [((c["priority"] != "urgent"), c["next_due_at"]) for c in queue["data"]]
        assert keys == sorted(keys), "the queue is not ordered by urgency"

        case = (
            await staff.get(f"/api/v1/cases/by-code/{crime['tracking_code']}", headers=officer)
        ).json()
        assert case["tips"][0]["text"].startswith("Có người chứa mại dâm")
        assert case["ward_name"] == "Phường Yên Nghĩa" and case["unit"] == "police"
        case_id, version = case["id"], case["version"]
        steps = [
            ("claim", {}),
            ("verify", {"result": "founded", "summary": "Đã xác minh thực địa."}),
            ("classify", {"classification": "criminal"}),
            (
                "handle",
                {
                    "outcome": "transferred_to_investigation",
                    "decision": "Chuyển Cơ quan CSĐT Công an thành phố.",
                },
            ),
        ]
        for action, payload in steps:
            answer = await staff.post(
                f"/api/v1/cases/{case_id}/actions/{action}",
                headers=officer,
                json={"expected_version": version, **payload},
            )
            assert answer.status_code == 200, answer.text
            version = answer.json()["version"]
        stale = await staff.post(
            f"/api/v1/cases/{case_id}/actions/note",
            headers=officer,
            json={"expected_version": 1, "note": "ghi chú"},
        )
        assert stale.status_code == 409
        assert stale.json()["type"].endswith("/version-conflict")

        async def citizen_status() -> dict[str, object]:
            return (
                await citizen.get(
                    f"/api/v1/tips/{crime['tracking_code']}/status",
                    headers={"X-Tip-Secret": crime["secret"]},
                )
            ).json()

        status = await eventually(
            citizen_status,
            lambda s: s["stage"] == "handled",
            what="the citizen sees the case handled",
        )
    stages = [entry["stage"] for entry in status["timeline"]]
    assert stages == ["received", "assigned", "verified", "classified", "handled"]
    clocks = await eventually(
        lambda: db.fetch(
            "SELECT stage, status FROM notify.sla_clocks WHERE case_id = $1", uuid.UUID(case_id)
        ),
        lambda rows: {r["status"] for r in rows} == {"met"},
        what="clocks met",
    )
    assert {r["stage"] for r in clocks} == {"received", "verified", "classified", "handled"}
    audit = await db.fetch(
        "SELECT action, actor_role FROM triage.audit_log WHERE case_id = $1 ORDER BY id",
        uuid.UUID(case_id),
    )
    actions = [row["action"] for row in audit]
    assert actions[0] == "read_case"
    assert {"case_claim", "case_verify", "case_classify", "case_handle"} <= set(actions)
    with pytest.raises(asyncpg.RaiseError):
        await db.execute("DELETE FROM triage.audit_log WHERE case_id = $1", uuid.UUID(case_id))


async def test_authorization_matrix_by_role_and_scope(stack: Stack, db: asyncpg.Pool) -> None:
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as citizen,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as staff,
    ):
        tip = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip("crime_report", "Báo tin có đường dây môi giới mại dâm qua mạng xã hội."),
            )
        ).json()
        case_id = await eventually(
            lambda: db.fetchval(
                "SELECT case_id FROM triage.case_tips WHERE tracking_code = $1",
                tip["tracking_code"],
            ),
            lambda value: value is not None,
            what="case opened",
        )
        callers = {
            "officer, own ward and unit": (token_for("officer", WARD, "police"), "own"),
            "officer, other unit": (token_for("officer", WARD, "culture_social"), "scoped_out"),
            "officer, other ward": (token_for("officer", "00004", "police"), "scoped_out"),
            "supervisor, own ward": (token_for("supervisor", WARD), "own"),
            "supervisor, other ward": (token_for("supervisor", "00004"), "scoped_out"),
            "city monitor": (token_for("city_monitor", None), "forbidden"),
            "auditor": (token_for("auditor", None), "forbidden_cases"),
            "hotline operator": (token_for("hotline_operator", WARD), "forbidden"),
            "admin": (token_for("admin", None), "forbidden"),
        }
        expected = {  # endpoint → outcome → status
            "queue": {"own": 200, "scoped_out": 200, "forbidden": 403, "forbidden_cases": 403},
            "detail": {"own": 200, "scoped_out": 404, "forbidden": 403, "forbidden_cases": 403},
            "by_code": {"own": 200, "scoped_out": 404, "forbidden": 403, "forbidden_cases": 403},
            "act": {"own": 200, "scoped_out": 404, "forbidden": 403, "forbidden_cases": 403},
            "audit": {"own": None, "scoped_out": None, "forbidden": 403, "forbidden_cases": 200},
            # Allowed in scope but refused on the merits (one tip; merging with itself): 422.
            "split": {"own": 422, "scoped_out": 404, "forbidden": 403, "forbidden_cases": 403},
            "merge": {"own": 422, "scoped_out": 404, "forbidden": 403, "forbidden_cases": 403},
        }

        async def call(endpoint: str, headers: dict[str, str]) -> httpx.Response:
            if endpoint == "queue":
                return await staff.get("/api/v1/cases", headers=headers)
            if endpoint == "detail":
                return await staff.get(f"/api/v1/cases/{case_id}", headers=headers)
            if endpoint == "by_code":
                return await staff.get(
                    f"/api/v1/cases/by-code/{tip['tracking_code']}", headers=headers
                )
            if endpoint == "act":
                current = await db.fetchval(
                    "SELECT version FROM triage.cases WHERE id = $1", case_id
                )
                return await staff.post(
                    f"/api/v1/cases/{case_id}/actions/note",
                    headers=headers,
                    json={"expected_version": current, "note": "kiểm tra"},
                )
            if endpoint in {"split", "merge"}:
                current = await db.fetchval(
                    "SELECT version FROM triage.cases WHERE id = $1", case_id
                )
                body = (
                    {"tip_tracking_code": tip["tracking_code"]}
                    if endpoint == "split"
                    else {"other_case_id": str(case_id)}
                )
                return await staff.post(
                    f"/api/v1/cases/{case_id}/{endpoint}",
                    headers=headers,
                    json={"expected_version": current, **body},
                )
            return await staff.get("/api/v1/audit", headers=headers)

        failures = []
        for name, (token, outcome) in callers.items():
            for endpoint, outcomes in expected.items():
                wanted = outcomes[outcome]
                answer = await call(endpoint, bearer(token))
                if wanted is None:  # supervisors may read their ward's audit entries
                    wanted = 200 if name.startswith("supervisor") else 403
                if answer.status_code != wanted:
                    failures.append(f"{name} {endpoint}: {answer.status_code} != {wanted}")
                if endpoint == "queue" and answer.status_code == 200 and outcome == "scoped_out":
                    codes = [c for case in answer.json()["data"] for c in case["tracking_codes"]]
                    if tip["tracking_code"] in codes:
                        failures.append(f"{name} sees another scope's case in the queue")
            for endpoint in expected:
                anonymous = await call(endpoint, {})
                if anonymous.status_code != 401:
                    failures.append(f"no token {endpoint}: {anonymous.status_code}")
        assert not failures, "\n".join(failures)
        forged = token_for("officer", WARD, "police")[:-4] + "AAAA"
        assert (await staff.get("/api/v1/cases", headers=bearer(forged))).status_code == 401


async def test_merge_split_and_the_manual_triage_pool(stack: Stack, db: asyncpg.Pool) -> None:
    supervisor = bearer(token_for("supervisor", WARD))
    faraway_supervisor = bearer(token_for("supervisor", "00004"))
    officer = bearer(token_for("officer", WARD, "police"))
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as citizen,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as staff,
    ):
        first, second = [
            (await citizen.post("/api/v1/tips", json=_tip("crime_denunciation", text))).json()
            for text in (
                "Nhà nghỉ đầu ngõ có chứa mại dâm, nhiều người ra vào.",
                "Tôi cũng thấy nhà nghỉ ấy đón khách qua đêm có gái bán dâm.",
            )
        ]
        unplaced = (
            await citizen.post(
                "/api/v1/tips",
                json={
                    "kind": "feedback",
                    "text": "Có quán massage kín đáo hoạt động mua bán dâm, "
                    "tôi không rõ thuộc phường nào.",
                },
            )
        ).json()

        async def case_of(code: str) -> dict[str, object]:
            answer = await staff.get(f"/api/v1/cases/by-code/{code}", headers=supervisor)
            return answer.json() if answer.status_code == 200 else {}

        a = await eventually(lambda: case_of(first["tracking_code"]), bool, what="case A")
        b = await eventually(lambda: case_of(second["tracking_code"]), bool, what="case B")
        merged = await staff.post(
            f"/api/v1/cases/{a['id']}/merge",
            headers=supervisor,
            json={"expected_version": a["version"], "other_case_id": b["id"]},
        )
        assert merged.status_code == 200, merged.text
        assert sorted(merged.json()["tracking_codes"]) == sorted(
            [first["tracking_code"], second["tracking_code"]]
        )
        assert (
            await db.fetchval("SELECT status FROM triage.cases WHERE id = $1", uuid.UUID(b["id"]))
        ) == "merged"
        await eventually(
            lambda: db.fetch(
                "SELECT DISTINCT status FROM notify.sla_clocks WHERE case_id = $1 "
                "AND stage <> 'received'",
                uuid.UUID(b["id"]),
            ),
            lambda rows: [r["status"] for r in rows] == ["cancelled"],
            what="B's clocks stop",
        )
        await eventually(
            lambda: db.fetchval(
                "SELECT s.case_id FROM intake.tip_status s JOIN intake.tips t "
                "ON t.id = s.tip_id WHERE t.tracking_code = $1",
                second["tracking_code"],
            ),
            lambda case_id: str(case_id) == a["id"],
            what="the citizen's tip follows the merge",
        )

        split = await staff.post(
            f"/api/v1/cases/{a['id']}/split",
            headers=supervisor,
            json={
                "expected_version": merged.json()["version"],
                "tip_tracking_code": second["tracking_code"],
            },
        )
        assert split.status_code == 200, split.text
        assert split.json()["tracking_codes"] == [second["tracking_code"]]
        assert split.json()["id"] not in (a["id"], b["id"])

        pool = await eventually(
            lambda: case_of(unplaced["tracking_code"]),
            bool,
            what="the unplaced tip in the manual-triage pool",
        )
        assert pool["status"] == "manual_triage" and pool["ward_code"] is None
        seen_far = await staff.get(f"/api/v1/cases/{pool['id']}", headers=faraway_supervisor)
        assert seen_far.status_code == 200  # every supervisor can place a tip
        hidden = await staff.get(f"/api/v1/cases/{pool['id']}", headers=officer)
        assert hidden.status_code == 404  # officers see only their ward's cases
        placed = await staff.post(
            f"/api/v1/cases/{pool['id']}/actions/transfer",
            headers=supervisor,
            json={
                "expected_version": pool["version"],
                "to_ward_code": WARD,
                "to_unit": "police",
                "reason": "Địa chỉ thuộc phường Yên Nghĩa",
            },
        )
        assert placed.status_code == 200, placed.text
        assert placed.json()["ward_name"] == "Phường Yên Nghĩa"
        assert (await staff.get(f"/api/v1/cases/{pool['id']}", headers=officer)).status_code == 200


async def test_urgent_first_and_accusations_of_police_skip_the_police_queue(
    stack: Stack, db: asyncpg.Pool
) -> None:
    officer = bearer(token_for("officer", WARD, "police"))
    supervisor = bearer(token_for("supervisor", WARD))
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as citizen,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as staff,
    ):
        ordinary = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip("feedback", "Quán karaoke có nhân viên nữ tiếp khách trong phòng kín."),
            )
        ).json()
        urgent = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip(
                    "crime_denunciation",
                    "Có bé gái khoảng 15 tuổi bị đưa vào nhà nghỉ, ngay bây giờ.",
                ),
            )
        ).json()
        accusation = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip(
                    "denunciation",
                    "Cảnh sát khu vực nhận tiền hàng tháng để làm ngơ cho quán "
                    "karaoke có gái bán dâm.",
                ),
            )
        ).json()
        codes = [ordinary["tracking_code"], urgent["tracking_code"], accusation["tracking_code"]]
        await eventually(
            lambda: db.fetch("SELECT 1 FROM triage.case_tips WHERE tracking_code = ANY($1)", codes),
            lambda rows: len(rows) == 3,
            what="triaged",
        )
        # The whole queue: other tests of the session leave cases in the same ward.
        queue = (await staff.get("/api/v1/cases?limit=200", headers=officer)).json()["data"]
        top = queue[0]
        assert top["priority"] == "urgent"
        assert urgent["tracking_code"] in top["tracking_codes"]
        assert top["category"] == "minors"
        mine = [c for case in queue for c in case["tracking_codes"]]
        assert ordinary["tracking_code"] in mine
        assert accusation["tracking_code"] not in mine  # never to the accused unit
        hidden = await staff.get(
            f"/api/v1/cases/by-code/{accusation['tracking_code']}", headers=officer
        )
        assert hidden.status_code == 404
        escalated = await staff.get(
            f"/api/v1/cases/by-code/{accusation['tracking_code']}", headers=supervisor
        )
        assert escalated.status_code == 200
        body = escalated.json()
        assert body["unit"] == "supervisor" and body["category"] == "official_misconduct"
        assert any("không giao cho đơn vị bị tố cáo" in r for r in body["reasons"])


async def test_extend_suspend_and_resume_move_the_clocks_and_tell_the_tipster(
    stack: Stack, db: asyncpg.Pool
) -> None:
    officer = bearer(token_for("officer", WARD, "police"))
    async with (
        httpx.AsyncClient(base_url=stack.intake.url, timeout=30) as citizen,
        httpx.AsyncClient(base_url=stack.triage.url, timeout=30) as staff,
    ):
        tip = (
            await citizen.post(
                "/api/v1/tips",
                json=_tip(
                    "crime_denunciation", "Nhà nghỉ trong hẻm chứa mại dâm, nhiều người ra vào."
                ),
            )
        ).json()

        async def case() -> dict[str, object]:
            answer = await staff.get(
                f"/api/v1/cases/by-code/{tip['tracking_code']}", headers=officer
            )
            return answer.json() if answer.status_code == 200 else {}

        found = await eventually(case, bool, what="case")
        case_id = uuid.UUID(found["id"])

        async def clocks() -> dict[str, asyncpg.Record]:
            rows = await db.fetch("SELECT * FROM notify.sla_clocks WHERE case_id = $1", case_id)
            return {r["stage"]: r for r in rows}

        before = await eventually(clocks, lambda c: len(c) == 4, what="clocks")
        version = found["version"]

        async def act(action: str, **payload: object) -> None:
            nonlocal version
            answer = await staff.post(
                f"/api/v1/cases/{case_id}/actions/{action}",
                headers=officer,
                json={"expected_version": version, **payload},
            )
            assert answer.status_code == 200, answer.text
            version = answer.json()["version"]

        refused = await staff.post(
            f"/api/v1/cases/{case_id}/actions/extend",
            headers=officer,
            json={
                "expected_version": version,
                "stage": "verified",
                "days": 500,
                "reason": "quá dài",
            },
        )
        assert refused.status_code == 422 and refused.json()["type"].endswith("/action-refused")
        await act("extend", stage="verified", days=10, reason="Vụ việc phức tạp, cần xác minh thêm")
        extended = await eventually(
            clocks, lambda c: c["verified"]["extended_days"] == 10, what="extended"
        )
        assert (extended["verified"]["due_at"] - before["verified"]["due_at"]).days == 10
        await act("suspend", reason="Chờ kết quả giám định")
        paused = await eventually(
            clocks, lambda c: c["handled"]["status"] == "paused", what="paused"
        )
        assert paused["handled"]["due_at"] is None and paused["handled"]["remaining_seconds"] > 0
        await act("resume", reason="Đã có kết quả giám định")
        resumed = await eventually(
            clocks, lambda c: c["handled"]["status"] == "running", what="resumed"
        )
        # A resumed crime case gets a fresh one-month budget (BLTTHS Đ.149).
        assert 27 <= (resumed["handled"]["due_at"] - datetime.now(UTC)).days <= 31
        status = await eventually(
            lambda: citizen.get(
                f"/api/v1/tips/{tip['tracking_code']}/status",
                headers={"X-Tip-Secret": tip["secret"]},
            ),
            lambda r: (
                [e["stage"] for e in r.json()["timeline"]][-3:]
                == ["extended", "suspended", "resumed"]
            ),
            what="the tipster sees it",
        )
        assert "Vụ việc phức tạp" not in status.text  # reasons stay internal
        detail = await case()
        assert detail["status"] == "assigned" or detail["status"] == "claimed"
