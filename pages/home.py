"""Home: what the app is, the dataset and the default model at a glance, and links to the pages."""

import streamlit as st

from fmnist import registry

# pages.navigation first, in an import of its own: on a fresh server its import declares the navigation and
# reruns (see claim_navigation), and that rerun must not break off the import of another pages module that
# other sessions, loading their first page at the same time, are waiting for.
from pages.navigation import class_names, t

# isort: split
from pages.display import enlarge
from pages.resources import dataset

st.title("Fashion-MNIST Studio")
st.markdown(t("home_intro"))


# Shows the dataset in one line of numbers and one picture of each class.
def dataset_ui(ds) -> None:
    st.subheader(t("home_dataset"))
    columns = st.columns(4)
    columns[0].metric(t("train_images"), f"{len(ds.train_images):,}")
    columns[1].metric(t("test_images"), f"{len(ds.test_images):,}")
    columns[2].metric(t("classes"), 10)
    columns[3].metric(t("image_size"), "28 × 28")
    st.caption(t("home_source", source=ds.source, verified=t("verified") if ds.verified else t("not_verified")))
    first_of_class = [int((ds.train_labels == c).argmax()) for c in range(10)]
    st.image([enlarge(255 - ds.train_images[i], 3) for i in first_of_class], caption=list(class_names()), width=64)


# Shows the shipped model that the Predict page uses unless the user picks another.
def default_model_ui() -> None:
    st.subheader(t("home_default_model"))
    try:
        info = registry.get(registry.DEFAULT_NAME)
    except registry.RegistryError as error:
        st.warning(str(error))
        return
    config = info.metadata.get("config", {})
    columns = st.columns(4)
    columns[0].metric(t("architecture"), info.metadata.get("architecture", "?").upper())
    columns[1].metric(t("test_accuracy"), f"{info.test_accuracy:.1%}" if info.test_accuracy is not None else "–")
    columns[2].metric(t("epochs"), info.metadata.get("epochs_run", config.get("epochs", "–")))
    columns[3].metric(t("optimizer"), config.get("optimizer", "–"))


# Links to the pages, one sentence each.
def links_ui() -> None:
    st.subheader(t("home_pages"))
    for path, icon, title, blurb in (
        ("pages/browse.py", ":material/grid_view:", "nav_browse", "home_browse"),
        ("pages/train.py", ":material/model_training:", "nav_train", "home_train"),
        ("pages/predict.py", ":material/checkroom:", "nav_predict", "home_predict"),
        ("pages/inspect.py", ":material/neurology:", "nav_inspect", "home_inspect"),
        ("pages/runs.py", ":material/table_chart:", "nav_runs", "home_runs"),
    ):
        st.page_link(path, label=f"**{t(title)}** — {t(blurb)}", icon=icon)


dataset_ui(dataset())
default_model_ui()
links_ui()
