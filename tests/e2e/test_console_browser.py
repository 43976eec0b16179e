"""The web console in a real browser (headless Chromium) in front of the real stack.

A citizen sends a Vietnamese tip and follows it; an officer works it from the top of the queue
to handled; the citizen sees the timeline move; the supervisor sees the figures move. Plus the
safety rails: escaped tip text, CSRF refusals, cookie flags, security headers, no secrets in URLs.
"""

import re
import struct
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from deploy.local.processes import REPO_ROOT, ServiceProcess
from tests.support.infra import Infra
from tests.support.services import Stack, console_process, process_stack
from tests.support.staff import PASSWORD, bearer, create_user_with_cli, token_for
from tests.support.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / ".run" / "artifacts" / "screenshots"
# Phường Bến Thành (TP. Hồ Chí Minh): no other test files tips there, so its figures are ours.
WARD = "26743"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TAKEN: list[Path] = []


@dataclass(frozen=True)
class Console:
    stack: Stack
    process: ServiceProcess
    officer: str
    supervisor: str
    operator: str

    @property
    def url(self) -> str:
        return self.process.url


@pytest.fixture(scope="module")
def console(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """The three services and the console as processes, and three staff accounts of WARD."""
    log_dir = tmp_path_factory.mktemp("console-stack")
    suffix = uuid.uuid4().hex[:6]
    accounts = {
        "officer": (f"canbo.{suffix}", WARD, "police"),
        "supervisor": (f"lanhdao.{suffix}", WARD, None),
        "hotline_operator": (f"tongdai.{suffix}", WARD, None),
    }
    with process_stack(infra, f"t{uuid.uuid4().hex[:10]}.", log_dir) as stack:
        with ThreadPoolExecutor(max_workers=len(accounts)) as pool:
            created = [
                pool.submit(
                    create_user_with_cli,
                    infra.database_url,
                    username=username,
                    role=role,
                    ward=ward,
                    unit=unit,
                )
                for role, (username, ward, unit) in accounts.items()
            ]
            for account in created:
                account.result()
        with console_process(stack, log_dir) as process:
            yield Console(
                stack,
                process,
                officer=accounts["officer"][0],
                supervisor=accounts["supervisor"][0],
                operator=accounts["hotline_operator"][0],
            )


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's Chromium; when it is missing the browser tests fail, they never skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(as root: apt-get install -y --no-install-recommends chromium; `make test` does it)"
        )
    return str(CHROMIUM)


@pytest.fixture(scope="module")
async def browser(chromium: str, request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    """One headless Chromium for the module; each test opens its own contexts (cookie jars)."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, headless=True)
        try:
            yield launched
        finally:
            await launched.close()
    # Print the screenshots' paths past pytest's output capture, so -q runs show them too.
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None and TAKEN:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for path in TAKEN:
                reporter.write_line(f"screenshot: {path}")


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    TAKEN.append(path)
    print(f"screenshot: {path}")


async def new_page(browser: Browser, *, viewport: dict[str, int] = DESKTOP) -> Page:
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    page.set_default_timeout(15_000)
    return page


async def sign_in(page: Page, console: Console, username: str) -> None:
    await page.goto(console.url + "/staff/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("form[action='/staff/login'] button[type=submit]")
    await expect(page.locator(".flash.success")).to_contain_text(username)


async def until(page: Page, url: str, check: str, *, timeout: float = 45.0) -> None:
    """Reload `url` until the JavaScript condition `check` holds (the pipeline is async)."""

    async def holds() -> bool:
        await page.goto(url)
        return bool(await page.evaluate(check))

    await eventually(holds, bool, timeout=timeout, interval=0.5, what=f"{check} on {url}")


def tiny_png() -> bytes:
    """A real 1×1 PNG, for the photo upload."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xc8\x20\x20")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


async def stage_figures(page: Page) -> dict[str, dict[str, int]]:
    """Report and live figures from the dashboard: due and on time per stage, met per stage."""
    return await page.evaluate(
        """() => {
          const out = {};
          for (const card of document.querySelectorAll('.stage-card')) {
            out[card.dataset.stage] = {due: +card.dataset.due, onTime: +card.dataset.onTime};
          }
          for (const row of document.querySelectorAll('#live tbody tr')) {
            out[row.dataset.stage].met = +row.querySelector('[data-state=met]').textContent;
          }
          return out;
        }"""
    )


