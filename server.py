"""Fashion-MNIST Studio with the default model warmed as the server starts: `streamlit run server.py`.

`streamlit run app.py` serves the same app, but can only start the warm-up when the first visitor opens a
page (Streamlit runs app.py per visit). Here Streamlit's own `st.App` serves app.py and its lifespan hook
starts the warm-up before anyone connects, so even the first drawing is predicted at once.
"""

import os
from contextlib import asynccontextmanager

# TensorFlow's C++ start-up lines (CUDA probing on a machine without a GPU, CPU features, XLA) would follow the
# URL on the first screen; only its Python errors matter to the server. Set the variable to 0-2 to see them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import streamlit as st


@asynccontextmanager
async def lifespan(_app):
    from pages.resources import start_warm_up

    start_warm_up()
    yield


app = st.App("app.py", lifespan=lifespan)
