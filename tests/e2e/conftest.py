"""Fixtures of the browser tests: one shared server and one Chromium for the folder, a fresh session per page.

Each page a test opens is a separate browser context, so a separate Streamlit session. When a test ends,
every page it opened is saved as a screenshot in test-artifacts/e2e/ (`<test>-<n>.png`, or
`<test>-<n>-FAILED.png` when the test failed) and its context is closed.
"""

from __future__ import annotations

import os
import re

import pytest

from tests.e2e.e2e_support import screenshot
from tests.e2e.runs_support import end_all_runs
from tests.e2e.server_support import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, MISSING_CHROMIUM, StreamlitServer


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    if report.failed and report.when == "call":
        # What each page showed and what the server logged last: a CI log keeps only the report, not the artifacts.
        for number, context in enumerate(getattr(item, "browser_contexts", []), start=1):
            for page in context.pages:
                report.sections.append((f"page {number}: {page.url}", page_text(page)))
        log = ARTIFACTS / "server.log"
        if log.exists():
            report.sections.append(("server log (last lines)", "\n".join(log.read_text(errors="replace").splitlines()[-40:])))
    return report


def page_text(page) -> str:
    try:
        return page.locator("body").inner_text(timeout=5000)[-3000:]
    except Exception as error:  # A closed or hung page: say so rather than hide the test's own failure.
        return f"(unreadable: {error})"


def _failed(request) -> bool:
    return any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))


@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, driven by Playwright; its absence is a failure that says how to install it."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    # The artifacts of an earlier run would mix with this run's.
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.log"), ARTIFACTS / "measurements.txt"]:
        old.unlink(missing_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="package")
def camera_browser(browser, tmp_path_factory):
    """A second Chromium whose camera films a still picture (an example garment on a wall): Chromium's fake
    capture device plays a .y4m file made here, and its fake permission prompt allows the camera."""
    from tests.e2e.e2e_support import y4m_of_picture
    from tests.e2e.server_support import ROOT

    video = tmp_path_factory.mktemp("camera") / "garment.y4m"
    video.write_bytes(y4m_of_picture(ROOT / "assets" / "examples" / "trouser.png"))
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    fake.append(f"--use-file-for-fake-video-capture={video}")
    # Launched by the same Playwright as `browser` (one Playwright per thread).
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="package")
def server(browser, tmp_path_factory):
    """The app, served by `streamlit run` with an empty models folder; shared by the tests of this folder."""
    instance = StreamlitServer(tmp_path_factory.mktemp("e2e-models"), ARTIFACTS / "server.log").start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def new_page(browser, request):
    """Open a page in a new browser context (a new Streamlit session); shot and closed when the test ends."""
    contexts = []
    request.node.browser_contexts = contexts  # Read by pytest_runtest_makereport when the test fails.

    def open_new(width: int = 1280, height: int = 900, **options):
        # options: more of new_context's settings, such as has_touch=True for a touch screen.
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_new
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    suffix = "-FAILED" if _failed(request) else ""
    for number, context in enumerate(contexts, start=1):
        for page in context.pages:
            screenshot(page, f"{name}-{number}{suffix}")
        context.close()


@pytest.fixture
def no_runs_left_behind(server):
    """Whatever a test leaves training or queued is stopped before the next test starts."""
    end_all_runs()
    yield
    end_all_runs()
