"""The status page in a real browser: Debian's headless Chromium, driven by Playwright for Python.

The site is built from incidents the CLI made on the GitHub emulator and served over HTTP on
127.0.0.1, as GitHub Pages would serve it. Playwright drives the system's Chromium
(``executable_path``), so nothing is downloaded; ``.ci/run`` installs the ``chromium`` package.
axe-core (installed from ``tests/axe/package-lock.json`` with ``npm ci``) checks accessibility.
Screenshots land in the test's tmp dir.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ops_actions.playbook import bundled_playbook_text
from tests.support.fixtures.world import World
from tests.support.mermaid_check import ensure_installed
from tests.support.paths import AXE_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def chromium_path() -> str:
    """Debian's Chromium; a clear failure (never a skip) when it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "the browser test needs Debian's Chromium: `apt-get install chromium` "
            "(.ci/run installs it when it runs as root)",
            pytrace=False,
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable)
        yield launched
        launched.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


# The world's clock starts at 2026-11-27T10:00Z: one window in progress, one scheduled.
WINDOWS = """
maintenance:
  - id: db-upgrade
    title: Database upgrade with a long title that has to wrap on a phone screen
    start: '2026-11-27T09:00:00Z'
    end: '2026-11-27T12:00:00Z'
    components: [auth]
    public: Sign-in may be slow for a few minutes while we upgrade the database.
  - id: dns-move
    title: DNS provider move
    start: '2026-12-02T22:00:00Z'
    end: '2026-12-02T23:00:00Z'
"""


@pytest.fixture
def site(world: World) -> Iterator[str]:
    """A page with an open SEV-1 and a resolved SEV-2 with its postmortem, and maintenance in progress
    and scheduled, served on 127.0.0.1."""
    playbook = world.tmp_path / "playbook.yaml"
    playbook.write_text(bundled_playbook_text() + WINDOWS, encoding="utf-8")
    world.monkeypatch.setenv("OPS_PLAYBOOK", str(playbook))
    open_ = ["incident", "open", "--title", "Checkout failing for card payments", "--severity", "1"]
    assert world.cli(0, *open_, "--impact", "All card payments", "--component", "billing") == 0
    update = ["incident", "update", "1", "--status", "mitigating", "--next", "30m"]
    assert (
        world.cli(5, *update, "--public", "We rolled back the latest deploy and watch the error rate.") == 0
    )
    assert (
        world.cli(6, "incident", "open", "--title", "Jobs delayed", "--severity", "2", "--component", "jobs")
        == 0
    )
    assert world.cli(20, "incident", "resolve", "2", "--force", "--reason", "checked by hand") == 0
    out = world.tmp_path / "site"
    assert world.cli(30, "status-page", "build", "--out", str(out)) == 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def open_page(browser: Browser, url: str, **context: Any) -> tuple[Page, list[str]]:
    """A page at ``url`` and the list its console errors, page errors and off-site requests go to."""
    page = browser.new_context(**context).new_page()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: response.status < 400 or problems.append(f"{response.status}: {response.url}"),
    )
    page.on(
        "request",
        lambda request: (
            request.url.startswith(url.split("/", 3)[0] + "//127.0.0.1")
            or problems.append(f"off-site: {request.url}")
        ),
    )
    page.goto(url)
    page.wait_for_load_state("load")
    return page, problems


def test_the_page_reads_well_on_a_phone_and_a_desktop(browser: Browser, site: str, tmp_path: Path) -> None:
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page, problems = open_page(browser, site, viewport=viewport)
        banner = page.get_by_role("heading", name="Major outage")
        assert banner.is_visible()
        assert page.get_by_role("heading", level=1).inner_text() == "backend status"
        update = page.get_by_text("We rolled back the latest deploy and watch the error rate.")
        assert update.first.is_visible()
        billing = page.locator(".components li", has_text="billing")
        assert billing.inner_text().split() == ["billing", "Outage"]
        auth = page.locator(".components li", has_text="auth")
        assert auth.inner_text().split() == ["auth", "Under", "maintenance"]
        section = page.locator("#maintenance")
        assert section.get_by_role("heading", name="Maintenance", level=2).is_visible()
        assert [h.inner_text() for h in section.locator("h3").all()] == ["In progress", "Scheduled"]
        window = section.locator("#maintenance-db-upgrade")
        assert window.get_by_text("Sign-in may be slow").is_visible()
        box = window.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"], name
        section.screenshot(path=str(tmp_path / f"maintenance-{name}.png"))
        # The script added how long ago each UTC time was; the UTC time stays.
        assert page.locator("time + .ago").count() == page.locator("time").count() > 0
        assert page.locator("time").first.inner_text().endswith(" UTC")
        # Nothing wider than the screen; body text no smaller than 16 px.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
        tops = {round(li.bounding_box()["y"]) for li in page.locator(".components li").all()}
        if name == "phone":
            assert len(tops) == 5, "one component a row on a phone"
        else:
            assert len(tops) < 5, "components side by side on a desktop"
        days = page.locator(".history li").first.locator(".day")
        assert days.count() == 90 and days.first.bounding_box()["width"] >= 2
        page.screenshot(path=str(tmp_path / f"index-{name}.png"), full_page=True)
        page.get_by_role("link", name="Degraded performance of jobs").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("heading", level=1).inner_text() == "Degraded performance of jobs"
        assert page.get_by_text("The incident is resolved.").is_visible()
        page.screenshot(path=str(tmp_path / f"incident-{name}.png"), full_page=True)
        assert problems == [], problems
        page.context.close()
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "incident-desktop.png",
        "incident-phone.png",
        "index-desktop.png",
        "index-phone.png",
        "maintenance-desktop.png",
        "maintenance-phone.png",
    ]


def test_the_page_reads_without_javascript(browser: Browser, site: str) -> None:
    page, problems = open_page(browser, site, java_script_enabled=False, viewport=PHONE)
    text = page.inner_text("main")
    assert "Major outage" in text and "Billing unavailable" in text and "DNS provider move" in text
    assert "2026-11-27 10:05 UTC" in text
    assert page.locator(".ago").count() == 0, "without the script, the UTC times alone"
    assert problems == []
    page.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_accessibility_violation(browser: Browser, site: str, scheme: str) -> None:
    """axe-core's WCAG 2.1 A/AA and best-practice rules, on the home page and an incident page."""
    ensure_installed(AXE_DIR)
    axe = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    for path in ("", "incidents/1.html"):
        # The page's Content-Security-Policy forbids injected scripts; axe is the test's, not the page's.
        page, problems = open_page(
            browser, site + path, color_scheme=scheme, bypass_csp=True, viewport=DESKTOP
        )
        page.add_script_tag(path=str(axe))
        result = page.evaluate(f"() => axe.run(document, {{runOnly: {json.dumps(AXE_RULES)}}})")
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert serious == [], serious
        assert len(result["passes"]) > 20, "axe ran its rules"
        assert problems == [], problems
        page.context.close()