async def submit_tip(page: Page, console: Console, *, kind: str, text: str, address: str) -> None:
    await page.goto(console.url + "/tips/new")
    await page.check(f"input[name=kind][value={kind}]")
    await page.fill("#text", text)
    await page.fill("#address", address)
    await page.click("#tip-form details > summary")
    await page.fill("#ward_code", WARD)
    await page.click("#tip-form button[type=submit]")
    await expect(page.locator("#tracking-code")).to_be_visible()


async def test_citizen_officer_and_supervisor_journey(console: Console, browser: Browser) -> None:
    supervisor = await new_page(browser)
    await sign_in(supervisor, console, console.supervisor)
    await supervisor.goto(console.url + "/dashboard")
    before = await stage_figures(supervisor)

    citizen = await new_page(browser, viewport=PHONE)
    visited: list[str] = []
    citizen.on("request", lambda request: visited.append(request.url))
    await citizen.goto(console.url + "/")
    await expect(citizen.locator("h1")).to_have_text("Tin báo")
    await shot(citizen, "01-home-phone")
    house = uuid.uuid4().hex[:5]
    text = (
        f"Có bé gái khoảng 15 tuổi bị đưa vào nhà nghỉ số {house} ngay bây giờ; "
        "người môi giới đứng trước cổng, đón khách đêm nào cũng vậy."
    )
    await citizen.goto(console.url + "/tips/new")
    await shot(citizen, "02-tip-form-phone")
    await citizen.check("input[name=kind][value=crime_denunciation]")
    await citizen.fill("#text", text)
    await citizen.fill("#address", f"Số {house} Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh")
    await citizen.click("#tip-form details > summary")
    await citizen.fill("#ward_code", WARD)
    await citizen.fill("#venue_name", f"Nhà nghỉ Hoa Hồng {house}")
    await citizen.set_input_files(
        "#photo", files=[{"name": "anh.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    await citizen.click("#tip-form button[type=submit]")
    code = (await citizen.locator("#tracking-code").inner_text()).strip()
    secret = (await citizen.locator("#tracking-secret").inner_text()).strip()
    assert re.fullmatch(r"TB-[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    await expect(citizen.locator(".warning [lang=vi]")).to_contain_text("CẢ HAI mã")
    await expect(citizen.locator(".warning [lang=en]")).to_contain_text("BOTH codes")
    await shot(citizen, "03-tip-codes-phone")

    # Another browser follows the tip with the form (a POST: the secret stays out of URLs).
    follower = await new_page(browser, viewport=PHONE)
    follower.on("request", lambda request: visited.append(request.url))
    await follower.goto(console.url + "/tips/track")
    await follower.fill("#code", code.lower().replace("-", " "))
    await follower.fill("#secret", secret)
    await follower.click("form[action='/tips/track'] button[type=submit]")
    await expect(follower.locator("#timeline li[data-stage=received]")).to_contain_text("Tiếp nhận")
    await shot(follower, "04-tip-status-phone")

    officer = await new_page(browser)
    await sign_in(officer, console, console.officer)
    assert officer.url.endswith("/cases")
    await until(
        officer,
        console.url + "/cases",
        f"""(() => {{ const top = document.querySelector('#queue .case-row');
               return !!top && top.textContent.includes('{code}')
                 && !!top.querySelector('.remaining'); }})()""",
    )
    top = officer.locator("#queue .case-row").first
    await expect(top.locator(".badge.urgent")).to_have_text("Khẩn cấp")
    await expect(top.locator(".sla")).to_contain_text(re.compile("đúng hạn|sắp đến hạn|quá hạn"))
    await expect(top.locator(".remaining")).to_contain_text(re.compile(r"^(còn|quá) "))
    await shot(officer, "05-officer-queue")

    await top.locator("a.case-link").click()
    await expect(officer.locator("#tips .tip-text")).to_have_text(text)
    case_url = officer.url
    await until(officer, case_url, "document.querySelectorAll('#clocks tbody tr').length === 4")
    await shot(officer, "06-officer-case")

    async def act(action: str, fields: dict[str, str], selects: dict[str, str]) -> None:
        await officer.locator(f"#action-{action}").evaluate("details => details.open = true")
        for name, value in selects.items():
            await officer.select_option(f"#{action}-{name}", value)
        for name, value in fields.items():
            await officer.fill(f"#{action}-{name}", value)
        await officer.click(f"#action-{action} button[type=submit]")
        await expect(officer.locator(".flash.success")).to_contain_text("Đã ghi")

    await act("claim", {}, {})
    # A second tab still shows the old version: its action must be refused, not overwrite.
    stale = await officer.context.new_page()
    await stale.goto(case_url)
    await act(
        "verify",
        {"summary": "Đã xác minh thực địa, có dấu hiệu chứa mại dâm."},
        {"result": "founded"},
    )
    await stale.locator("#action-note").evaluate("details => details.open = true")
    await stale.fill("#note-note", "Ghi chú từ tab cũ")
    await stale.click("#action-note button[type=submit]")
    problem = stale.locator("#action-problem")
    await expect(problem).to_have_attribute("data-status", "409")
    await expect(problem).to_contain_text("Vụ việc vừa được người khác cập nhật")
    await expect(problem).to_contain_text("Không có gì bị ghi đè")
    await shot(stale, "07-officer-conflict")
    await act("classify", {}, {"classification": "criminal"})
    question = "Người môi giới thường đứng ở cổng vào khoảng mấy giờ?"
    await act("question", {"text": question}, {})

    # The citizen reads the unit's question and answers it, still anonymous.
    await until(citizen, console.url + "/tips/track", "!!document.querySelector('.to_tipster')")
    await expect(citizen.locator("#messages .to_tipster .text")).to_have_text(question)
    answer = "Thường từ 21 giờ đến nửa đêm, có hai người thay phiên."
    await citizen.fill("#messages .to_tipster textarea[name=text]", answer)
    await citizen.click("#messages .to_tipster button[type=submit]")
    await expect(citizen.locator(".flash.success")).to_contain_text("Đã gửi")
    await expect(citizen.locator("#messages .from_tipster .text")).to_have_text(answer)
    await shot(citizen, "08-tip-question-answered-phone")
    await until(officer, case_url, "!!document.querySelector('.messages .from_tipster')")
    await expect(officer.locator(".messages .from_tipster .text")).to_have_text(answer)
    await act(
        "handle",
        {"decision": "Chuyển Cơ quan CSĐT Công an TP. Hồ Chí Minh."},
        {"outcome": "transferred_to_investigation"},
    )
    await expect(officer.locator("#case-status")).to_have_text("Đã xử lý")
    await shot(officer, "09-officer-case-handled")

    await until(
        citizen,
        console.url + "/tips/track",
        "!!document.querySelector('#timeline li[data-stage=handled]')",
    )
    stages = await citizen.eval_on_selector_all(
        "#timeline li", "items => items.map(i => i.dataset.stage)"
    )
    assert stages == ["received", "assigned", "verified", "classified", "handled"]
    await shot(citizen, "10-tip-status-handled-phone")

    dashboard = console.url + "/dashboard"
    await until(
        supervisor,
        dashboard,
        f"""(() => {{ const c = document.querySelector('.stage-card[data-stage=received]');
               const met = document.querySelector(
                 '#live tr[data-stage=handled] [data-state=met]');
               return +c.dataset.due > {before["received"]["due"]}
                 && +met.textContent > {before["handled"]["met"]}; }})()""",
    )
    after = await stage_figures(supervisor)
    assert after["received"]["due"] == before["received"]["due"] + 1
    assert after["received"]["onTime"] == before["received"]["onTime"] + 1
    for stage in ("verified", "classified", "handled"):
        assert after[stage]["met"] == before[stage]["met"] + 1, (stage, before, after)
    await expect(supervisor.locator(".stage-card[data-stage=received] .pct")).to_have_text("100.0%")
    await expect(supervisor.locator("#trend polyline, #trend circle").first).to_be_attached()
    await shot(supervisor, "11-supervisor-dashboard")
    csv = await supervisor.request.get(dashboard.replace("/dashboard", "/dashboard/report.csv"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert (await csv.body()).startswith("\ufeff".encode())
    png = await supervisor.request.get(console.url + "/dashboard/report.png?kind=monthly")
    assert png.status == 200 and (await png.body()).startswith(b"\x89PNG")
    xlsx = await supervisor.request.get(console.url + "/dashboard/report.xlsx")
    assert xlsx.status == 200 and (await xlsx.body()).startswith(b"PK")

    leaked = [url for url in visited if secret in url or secret.lower() in url.lower()]
    assert not leaked, leaked
    assert not any(code in url for url in visited), "a tracking code went into a URL"
    for page in (citizen, follower, officer, supervisor):
        await page.context.close()


async def test_a_script_in_a_tip_is_shown_as_text(console: Console, browser: Browser) -> None:
    citizen = await new_page(browser)
    dialogs: list[str] = []
    payload = "<script>alert(1)</script>"
    text = f"{payload} Quán karaoke số {uuid.uuid4().hex[:5]} có tiếp viên ngồi phòng kín."
    await submit_tip(
        citizen,
        console,
        kind="feedback",
        text=text,
        address=f"Số {uuid.uuid4().hex[:5]} Nguyễn Huệ, Phường Bến Thành, TP. Hồ Chí Minh",
    )
    code = (await citizen.locator("#tracking-code").inner_text()).strip()
    supervisor = await new_page(browser)
    supervisor.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await sign_in(supervisor, console, console.supervisor)

    async def case_page_found() -> int:
        await supervisor.goto(console.url + "/cases")
        await supervisor.fill("#find-code", code)
        await supervisor.click("form[action='/cases/find'] button[type=submit]")
        return await supervisor.locator("#tips").count()

    await eventually(case_page_found, bool, timeout=45, interval=0.5, what="the tip's case")
    await expect(supervisor.locator("#tips .tip-text")).to_have_text(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in await supervisor.content()
    assert await supervisor.locator("#tips script").count() == 0
    assert not dialogs, dialogs
    await shot(supervisor, "12-script-shown-as-text")
    for page in (citizen, supervisor):
        await page.context.close()


async def test_a_post_without_the_csrf_token_is_refused(console: Console, browser: Browser) -> None:
    page = await new_page(browser)
    await page.goto(console.url + "/tips/new")
    await page.check("input[name=kind][value=feedback]")
    await page.fill("#text", "Biểu mẫu bị gỡ mã bảo vệ trước khi gửi.")
    await page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    await page.click("#tip-form button[type=submit]")
    refused = page.locator("#csrf-refused")
    await expect(refused.locator("h1[lang=vi]")).to_have_text("Yêu cầu bị từ chối")
    await expect(refused.locator("h1[lang=en]")).to_have_text("Request refused")
    await shot(page, "13-csrf-refused")
    await page.context.close()

    async with httpx.AsyncClient(base_url=console.url) as client:
        form = await client.get("/staff/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        login = {"username": console.officer, "password": PASSWORD}
        for sent in ({}, {"csrf_token": "forged"}):
            answer = await client.post("/staff/login", data={**login, **sent})
            assert answer.status_code == 403, answer.text
            assert "Request refused" in answer.text and "Yêu cầu bị từ chối" in answer.text
        # Without the session cookie the right token is worth nothing either.
        async with httpx.AsyncClient(base_url=console.url) as stranger:
            answer = await stranger.post(
                "/staff/login", data={**login, "csrf_token": token.group(1)}
            )
            assert answer.status_code == 403
        accepted = await client.post("/staff/login", data={**login, "csrf_token": token.group(1)})
        assert accepted.status_code == 303 and accepted.headers["location"] == "/cases"


async def test_session_cookie_flags_and_security_headers(
    console: Console, browser: Browser
) -> None:
    page = await new_page(browser)
    answer = await page.goto(console.url + "/staff/login")
    assert answer is not None
    headers = answer.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    await sign_in(page, console, console.officer)
    cookies = {c["name"]: c for c in await page.context.cookies()}
    session = cookies["tinbao_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/"
    assert session["expires"] == -1  # a browser-session cookie: closing the browser drops it
    assert session["secure"] is False  # plain HTTP in the test; on outside development
    assert await page.evaluate("document.cookie") == ""  # no script can read it
    await page.context.close()


async def test_hotline_operator_records_a_call(console: Console, browser: Browser) -> None:
    page = await new_page(browser)
    await sign_in(page, console, console.operator)
    assert page.url.endswith("/hotline")
    await page.select_option("#kind", "crime_report")
    await page.fill(
        "#text",
        "Người gọi báo có đường dây môi giới qua mạng, hẹn khách ở khách sạn "
        f"số {uuid.uuid4().hex[:5]}.",
    )
    await page.fill("#caller_number", "0987 654 321")
    await page.fill("#ward_code", WARD)
    await shot(page, "14-hotline-form")
    await page.click("#hotline-form button[type=submit]")
    receipt = page.locator("#hotline-receipt")
    await expect(receipt.locator("#tracking-code")).to_have_text(re.compile(r"^TB-"))
    await expect(receipt).to_contain_text(re.compile("Lần đầu số này báo tin|đã báo"))
    await expect(page.locator("#text")).to_have_value("")  # ready for the next call
    await shot(page, "15-hotline-recorded")
    # An officer's role may not use the hotline page.
    officer = await new_page(browser)
    await sign_in(officer, console, console.officer)
    forbidden = await officer.goto(console.url + "/hotline")
    assert forbidden is not None and forbidden.status == 403
    await expect(officer.locator("h1")).to_have_text("Không có quyền")
    for opened in (page, officer):
        await opened.context.close()


async def test_english_on_request_and_remembered(console: Console, browser: Browser) -> None:
    page = await new_page(browser, viewport=PHONE)
    await page.goto(console.url + "/?lang=en")
    await expect(page.locator("h1")).to_have_text("Tips")
    await page.goto(console.url + "/tips/new")
    await expect(page.locator("h1")).to_have_text("Send a tip")
    await page.click("#tip-form button[type=submit]")  # browser validation stops an empty form
    await page.evaluate("document.getElementById('tip-form').noValidate = true")
    await page.click("#tip-form button[type=submit]")
    await expect(page.locator(".error-summary")).to_contain_text("Choose what you are reporting")
    await shot(page, "16-tip-form-errors-english-phone")
    await page.goto(console.url + "/?lang=vi")
    await expect(page.locator("h1")).to_have_text("Tin báo")
    await page.context.close()


async def test_sla_endpoints_keep_to_their_scope(console: Console) -> None:
    """notify's live SLA API (added for the console) answers each role within its scope."""
    async with (
        httpx.AsyncClient(base_url=console.stack.intake.url, timeout=30) as intake,
        httpx.AsyncClient(base_url=console.stack.triage.url, timeout=30) as triage,
        httpx.AsyncClient(base_url=console.stack.notify.url, timeout=30) as notify,
    ):
        tip = await intake.post(
            "/api/v1/tips",
            json={
                "kind": "feedback",
                "text": "Quán massage trên đường Lê Lợi có dấu hiệu mua bán dâm buổi tối.",
                "address": f"Số {uuid.uuid4().hex[:5]} Lê Lợi, Phường Bến Thành, TP. HCM",
                "ward_code": WARD,
            },
        )
        assert tip.status_code == 202, tip.text
        code = tip.json()["tracking_code"]
        supervisor = bearer(token_for("supervisor", WARD))

        async def case_and_clocks() -> tuple[httpx.Response, httpx.Response] | None:
            found = await triage.get(f"/api/v1/cases/by-code/{code}", headers=supervisor)
            if found.status_code != 200:
                return None
            clocks = await notify.get(f"/api/v1/sla/cases/{found.json()['id']}", headers=supervisor)
            ready = clocks.status_code == 200 and len(clocks.json()) == 4
            return (found, clocks) if ready else None

        found, clocks = await eventually(
            case_and_clocks, lambda r: r is not None, timeout=45, interval=0.3, what="clocks"
        )
        case_id = found.json()["id"]
        assert [c["stage"] for c in clocks.json()] == [
            "received",
            "verified",
            "classified",
            "handled",
        ]
        assert clocks.json()[0]["state"] == "met"
        assert {c["state"] for c in clocks.json()[1:]} <= {"on_time", "pending"}
        answers = {
            "city monitor": (token_for("city_monitor", None), 200),
            "officer of the ward": (token_for("officer", WARD, "culture_social"), 200),
            "officer elsewhere": (token_for("officer", "09562", "police"), 404),
            "supervisor elsewhere": (token_for("supervisor", "09562"), 404),
            "hotline operator": (token_for("hotline_operator", WARD), 403),
        }
        for who, (token, status) in answers.items():
            answer = await notify.get(f"/api/v1/sla/cases/{case_id}", headers=bearer(token))
            assert answer.status_code == status, (who, answer.status_code)
        assert (await notify.get(f"/api/v1/sla/cases/{case_id}")).status_code == 401

        board = await notify.get("/api/v1/sla/board", params={"ward": "09562"}, headers=supervisor)
        assert board.status_code == 200
        assert board.json()["ward_code"] == WARD  # a supervisor sees their own ward only
        assert [s["stage"] for s in board.json()["stages"]] == [
            "received",
            "verified",
            "classified",
            "handled",
        ]
        assert board.json()["stages"][0]["met"] >= 1
        monitor = bearer(token_for("city_monitor", None))
        city = await notify.get("/api/v1/sla/board", headers=monitor)
        assert city.status_code == 200 and city.json()["ward_code"] is None
        officer = bearer(token_for("officer", WARD, "police"))
        assert (await notify.get("/api/v1/sla/board", headers=officer)).status_code == 403
        bad = await notify.get(
            "/api/v1/sla/board", params={"started_from": "0999-01-01T00:00:00"}, headers=monitor
        )
        assert bad.status_code == 422
