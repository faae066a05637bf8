"""Fashion-MNIST Studio with the default model warmed as the server starts: `streamlit run server.py`.

`streamlit run app.py` serves the same app, but can only start the warm-up when the first visitor opens a
page (Streamlit runs app.py per visit). Here Streamlit's own `st.App` serves app.py and its lifespan hook
starts the warm-up before anyone connects, so even the first drawing is predicted at once.
"""

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def lifespan(_app):
    from pages.resources import start_warm_up

    start_warm_up()
    yield


app = st.App("app.py", lifespan=lifespan)
