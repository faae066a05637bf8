"""In a real browser: every page loads without an exception, the sidebar navigates, the language switches,
and the Browse page's controls change the grid."""

import contextlib
import re
import time

import numpy as np
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from fmnist.data import fashion_mnist
from fmnist.model import config
from tests.e2e.e2e_support import FAST, expect_no_exception, main, open_page, sidebar, wait_until_idle

pytestmark = pytest.mark.e2e

PAGES = (
    ("", "Fashion-MNIST Studio"),
    ("browse", "Browse the data"),
    ("train", "Train a model"),
    ("predict", "Predict"),
)


def test_every_page_loads_and_the_sidebar_navigates(server, new_page):
    page = new_page()
    for path, title in PAGES:
        open_page(page, server, path, title)
        wait_until_idle(page)
        expect_no_exception(page)
    # From Predict, through every sidebar link and back home.
    links = ("Home", "Browse the data", "Train a model", "Predict", "Home")
    for link in links:
        title = "Fashion-MNIST Studio" if link == "Home" else link
        sidebar(page).get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
        expect(main(page).get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=FAST)
        wait_until_idle(page)
        expect_no_exception(page)
    # The links on the home page lead to the pages too.
    main(page).get_by_role("link", name=re.compile("Train a model")).click()
    expect(main(page).get_by_role("heading", name="Train a model", exact=True)).to_be_visible(timeout=FAST)
    expect(page).to_have_url(re.compile(r"/train(\?.*)?$"))  # The form's settings may follow in the query.


def test_language_switch_shows_chinese_labels_and_class_names(server, new_page):
    page = new_page()
    open_page(page, server, "", "Fashion-MNIST Studio")
    captions = main(page).get_by_test_id("stImageCaption")
    expect(captions).to_have_text(list(fashion_mnist.CLASS_NAMES), timeout=FAST)
    sidebar(page).get_by_text("中文", exact=True).click()
    expect(captions).to_have_text(list(fashion_mnist.CLASS_NAMES_ZH), timeout=FAST)
    expect(main(page).get_by_role("heading", name="数据集")).to_be_visible()
    nav = sidebar(page).get_by_test_id("stSidebarNav")
    for title in ("首页", "浏览数据", "训练模型", "预测"):
        expect(nav.get_by_role("link", name=title)).to_be_visible()
    # The choice holds across pages: the Browse page in Chinese, with Chinese class names in its filter.
    nav.get_by_role("link", name="浏览数据").click()
    expect(main(page).get_by_role("heading", name="浏览数据", exact=True)).to_be_visible(timeout=FAST)
    expect(main(page).get_by_text("数据集划分")).to_be_visible()
    main(page).get_by_test_id("stMultiSelect").click()
    expect(page.get_by_role("option", name="裤子")).to_be_visible()
    page.keyboard.press("Escape")
    expect_no_exception(page)
    # And back to English.
    sidebar(page).get_by_text("English", exact=True).click()
    expect(main(page).get_by_role("heading", name="Browse the data", exact=True)).to_be_visible(timeout=FAST)
    expect_no_exception(page)
    # Translated choices keep working after a switch: the browser keeps a choice as its label, and must not send
    # back the old label of the Train page's model, which no option has any more (a crash at the next click).
    nav.get_by_role("link", name="Train a model").click()
    expect(main(page).get_by_role("heading", name="Train a model", exact=True)).to_be_visible(timeout=FAST)
    sidebar(page).get_by_text("中文", exact=True).click()
    expect(main(page).get_by_role("heading", name="训练模型", exact=True)).to_be_visible(timeout=FAST)
    main(page).get_by_role("button", name="按教程设置").click()  # A click sends every widget's value.
    expect(main(page).get_by_label("训练轮数", exact=True)).to_have_value("10", timeout=FAST)
    main(page).get_by_role("radiogroup", name="模型").get_by_text("CNN", exact=True).click()
    expect(main(page).get_by_label("训练轮数", exact=True)).to_have_value(str(config.DEFAULTS["cnn"]["epochs"]), timeout=FAST)
    expect_no_exception(page)


def test_browse_controls_change_the_grid(server, new_page, dataset):
    page = new_page()
    open_page(page, server, "browse", "Browse the data")
    grid = main(page).get_by_test_id("stImage").first.locator("img")
    caption = main(page).get_by_text(re.compile(r"^Images \d+ to \d+ of this selection"))
    expect(caption).to_have_text(re.compile(r"^Images 0 to 24 "), timeout=FAST)
    seen = [grid.get_attribute("src")]

    def expect_new_grid(caption_pattern: str) -> None:
        expect(caption).to_have_text(re.compile(caption_pattern), timeout=FAST)
        expect(grid).not_to_have_attribute("src", seen[-1], timeout=FAST)
        wait_until_idle(page)
        source = grid.get_attribute("src")
        assert source not in seen, "the grid went back to an earlier picture"
        seen.append(source)
        expect_no_exception(page)

    # The test split: the same indices, other pictures.
    main(page).get_by_test_id("stRadio").first.get_by_text("Test", exact=True).click()
    expect_new_grid(r"^Images 0 to 24 ")
    # Only bags: test images of class 8 come first at index 18 or later.
    choose_class = main(page).get_by_test_id("stMultiSelect")
    choose_class.click()
    page.get_by_role("option", name="Bag").click()
    # The choice is made once the multiselect shows it. A mouse click on an option of Streamlit's multiselect dropdown
    # is sometimes dropped by the browser on a busy machine, with the app idle and no rerun in flight (the browser then
    # sends nothing); a person clicks again. Choosing by keyboard (type, Enter) never lost the choice.
    deadline = time.monotonic() + FAST / 1000
    while "Bag" not in choose_class.inner_text() and time.monotonic() < deadline:
        if page.get_by_role("option", name="Bag").count() == 0:
            choose_class.click()
        with contextlib.suppress(PlaywrightError):  # Chosen meanwhile: the option is gone, the loop ends.
            page.get_by_role("option", name="Bag").click(timeout=2000)
    expect(choose_class).to_contain_text("Bag", timeout=FAST)
    page.keyboard.press("Escape")
    first_bag = int((dataset.test_labels == 8).argmax())
    expect_new_grid(rf"^Images {first_bag} to \d+ ")
    # The next page of bags.
    page_input = main(page).get_by_label(re.compile(r"^Page \(of 40\)"))
    page_input.fill("2")
    page_input.press("Enter")
    # The caption names the second page's first bag (a new grid picture alone proves nothing: every rerun serves
    # the same picture under a new address).
    second_page = int(np.flatnonzero(dataset.test_labels == 8)[25])
    expect_new_grid(rf"^Images {second_page} to \d+ ")
