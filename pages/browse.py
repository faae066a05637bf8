"""Browse: the tutorial's "explore the data" and "preprocess the data" steps. Never imports TensorFlow."""

import numpy as np
import pandas as pd
import streamlit as st

from fmnist.charts import figures
from fmnist.data import fashion_mnist
from fmnist.export import snippets

# pages.navigation first, in an import of its own: on a fresh server its import declares the navigation and
# reruns (see claim_navigation), and that rerun must not break off the import of another pages module that
# other sessions, loading their first page at the same time, are waiting for.
from pages.navigation import class_names, language, t

# isort: split
from pages.code_view import show_code
from pages.resources import dataset, load_dataset

PER_PAGE = 25

st.title(t("browse_title"))
st.markdown(t("browse_intro"))


@st.cache_data(show_spinner=False)
def facts_table() -> pd.DataFrame:
    """Shape, dtype and value range of each array (computed once per server)."""
    ds = load_dataset()
    arrays = {name: getattr(ds, name) for name in ("train_images", "train_labels", "test_images", "test_labels")}
    return pd.DataFrame(
        [
            {"array": name, "shape": str(a.shape), "dtype": str(a.dtype), "min": int(a.min()), "max": int(a.max())}
            for name, a in arrays.items()
        ]
    )


@st.cache_data(max_entries=64, show_spinner=False)
def grid_png(split: str, indices: tuple[int, ...], lang: str) -> bytes:
    """The tutorial's grid of these images with their class names, as PNG."""
    images, labels = load_dataset().split(split)
    rows = max(1, -(-len(indices) // 5))
    fig = figures.image_grid(images[list(indices)], labels[list(indices)], class_names(lang), rows=rows, cols=5)
    return figures.figure_png(fig, dpi=80)


@st.cache_data(max_entries=256, show_spinner=False)
def colorbar_png(split: str, index: int, scaled: bool, title: str) -> bytes:
    """The tutorial's imshow with a colorbar of one image, raw (0–255) or scaled (0–1), as PNG."""
    image = load_dataset().split(split)[0][index]
    return figures.figure_png(figures.image_with_colorbar(image / 255.0 if scaled else image, title=title), dpi=80)


@st.cache_data(max_entries=8, show_spinner=False)
def mean_images_png(split: str, lang: str) -> bytes:
    """The mean image of each class of a split, in one row, as PNG."""
    images, labels = load_dataset().split(split)
    return figures.figure_png(figures.mean_images(images, labels, class_names(lang)), dpi=80)


# Shows the arrays' shapes and ranges and the table of the ten labels with their counts.
def facts_ui(ds) -> None:
    st.subheader(t("facts"))
    left, right = st.columns([3, 4])
    left.dataframe(facts_table(), hide_index=True)
    left.caption(t("facts_caption"))
    right.dataframe(
        pd.DataFrame(
            {
                t("label"): range(10),
                "English": fashion_mnist.CLASS_NAMES,
                "中文": fashion_mnist.CLASS_NAMES_ZH,
                t("train_count"): np.bincount(ds.train_labels, minlength=10),
                t("test_count"): np.bincount(ds.test_labels, minlength=10),
            }
        ),
        hide_index=True,
    )


# Lets the user pick which images the grid shows: split, classes, order and page.
def grid_controls_ui() -> tuple[str, list[int], str, int]:
    columns = st.columns([1, 3, 1, 1])
    split = columns[0].radio(
        t("split"), ("train", "test"), format_func={s: t(f"split_{s}") for s in ("train", "test")}.get, key="browse_split"
    )
    classes = columns[1].multiselect(
        t("classes"), range(10), format_func=class_names().__getitem__, placeholder=t("all_classes"), key="browse_classes"
    )
    order = columns[2].radio(
        t("order"), fashion_mnist.ORDERS, format_func={o: t(f"order_{o}") for o in fashion_mnist.ORDERS}.get, key="browse_order"
    )
    seed = columns[3].number_input(t("seed"), 0, 2**31 - 1, 0, disabled=order != "random", key="browse_seed")
    return split, classes, order, int(seed)


# Lets the user page through the selected images.
def page_ui(pages: int) -> int:
    if st.session_state.get("browse_page", 1) > pages:
        st.session_state.browse_page = pages
    page = st.columns(4)[0].number_input(t("page_of", pages=pages), 1, pages, key="browse_page")
    return int(page) - 1


# Shows the 5×5 grid with the class name under each image, as the tutorial does.
def grid_ui(split: str, indices: np.ndarray) -> None:
    if len(indices) == 0:
        st.info(t("no_images"))
        return
    st.image(grid_png(split, tuple(int(i) for i in indices), language()), width=640)
    st.caption(t("grid_caption", first=int(indices[0]), last=int(indices[-1])))


# Lets the user look at one image closely: colorbar before and after scaling, and its pixel values.
def detail_ui(split: str, images: np.ndarray, labels: np.ndarray) -> None:
    st.subheader(t("one_image"))
    index = int(st.number_input(t("image_index", last=len(images) - 1), 0, len(images) - 1, 0, key=f"detail_{split}"))
    label = int(labels[index])
    st.markdown(t("image_label", label=label, en=fashion_mnist.CLASS_NAMES[label], zh=fashion_mnist.CLASS_NAMES_ZH[label]))
    left, right = st.columns(2)
    left.image(colorbar_png(split, index, False, t("before_scaling")), width=400)
    right.image(colorbar_png(split, index, True, t("after_scaling")), width=400)
    st.caption(t("scaling_caption"))
    if st.toggle(t("show_pixels"), key="show_pixels"):
        pixels = pd.DataFrame(images[index]).style.background_gradient(cmap="gray", vmin=0, vmax=255, axis=None)
        st.dataframe(pixels, height=1020)
    show_code(snippets.show_image(split, index, language()), key="code_image")


# Shows the average image of each class.
def means_ui(split: str) -> None:
    st.subheader(t("mean_images"))
    st.image(mean_images_png(split, language()))
    st.caption(t("mean_caption"))


ds = dataset()
facts_ui(ds)
show_code(snippets.browse_data(language()), key="code_data")
st.subheader(t("grid"))
split, classes, order, seed = grid_controls_ui()
images, labels = ds.split(split)
page = page_ui(fashion_mnist.page_count(labels, classes, PER_PAGE))
indices = fashion_mnist.select_indices(labels, classes, order, seed, page, PER_PAGE)
grid_ui(split, indices)
show_code(snippets.image_grid(split, classes, order, seed, page, language()), key="code_grid")
detail_ui(split, images, labels)
means_ui(split)
