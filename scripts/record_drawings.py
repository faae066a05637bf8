"""python -m scripts.record_drawings: draw the held-out drawings on the app's own canvas in Chromium and keep what it sends.

The strokes come from scripts.drawing_set. The canvas is assets/canvas/ (its HTML, CSS and JavaScript, the very
files the app serves), mounted in a bare page as Streamlit mounts it, with the pen width the app would pass; each
stroke is drawn with the mouse, and the value the canvas sends at the last pointer-up (the PNG data URL and the
strokes it recorded) is what is kept: tests/data/drawings/<name>.png and tests/data/drawings/drawings.json.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
from pathlib import Path

from scripts import drawing_set

ROOT = Path(__file__).resolve().parents[1]
CANVAS = ROOT / "assets" / "canvas"
OUT = ROOT / "tests" / "data" / "drawings"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PNG_PREFIX = "data:image/png;base64,"

# Streamlit calls the canvas's default export with {data, parentElement, setStateValue}; the page keeps the last value.
MOUNT = """(width) => {
  const root = document.querySelector('#root');
  window.mountCanvas({data: {width}, parentElement: root, setStateValue: (key, value) => { window.sent = value; }});
}"""


def page_html() -> str:
    return f"<style>{(CANVAS / 'canvas.css').read_text()}</style><div id='root'>{(CANVAS / 'canvas.html').read_text()}</div>"


def canvas_script() -> str:
    source = (CANVAS / "canvas.js").read_text()
    if "export default function" not in source:
        raise SystemExit("assets/canvas/canvas.js no longer has the default export this tool mounts")
    return source.replace("export default function", "window.mountCanvas = function", 1)


def record(page, strokes: list[list], steps_per_pixel: float = 0.25) -> dict:
    """Draw `strokes` ([width, x0, y0, ...] in canvas pixels) with the mouse on a fresh canvas; the value it sent."""
    page.set_content(page_html())
    page.add_script_tag(content=canvas_script())
    box = page.locator("canvas.upper-canvas").bounding_box()
    scale = box["width"] / 280
    for path in strokes:
        page.evaluate(MOUNT, path[0])
        points = list(zip(path[1::2], path[2::2]))
        page.mouse.move(box["x"] + points[0][0] * scale, box["y"] + points[0][1] * scale)
        page.mouse.down()
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            steps = max(1, round(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 * steps_per_pixel))
            page.mouse.move(box["x"] + x1 * scale, box["y"] + y1 * scale, steps=steps)
        page.mouse.up()
    page.wait_for_function("(n) => window.sent && window.sent.strokes === n", arg=len(strokes), timeout=10_000)
    return page.evaluate("() => window.sent")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.record_drawings", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs and drawings.json (default: {OUT})")
    parser.add_argument("--only", type=int, help="record only the first N drawings (a smoke run)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chosen = drawing_set.drawings()[: args.only]
    args.out.mkdir(parents=True, exist_ok=True)
    index = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 400, "height": 400}, device_scale_factor=1)
            for each in chosen:
                sent = record(page, each["strokes"])
                if not sent["png"].startswith(PNG_PREFIX):
                    raise SystemExit(f"{each['name']}: the canvas sent no PNG")
                (args.out / f"{each['name']}.png").write_bytes(base64.b64decode(sent["png"][len(PNG_PREFIX) :]))
                index.append({**{k: each[k] for k in ("name", "label", "class_name", "style")}, "paths": sent["paths"]})
                print(f"{each['name']}: {sent['strokes']} strokes", flush=True)
        finally:
            browser.close()
    (args.out / "drawings.json").write_text(json.dumps(index, separators=(",", ":")) + "\n")
    print(f"{len(index)} drawings in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
