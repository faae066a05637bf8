"""Fashion-MNIST Studio: the TensorFlow clothing-classification tutorial as a web app.

Run it with `make run` (`streamlit run server.py`, which serves this file with the default model warmed as the
server starts) or `streamlit run app.py`. This file only sets up the page, the
navigation and the sidebar; each page lives in pages/.
"""

import streamlit as st

from fmnist import logs

# pages.navigation before the other pages modules, in an import of its own: on a fresh server its import
# declares the navigation and reruns (see claim_navigation), and that rerun must not break off the import of
# another pages module that other sessions, loading their first page at the same time, are waiting for.
from pages.navigation import app_pages, language_ui, t

# isort: split
from pages.identity import identity_element, identity_ui
from pages.resources import start_warm_up

logs.configure()  # The "fmnist" logger writes to the server's log (once per process; later calls change nothing).
st.set_page_config(page_title="Fashion-MNIST Studio", page_icon="👕", layout="wide")

start_warm_up()  # The default model loads in the background while the visitor looks around.
page = st.navigation(app_pages())
language_ui()
identity_ui()  # The display name kept in the browser, the teacher's password.
st.sidebar.caption(t("sidebar_caption"))
page.run()
identity_element()  # After the page: the browser's answer reruns the app (see there).
