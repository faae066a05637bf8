"""The Train page's form: model, network builder, how to train; kept in the page's URL so that a link shares it.

This module is imported by pages/train.py; it is not a page itself. Every field is a widget with a
`train_<setting>` key in the session state. The form is not an `st.form`: the parameter count and the
augmentation preview follow each change, and the URL's query follows the settings.
"""

from __future__ import annotations

import streamlit as st

from fmnist.model import config as fconfig
from fmnist.runs import groups
from pages import train_query
from pages.display import enlarge
from pages.navigation import t
from pages.resources import dataset

BATCH_SIZES = (16, 32, 64, 128, 256, 512)
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
# Every model's and preset's own value is offered whichever model is chosen. The browser sends a widget's value
# as its text, and Streamlit turns a text that is not among the options into the first option: a form edited
# while the model switch's rerun arrives may send back the other model's value, and without it among the
# options the run would start with the smallest learning rate.
RECIPE_VALUES = {
    key: {recipe[key] for recipe in (*fconfig.DEFAULTS.values(), *fconfig.PRESETS.values()) if key in recipe}
    for key in ("batch_size", "learning_rate")
}
# The settings whose defaults are the same for every model (the schedule and validation split are the model's).
FORM_DEFAULTS = {"optimizer": "adam", "limit": 60000, "seed": 0, "augment": False, "early_stopping": 0, "label_smoothing": 0.0}
# What the form's widgets offer; a link's value outside these is ignored with a message.
BOUNDS = {
    "epochs": (1, 100),
    "validation_split": (0.0, 0.5),
    "seed": (0, 2**31 - 1),
    "limit": (10, 60000),
    "label_smoothing": (0.0, fconfig.MAX_LABEL_SMOOTHING),
}
PREVIEW_IMAGES = 8


def widget_value(setting: str, value):
    """A setting as its widget holds it (layer widths as text, all training images as 60000)."""
    if setting in train_query.WIDTHS:
        return ", ".join(str(width) for width in value)
    if setting == "limit" and value is None:
        return 60000
    return value


def architecture_defaults(model: str) -> dict:
    return {key: widget_value(key, value) for key, value in fconfig.ARCHITECTURE_DEFAULTS[model].items()}


def apply_model_defaults() -> None:
    """Put the chosen model's default epochs, batch size, learning rate and network into the form."""
    apply_model_defaults_of(st.session_state.train_model)


def apply_model_defaults_of(model: str) -> None:
    for key, value in {**fconfig.DEFAULTS[model], **architecture_defaults(model)}.items():
        st.session_state[f"train_{key}"] = value


def apply_preset(name: str) -> None:
    """A recipe in one click: the tutorial's, or the fast CNN's."""
    preset = fconfig.PRESETS[name]
    apply_model_defaults_of(preset["model"])
    for key, value in preset.items():
        st.session_state[f"train_{key}"] = widget_value(key, value)
    st.session_state.train_limit = 60000


def initialise() -> None:
    """Fill the form once per session: the defaults, then the values of a shared link (saying which were ignored)."""
    if "train_model" in st.session_state:
        return
    settings, ignored = train_query.from_query(st.query_params.to_dict(), BOUNDS)
    model = settings.get("model", "mlp")
    st.session_state.train_model = model
    values = {**fconfig.DEFAULTS[model], **FORM_DEFAULTS, **architecture_defaults("mlp"), **architecture_defaults("cnn")}
    values.update(architecture_defaults(model))
    values.update({key: widget_value(key, value) for key, value in settings.items()})
    for key, value in values.items():
        st.session_state[f"train_{key}"] = value
    st.session_state.train_ignored = ignored


