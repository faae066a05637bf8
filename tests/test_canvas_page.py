"""Page tests of Draw with AppTest: what the canvas sends is read by the Predict fragment, and a value it cannot
read is a message, after which the page keeps serving. (The canvas itself runs only in a browser: tests/e2e.)"""

import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from fmnist.data.drawing import MALFORMED
from fmnist.data.uploads import NOT_A_PICTURE
from fmnist.settings import PROJECT_DIR
from pages import i18n
from tests.page_support import texts
from tests.pictures import TROUSERS, canvas_value


def draw_fragment():
    """Predict's fragment with Draw chosen and the shipped model."""
    from fmnist import registry
    from pages.predict_views import input_and_prediction_ui

    input_and_prediction_ui("default", {info.name: info for info in registry.list_models()}, "Draw")


def test_a_drawing_is_predicted_and_a_malformed_value_is_a_message(model_dir):
    app = AppTest.from_function(draw_fragment, default_timeout=60)
    # The canvas's state as the browser would have sent it (AppTest has no browser to draw in).
    app.session_state["canvas"] = {"drawing": {"png": "data:image/png;base64,AAAA", "strokes": 1, "paths": [[20, 1, 1]]}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert MALFORMED in texts(app.error) and "Draw something" in texts(app.info)
    with pytest.raises(KeyError):  # No prediction box.
        app.get_by_key("prediction")
    app.session_state["canvas"] = {"drawing": canvas_value(TROUSERS)}
    app.run()
    assert not app.exception and not app.error
    assert "Trouser · 裤子" in texts(app.get_by_key("prediction").markdown)


def upload_fragment():
    """Predict's fragment with Upload chosen and the shipped model."""
    from fmnist import registry
    from pages.predict_views import input_and_prediction_ui

    input_and_prediction_ui("default", {info.name: info for info in registry.list_models()}, "Upload")


def test_a_refused_drawing_or_upload_is_said_in_the_pages_language(model_dir, tmp_path):
    app = AppTest.from_function(draw_fragment, default_timeout=60)
    app.session_state["language"] = "zh"
    app.session_state["canvas"] = {"drawing": {"png": "data:image/png;base64,AAAA", "strokes": 1, "paths": [[20, 1, 1]]}}
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert texts(app.error) == i18n.text("drawing_malformed", "zh")
    # An upload that is no picture (the example picture's path is where upload_ui reads a chosen example).
    page = tmp_path / "page.png"
    page.write_text("<html><body>not a picture</body></html>")
    app = AppTest.from_function(upload_fragment, default_timeout=60)
    app.session_state["language"] = "zh"
    app.session_state["upload_key"], app.session_state["example"] = 0, str(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert texts(app.error) == i18n.text("image_not_a_picture", "zh")
    app.session_state["language"] = "en"
    app.run()
    assert texts(app.error) == NOT_A_PICTURE


def camera_fragment():
    """Predict's fragment with Camera chosen and the shipped model."""
    from fmnist import registry
    from pages.predict_views import input_and_prediction_ui

    input_and_prediction_ui("default", {info.name: info for info in registry.list_models()}, "Camera")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_camera_choice_shows_the_camera_its_hint_and_what_to_do(model_dir, lang):
    app = AppTest.from_function(camera_fragment, default_timeout=60)
    app.session_state["language"] = lang
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert i18n.text("camera_hint", lang) in texts(app.caption)
    assert texts(app.info) == i18n.text("camera_something", lang)
    camera = app.get("camera_input")
    assert len(camera) == 1 and camera[0].proto.label == i18n.text("camera_label", lang)
    with pytest.raises(KeyError):  # No photo yet, so no prediction.
        app.get_by_key("prediction")


def photo_fragment():
    """What Camera does with a photo's bytes (the widget itself needs a browser: tests/e2e)."""
    import streamlit as st

    from pages.inputs import picture_input
    from pages.navigation import t

    chosen = picture_input("Camera", st.session_state.photo, caption=None)
    st.write(t("model_sees") if chosen.image is not None else "nothing")


def test_a_photo_goes_through_the_uploads_checks_and_a_bad_one_is_a_message(tmp_path):
    from pages.inputs import EXAMPLES

    app = AppTest.from_function(photo_fragment, default_timeout=60)
    app.session_state["language"] = "zh"
    app.session_state["photo"] = b"<html>not a picture</html>"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert texts(app.error) == i18n.text("image_not_a_picture", "zh")
    app.session_state["photo"] = EXAMPLES[0].read_bytes()
    app.run()
    assert not app.exception and not app.error
    assert i18n.text("model_sees", "zh") in texts(app.markdown)


def test_the_server_config_keeps_streamlits_message_cache_off():
    # Live drawing reruns the fragment about every 100 ms; with the cache on, a busy server referred a browser
    # to an element it had already dropped and the page stopped ("Cached ForwardMsg MISS"). Nothing the server
    # can send (server.maxMessageSize, at most 200 MB by default) is large enough to be cached.
    settings = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    most = settings.get("server", {}).get("maxMessageSize", 200) * 10**6
    assert settings["global"]["minCachedMessageSize"] > most
