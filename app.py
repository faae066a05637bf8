"""Fashion-MNIST Studio: the TensorFlow clothing-classification tutorial as a web app.

Run it with `streamlit run app.py`. This file only sets up the page, the
navigation and the sidebar; each page lives in pages/.
"""

import streamlit as st

from pages.common import language_ui, t

st.set_page_config(page_title="Fashion-MNIST Studio", page_icon="👕", layout="wide")

page = st.navigation(
    [
        st.Page("pages/home.py", title=t("nav_home"), icon=":material/home:", default=True),
        st.Page("pages/browse.py", title=t("nav_browse"), url_path="browse", icon=":material/grid_view:"),
        st.Page("pages/train.py", title=t("nav_train"), url_path="train", icon=":material/model_training:"),
        st.Page("pages/predict.py", title=t("nav_predict"), url_path="predict", icon=":material/checkroom:"),
        st.Page("pages/inspect.py", title=t("nav_inspect"), url_path="inspect", icon=":material/neurology:"),
    ]
)
language_ui()
st.sidebar.caption(t("sidebar_caption"))
page.run()
