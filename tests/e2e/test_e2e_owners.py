"""In a real browser: a run belongs to the browser that started it. A second browser (another context, so another
localStorage) opening its link watches it read-only, every time; the owner keeps its controls after a reload and in
a second tab of the same browser (which queues and cancels a second run), deletes that run on /runs, where the other
browser has no Delete, and stops the first."""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.e2e_support import FAST, SLOW, expect_no_exception, main, open_page, sidebar, start_training, wait_until_idle

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_runs_left_behind")]

RUN_URL = re.compile(r"/train\?(?:.*&)?run=(\d{8}-\d{6}-[0-9a-f]{8})(?:&.*)?$")
TRAINING = re.compile(r"^Run \S+ · training")
# The training child imports TensorFlow before its first step, and its end evaluates on the test set: on a small
# machine shared with other work, that can take minutes.
CHILD = 300_000
CONTROLS = ("Stop", "Pause", "Resume", "Cancel")


def button(page: Page, name: str):
    return main(page).get_by_role("button", name=name, exact=True)


def runs_dir() -> Path:
    return Path(os.environ["FMNIST_RUNS_DIR"])


def status(run_id: str) -> dict:
    return json.loads((runs_dir() / run_id / "status.json").read_text())


def run_of(page: Page) -> str:
    """The run id in the page's URL."""
    expect(page).to_have_url(RUN_URL, timeout=FAST)
    return RUN_URL.search(page.url).group(1)


def name_myself(page: Page, name: str) -> None:
    box = sidebar(page).get_by_role("textbox", name="Your name")
    box.fill(name)
    box.press("Enter")
    wait_until_idle(page)
    expect(box).to_have_value(name)


def expect_read_only(page: Page, owner_name: str) -> None:
    expect(main(page).get_by_text("You are watching this run")).to_be_visible(timeout=SLOW)
    expect(main(page).get_by_text(f"Started by: {owner_name}", exact=True)).to_be_visible(timeout=FAST)
    for name in CONTROLS:
        expect(button(page, name)).to_have_count(0)


def select_only_run(page: Page, run_id: str) -> None:
    """On /runs: search for the run, then tick its row (the first row's selection box, left of the grid)."""
    search = main(page).get_by_role("textbox", name="Search runs")
    search.fill(run_id)
    search.press("Enter")
    wait_until_idle(page)
    expect(main(page).get_by_text(re.compile(r"^1 of \d+ runs? shown"))).to_be_visible(timeout=FAST)
    wait_until_idle(page)
    grid = main(page).get_by_test_id("stDataFrame").first
    heading = main(page).get_by_role("heading", name=f"Run {run_id}")
    for _ in range(3):  # The grid draws on a canvas: a click while it is redrawn may be lost.
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # Below the header row, on the first row's tick box.
        try:
            expect(heading).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            wait_until_idle(page)
    expect(heading).to_be_visible(timeout=FAST)


@pytest.mark.slow
def test_a_second_browser_cannot_stop_or_delete_a_run_it_did_not_start(server, new_page):
    owner, stranger = new_page(), new_page()
    open_page(owner, server, "train", "Train a model")
    name_myself(owner, "Lin")
    start_training(owner, "mlp", 60000, 50)  # Minutes of training: the test stops it.
    training = run_of(owner)
    expect(main(owner).get_by_text(TRAINING)).to_be_visible(timeout=SLOW)
    # A second tab of the same browser is the same owner: it queues a second run there.
    second_tab = owner.context.new_page()
    open_page(second_tab, server, "train", "Train a model")
    start_training(second_tab, "mlp", 600, 1)
    waiting = run_of(second_tab)
    expect(main(second_tab).get_by_text(re.compile(r"^Queued: position 1"))).to_be_visible(timeout=FAST)

    for _ in range(2):  # The stranger, by link and after a reload: it watches, with no control, every time.
        stranger.goto(f"{server.url}/train?run={training}")
        expect(main(stranger).get_by_text(TRAINING)).to_be_visible(timeout=SLOW)
        expect_read_only(stranger, "Lin")
        stranger.goto(f"{server.url}/train?run={waiting}")
        expect(main(stranger).get_by_text(re.compile(r"^Queued: position 1"))).to_be_visible(timeout=SLOW)
        expect_read_only(stranger, "Lin")
    expect(main(stranger).get_by_role("button", name="Start training")).to_be_enabled()  # Its own runs are its own.

    owner.reload()  # The owner's secret lives in its browser: a reload keeps the run its own.
    expect(button(owner, "Stop")).to_have_count(1, timeout=SLOW)
    expect(main(owner).get_by_text("Started by: you (Lin)", exact=True)).to_be_visible(timeout=FAST)
    button(second_tab, "Cancel").click()
    expect(main(second_tab).get_by_text("This run was cancelled before it started.")).to_be_visible(timeout=FAST)

    for page in (stranger, owner):  # The cancelled run on /runs: Delete for its owner only.
        open_page(page, server, "runs", "Runs")
        select_only_run(page, waiting)
    expect(main(stranger).get_by_text("You are watching this run")).to_be_visible(timeout=FAST)
    expect(main(stranger).get_by_role("button", name="Delete this run")).to_have_count(0)
    main(owner).get_by_role("button", name="Delete this run").click()
    owner.get_by_role("button", name="Yes, delete it").click()  # In the popover, outside the main area.
    expect(main(owner).get_by_text(re.compile(r"^0 of \d+ runs? shown"))).to_be_visible(timeout=FAST)  # Gone from the table.
    assert not (runs_dir() / waiting).exists()

    # Last, as it waits on the training child: the owner's Stop ends the run and keeps its weights.
    owner.goto(f"{server.url}/train?run={training}")
    expect(button(owner, "Stop")).to_have_count(1, timeout=SLOW)
    button(owner, "Stop").click()
    expect(main(owner).get_by_text("Training was stopped")).to_be_visible(timeout=CHILD)
    assert status(training)["status"] == "stopped"
    for page in (owner, stranger, second_tab):
        expect_no_exception(page)
