"""The app's page list, its language and the sidebar's language choice, for app.py and every page.

Not a page itself: `st.navigation` in app.py lists the pages explicitly (app_pages). Importing this module
declares the navigation once per server process (claim_navigation), which is why every page imports it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from fmnist.data import fashion_mnist
from pages import i18n

PAGES_DIR = Path(__file__).resolve().parent
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def app_pages() -> list:
    """The app's pages, for st.navigation; paths are absolute, so any entry script can route to them."""
    return [
        st.Page(PAGES_DIR / "home.py", title=t("nav_home"), icon=":material/home:", default=True),
        st.Page(PAGES_DIR / "browse.py", title=t("nav_browse"), url_path="browse", icon=":material/grid_view:"),
        st.Page(PAGES_DIR / "train.py", title=t("nav_train"), url_path="train", icon=":material/model_training:"),
        st.Page(PAGES_DIR / "predict.py", title=t("nav_predict"), url_path="predict", icon=":material/checkroom:"),
        st.Page(PAGES_DIR / "inspect.py", title=t("nav_inspect"), url_path="inspect", icon=":material/neurology:"),
        st.Page(PAGES_DIR / "runs.py", title=t("nav_runs"), url_path="runs", icon=":material/table_chart:"),
    ]


@st.cache_resource(show_spinner=False)
def navigation_claimed() -> list:
    """Whether this server process has declared its navigation yet (one flag per process)."""
    return []


def claim_navigation() -> None:
    """Declare the app's navigation once per server process, then run the page again through app.py.

    Until st.navigation has been called once, Streamlit treats an app with a folder called pages/ as a
    legacy multipage app and runs a deep link such as /browse on its own, without app.py (no sidebar).
    Calling st.navigation switches that mode off for good (documented behaviour), and the rerun then
    goes through app.py and keeps the URL's page.
    """
    claimed = navigation_claimed()
    if not claimed:
        claimed.append(True)
        st.navigation(app_pages(), position="hidden")
        st.rerun()


def language() -> str:
    """The language chosen in the sidebar: "en" or "zh"."""
    return st.session_state.get("language", "en")


def t(key: str, **values) -> str:
    """A UI string in the chosen language, with `values` filled in."""
    return i18n.text(key, language(), **values)


def error_text(error: Exception) -> str:
    """What a refused picture or drawing (an ImageError) says, in the chosen language."""
    return i18n.image_error(error, language())


def class_names(lang: str | None = None) -> tuple[str, ...]:
    """The ten class names in the chosen language (or in `lang`)."""
    return fashion_mnist.CLASS_NAMES if (lang or language()) == "en" else fashion_mnist.CLASS_NAMES_ZH


# The keyed choice widgets whose option labels are translated. The browser keeps a choice as its label, so after
# a switch of language it would send back a label that no option has any more; setting each value again in the
# switch's callback makes the page send the widgets their values anew, labelled in the new language.
TRANSLATED_CHOICES = ("browse_split", "browse_classes", "browse_order", "source", "train_model", "train_schedule",
                      "compare_by", "why_class", "predict_model", "inspect_model")  # fmt: skip


def keep_choices() -> None:
    for key in TRANSLATED_CHOICES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


# Lets the user switch the pages' text and the class names between English and Chinese.
def language_ui() -> str:
    return st.sidebar.radio(
        "Language / 语言",
        tuple(LANGUAGE_NAMES),
        format_func=LANGUAGE_NAMES.get,
        key="language",
        horizontal=True,
        on_change=keep_choices,
    )


# The first script run of a server process declares the navigation (see claim_navigation). Its rerun breaks off
# this import, so it comes last (the module is whole for any session that waited for it), and the pages and
# app.py import this module before any other pages module: a rerun inside the import of a module that imports
# this one would leave other sessions, waiting for that module, with half of it ("cannot import name").
claim_navigation()
