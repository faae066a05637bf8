"""Screenshots of Predict's Camera input after a photo, in English and Chinese.

Run: `.venv/bin/python assets/screenshots/make_camera.py`. Pictures go to assets/screenshots/camera_<lang>.png.
Chromium's fake camera films an example garment (assets/examples/trouser.png) on a light wall, and its fake
permission prompt allows the camera. It reuses make.py's server and helpers.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from make import CHROMIUM, CHROMIUM_ARGS, ROOT, WIDTH, free_port, settle, shoot, shrink, start_server  # noqa: E402

from tests.e2e.e2e_support import y4m_of_picture  # noqa: E402

WORDS = {"en": "Camera", "zh": "相机"}  # The input's label; Streamlit's own "Take Photo" button is in English.


def photograph(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}/predict")
    settle(page, timeout=300)
    if lang == "zh":
        page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
        settle(page, timeout=120)
    page.get_by_test_id("stMain").get_by_text(WORDS[lang], exact=True).click()
    settle(page, timeout=120)
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=\"stCameraInput\"] video'); return v && v.readyState >= 2; }",
        timeout=60_000,
    )
    page.get_by_test_id("stCameraInput").get_by_role("button", name="Take Photo").click()
    page.locator(".st-key-prediction").wait_for(timeout=300_000)
    settle(page, timeout=120)


def main() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "garment.y4m"
        video.write_bytes(y4m_of_picture(ROOT / "assets" / "examples" / "trouser.png"))
        fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
        fake.append(f"--use-file-for-fake-video-capture={video}")
        server = start_server(port, str(Path(folder) / "models"))
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + fake)
                for lang in WORDS:
                    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, permissions=["camera"])
                    page = context.new_page()
                    photograph(page, base, lang)
                    shoot(page, f"camera_{lang}")
                    shrink(HERE / f"camera_{lang}.png")
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