def current_config() -> tuple[fconfig.TrainConfig | None, str | None]:
    """(config, None) from the widgets' values, or (None, the reason) when they do not make a valid one."""
    state = st.session_state
    model = state.train_model
    values = {key: state[f"train_{key}"] for key in (*fconfig.DEFAULTS[model], *FORM_DEFAULTS)}
    values["limit"] = None if values["limit"] >= 60000 else int(values["limit"])
    try:
        for key in fconfig.ARCHITECTURE_DEFAULTS[model]:
            value = state[f"train_{key}"]
            values[key] = fconfig.parse_widths(value) if key in train_query.WIDTHS else value
        values = {key: int(value) if isinstance(value, float) and key in train_query.INTEGERS else value
                  for key, value in values.items()}  # fmt: skip
        return fconfig.TrainConfig(model=model, **values).resolved(), None
    except ValueError as error:
        return None, str(error)


def share(config: fconfig.TrainConfig) -> None:
    """Write the settings into the URL's query (only those that changed), beside ?run= if the page shows a run."""
    query = train_query.to_query(config)
    query.setdefault("limit", "all")
    for name in train_query.SETTINGS:
        if name in query and st.query_params.get(name) != query[name]:
            st.query_params[name] = query[name]
        elif name not in query and name in st.query_params:
            del st.query_params[name]


# The network builder: the layers of the chosen architecture, dropout, and the count of weights that makes.
def network_ui(model: str) -> None:
    st.markdown(f"**{t('network')}**")
    row = st.columns([3, 2, 2])
    if model == "mlp":
        row[0].text_input(t("hidden_units"), key="train_hidden_units", help=t("hidden_units_help"))
        row[1].checkbox(t("batch_norm"), key="train_batch_norm", help=t("batch_norm_help_mlp"))
    else:
        row[0].text_input(t("filters"), key="train_filters", help=t("filters_help"))
        row[1].number_input(t("dense_units"), 1, fconfig.MAX_WIDTH, key="train_dense_units")
        row[1].checkbox(t("batch_norm"), key="train_batch_norm", help=t("batch_norm_help"))
        row[1].checkbox(t("norm_after_pool"), key="train_norm_after_pool", help=t("norm_after_pool_help"),
                        disabled=not st.session_state.get("train_batch_norm"))  # fmt: skip
    row[-1].slider(t("dropout"), 0.0, fconfig.MAX_DROPOUT, step=0.05, key="train_dropout", help=t("dropout_help"))


@st.cache_data(max_entries=8, show_spinner=False)
def augmentation_preview(draw: int) -> tuple:
    """The first training images and one random augmentation of them (draw number `draw`)."""
    from fmnist.data import augment

    images = dataset().train_images[:PREVIEW_IMAGES]
    return images, augment.preview(images, seed=draw)


# Before/after pictures of augmentation, with a button for another random draw.
def augmentation_ui() -> None:
    draw = st.session_state.get("train_augment_draw", 0)
    before, after = augmentation_preview(draw)
    st.caption(t("augment_preview"))
    st.image([enlarge(image, 3) for image in before], width=84)
    st.image([enlarge(image, 3) for image in after], width=84)
    if st.button(t("augment_again"), icon=":material/casino:"):
        st.session_state.train_augment_draw = draw + 1
        st.rerun()


