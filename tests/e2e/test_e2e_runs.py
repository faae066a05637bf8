"""In a real browser: runs are child processes named in the URL. A reload reattaches to a live run and Stop
still works; three sessions see "training", "queued: position 1" and "queued: position 2"; kill -9 of a
child fails its run and the next one starts; a deep link opened first on a fresh server is routed by app.py."""

import os
import re
import signal
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.e2e_support import FAST, SLOW, expect_no_exception, main, open_page, report, sidebar, start_training
from tests.e2e.runs_support import LONG, PROGRESS, button, press, run_of, runs_dir, status
from tests.e2e.server_support import ARTIFACTS, StreamlitServer

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_runs_left_behind")]


@pytest.mark.slow
def test_a_reload_reattaches_to_the_live_run_and_stop_still_works(server, new_page):
    page = new_page()
    open_page(page, server, "train", "Train a model")
    start_training(page, "cnn", 60000, 20)  # Minutes even for the fast default CNN: the test ends it.
    run_id = run_of(page)
    expect(main(page).get_by_text(PROGRESS)).to_be_visible(timeout=SLOW)
    expect(main(page).get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=SLOW)
    page.reload()
    reloaded = time.monotonic()
    expect(main(page).get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=SLOW)
    report(f"runs: reload -> both live charts back in {time.monotonic() - reloaded:.2f} s")
    assert run_of(page) == run_id
    expect(main(page).get_by_text(PROGRESS)).to_be_visible(timeout=FAST)
    # Another page of the sidebar and back: the run is still this session's.
    sidebar(page).get_by_role("link", name="Browse the data").click()
    expect(main(page).get_by_role("heading", name="Browse the data", exact=True)).to_be_visible(timeout=FAST)
    sidebar(page).get_by_role("link", name="Train a model").click()
    assert run_of(page) == run_id
    # Pause halts it, Resume goes on, Stop ends it and keeps the weights.
    press(page, "Pause")
    expect(main(page).get_by_text(re.compile(r"^Paused after \d+ batches"))).to_be_visible(timeout=SLOW)
    assert status(run_id)["status"] == "paused"
    press(page, "Resume")
    expect(button(page, "Pause")).to_be_visible(timeout=SLOW)
    press(page, "Stop")
    expect(main(page).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    expect(main(page).get_by_text("Evaluation on the test images")).to_be_visible(timeout=SLOW)
    assert status(run_id)["status"] == "stopped" and (runs_dir() / run_id / "model.weights.h5").is_file()
    expect_no_exception(page)
    # A second tab with the same link shows the ended run, and Stop is gone.
    other = new_page()
    other.goto(f"{server.url}/train?run={run_id}")
    expect(main(other).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    expect(button(other, "Stop")).to_have_count(0)


@pytest.mark.slow
def test_three_sessions_see_training_and_their_places_in_the_queue(server, new_page):
    pages = [new_page() for _ in range(3)]
    for page in pages:
        open_page(page, server, "train", "Train a model")
    for page in pages:
        start_training(page, *LONG)
    first, second, third = pages
    expect(main(first).get_by_text(re.compile(r"^Run \S+ · training"))).to_be_visible(timeout=SLOW)
    expect(main(second).get_by_text(re.compile(r"^Queued: position 1, starts in about \d+ min"))).to_be_visible(timeout=SLOW)
    expect(main(third).get_by_text(re.compile(r"^Queued: position 2, starts in about \d+ min"))).to_be_visible(timeout=SLOW)
    # Cancel takes the second out of the queue; the third moves up. (SLOW: three live sessions and a training
    # share the full suite's two cores, where a rerun has taken over 30 s.)
    button(second, "Cancel").click()
    expect(main(second).get_by_text("This run was cancelled before it started.")).to_be_visible(timeout=SLOW)
    expect(main(third).get_by_text(re.compile(r"^Queued: position 1,"))).to_be_visible(timeout=SLOW)
    # Stop on the first: the third starts training.
    button(first, "Stop").click()
    expect(main(first).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    expect(main(third).get_by_text(re.compile(r"^Run \S+ · training"))).to_be_visible(timeout=SLOW)
    button(third, "Stop").click()
    expect(main(third).get_by_text("Training was stopped")).to_be_visible(timeout=SLOW)
    for page in pages:
        expect_no_exception(page)


@pytest.mark.slow
def test_kill_9_of_a_child_fails_its_run_and_the_next_run_starts(server, new_page):
    victim, waiting = new_page(), new_page()
    open_page(victim, server, "train", "Train a model")
    open_page(waiting, server, "train", "Train a model")
    start_training(victim, *LONG)
    killed = run_of(victim)
    start_training(waiting, "mlp", 1000, 1)
    expect(main(victim).get_by_text(PROGRESS)).to_be_visible(timeout=SLOW)
    os.kill(status(killed)["pid"], signal.SIGKILL)
    expect(main(victim).get_by_text("The training process ended unexpectedly (killed by signal 9).")).to_be_visible(timeout=SLOW)
    expect(main(waiting).get_by_text(re.compile(r"Training finished: 1 epoch\(s\)"))).to_be_visible(timeout=SLOW)
    assert status(killed)["status"] == "failed"
    expect(main(victim).get_by_role("button", name="Start training")).to_be_enabled()
    for page in (victim, waiting):
        expect_no_exception(page)


def test_a_forged_run_link_says_no_such_run(server, new_page):
    page = new_page()
    for forged in ("..%2F..%2Fetc%2Fpasswd", "20991231-000000-00000000", "%3Cscript%3E"):
        page.goto(f"{server.url}/train?run={forged}")
        expect(main(page).get_by_text("No such run: the link may be wrong, or the run was deleted.")).to_be_visible(timeout=FAST)
        expect_no_exception(page)


def test_a_deep_link_opened_first_on_a_fresh_server_goes_through_app_py(browser, tmp_path):
    fresh = StreamlitServer(tmp_path / "models", ARTIFACTS / "fresh-server.log").start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        open_page(page, fresh, "browse", "Browse the data")
        # app.py ran: its sidebar (the language choice and the app's own navigation) is there, and the
        # legacy navigation of every file in pages/ (which would list "navigation") is not.
        expect(sidebar(page).get_by_text("中文", exact=True)).to_be_visible(timeout=FAST)
        nav = sidebar(page).get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link", name="Train a model")).to_be_visible()
        expect(nav.get_by_role("link", name=re.compile("navigation", re.IGNORECASE))).to_have_count(0)
        expect_no_exception(page)
        context.close()
    finally:
        fresh.stop()
