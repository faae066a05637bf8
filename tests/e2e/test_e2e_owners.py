"""In a real browser: a run belongs to the browser that started it. Another browser that opens the run's link
watches it live, read-only (no Stop, Pause or Resume), however often it comes back; the owner's second tab
(the same browser, so the same owner secret in localStorage) keeps every control and stops it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import SLOW, expect_no_exception, main, open_page, start_training, wait_until_idle
from tests.e2e.runs_support import LONG, PROGRESS, button, press, run_of, status

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.usefixtures("no_runs_left_behind")]

READ_ONLY = "You are watching this run: only the browser that started it, or the teacher, can stop or delete it."


def test_another_browser_watches_a_run_read_only_and_the_owner_keeps_control(server, new_page):
    owner = new_page()
    open_page(owner, server, "train", "Train a model")
    start_training(owner, *LONG)  # Minutes on this machine: the test stops it.
    run_id = run_of(owner)
    expect(button(owner, "Stop")).to_be_visible(timeout=SLOW)
    # The first batch comes after the child has imported TensorFlow and loaded the data: on two loaded cores
    # that once took longer than the stranger's wait below, so the owner's page sees it first.
    expect(main(owner).get_by_text(PROGRESS)).to_be_visible(timeout=2 * SLOW)
    stranger = new_page()  # A browser context of its own: another localStorage, another owner secret.
    for _ in range(3):
        stranger.goto(f"{server.url}/train?run={run_id}")
        expect(main(stranger).get_by_text(PROGRESS)).to_be_visible(timeout=SLOW)
        wait_until_idle(stranger)  # Past the rerun that brings this browser's secret.
        expect(main(stranger).get_by_text(READ_ONLY)).to_be_visible(timeout=SLOW)
        for name in ("Stop", "Pause", "Resume"):
            expect(button(stranger, name)).to_have_count(0)
    assert status(run_id)["status"] == "running"
    expect_no_exception(stranger)
    second_tab = owner.context.new_page()
    second_tab.goto(f"{server.url}/train?run={run_id}")
    press(second_tab, "Stop")
    expect(main(second_tab).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    assert status(run_id)["status"] == "stopped"