# Lets the user choose the model and how to train it; returns a TrainConfig when "Start training" is pressed.
# Only the button is disabled during a run: disabling a widget gives it a new identity, which resets its value.
def config_ui(busy: bool) -> fconfig.TrainConfig | None:
    initialise()
    for name, value, reason in st.session_state.pop("train_ignored", []):
        st.warning(t("query_ignored", name=name, value=value, reason=reason), icon=":material/link:")
    top = st.columns([4, 2, 2, 2])
    top[0].radio(
        t("model"),
        fconfig.ARCHITECTURES,
        format_func={m: t(f"model_{m}") for m in fconfig.ARCHITECTURES}.get,
        key="train_model",
        on_change=apply_model_defaults,
        horizontal=True,
    )
    top[1].button(
        t("preset_tutorial"), on_click=apply_preset, args=("tutorial",), help=t("preset_tutorial_help"), icon=":material/school:"
    )
    top[2].button(
        t("preset_cnn_fast"), on_click=apply_preset, args=("cnn-fast",), help=t("preset_cnn_fast_help"), icon=":material/bolt:"
    )
    top[3].button(
        t("preset_cnn_accurate"), on_click=apply_preset, args=("cnn-accurate",), help=t("preset_cnn_accurate_help"),
        icon=":material/target:",
    )  # fmt: skip
    model, state = st.session_state.train_model, st.session_state
    with st.container(border=True):
        network_ui(model)
        config, problem = current_config()
        if problem:
            st.error(problem, icon=":material/error:")
        else:
            st.markdown(t("parameters", count=fconfig.parameter_count(model, config.architecture())))
    row = st.columns(4)
    row[0].number_input(t("epochs"), *BOUNDS["epochs"], key="train_epochs")
    row[1].selectbox(
        t("batch_size"), sorted({*BATCH_SIZES, *RECIPE_VALUES["batch_size"], state.train_batch_size}), key="train_batch_size"
    )
    row[2].select_slider(
        t("learning_rate"),
        sorted({*LEARNING_RATES, *RECIPE_VALUES["learning_rate"], state.train_learning_rate}),
        key="train_learning_rate",
    )
    row[3].selectbox(t("optimizer"), fconfig.OPTIMIZERS, key="train_optimizer")
    row = st.columns(4)
    row[0].selectbox(t("schedule"), fconfig.SCHEDULES, format_func=lambda s: t(f"schedule_choice_{s}"),
                     key="train_schedule", help=t("schedule_help", warmup=round(fconfig.WARMUP_FRACTION * 100)))  # fmt: skip
    row[1].slider(t("validation_split"), *BOUNDS["validation_split"], step=0.05, key="train_validation_split")
    row[2].number_input(t("subset"), *BOUNDS["limit"], step=1000, key="train_limit")
    row[3].number_input(t("seed"), *BOUNDS["seed"], key="train_seed")
    row = st.columns(3)
    row[0].checkbox(t("augment"), key="train_augment", help=t("augment_help"))
    row[1].number_input(t("early_stopping"), 0, fconfig.MAX_PATIENCE, key="train_early_stopping", help=t("early_stopping_help"))
    row[2].number_input(t("label_smoothing"), *BOUNDS["label_smoothing"], step=0.05, format="%.2f",
                        key="train_label_smoothing", help=t("label_smoothing_help"))  # fmt: skip
    if state.train_augment:
        augmentation_ui()
    config, problem = current_config()  # Again: the widgets above may have changed since the network's check.
    if problem and not busy:
        st.error(problem, icon=":material/error:")
    if config is not None:
        share(config)
        st.caption(t("share_settings"))
    start, repeat = st.columns([1, 3], vertical_alignment="center")
    seeds = ", ".join(map(str, groups.repeat_seeds(int(state.train_seed))))
    repeat.checkbox(t("repeat_seeds"), key="train_repeat_seeds", help=t("repeat_seeds_help", seeds=seeds))
    if not start.button(t("start"), type="primary", disabled=busy or config is None):
        return None
    return config


def describe_network(config: fconfig.TrainConfig) -> str:
    """One line about a run's network and extras, under the line of its training settings."""
    s = fconfig.architecture_settings(config.model, config.architecture())
    widths = ", ".join(str(w) for w in s.get("hidden_units") or s.get("filters"))
    layers = t(f"layers_{config.model}", widths=widths, dense=s.get("dense_units"))
    text = t("run_network", layers=layers, dropout=f"{s['dropout']:g}", schedule=t(f"schedule_{config.schedule}"),
             parameters=fconfig.parameter_count(config.model, s))  # fmt: skip
    if s.get("batch_norm"):
        text += t("run_batch_norm") + (t("run_norm_after_pool") if s.get("norm_after_pool") else "")
    if config.augment:
        text += t("run_augmented")
    if config.early_stopping:
        text += t("run_early_stopping", patience=config.early_stopping)
    if config.label_smoothing:
        text += t("run_label_smoothing", smoothing=f"{config.label_smoothing:g}")
    return text
