"""Measurements against a real `streamlit run` server in Chromium, run from the repository's root:

    python -m scripts.stroke_latency    stroke on the canvas -> updated prediction (also --first, --training)
    python -m scripts.class_load        a class at once: drawers and a training on one server
    python -m scripts.server_memory     the server's memory over many predictions and trainings
    python -m scripts.train_page_load   what a watching Train page costs while its run trains
    python -m scripts.measure_runs      memory over many trainings, latency while a run trains, reload to charts

Their shared code is scripts/stroke_support.py; the server, Chromium and the helpers that act on pages are the
browser tests' (tests/e2e/server_support.py, tests/e2e/e2e_support.py).
In-process measurements are `python -m fmnist bench NAME` (fmnist/bench/).
"""
