"""The held-out drawings, authored as a person draws each garment: an outline, then a style that colours it in or not.

Each garment is a closed outline (or a few pieces) in canvas pixels (280×280), facing as Fashion-MNIST's garments
do (shoes with the toe on the left, sleeves hanging beside the body). A style turns it into strokes:
"outline" (pen 12, the outline only), "filled" (the outline, then coloured in with back-and-forth strokes),
"thick" (pen 34 outline), "thin" (pen 5 outline), "off-centre" (filled, smaller, pushed towards a corner), and
"small" (outlined and coloured in, a third of the canvas, in the middle). Every drawing's points wobble a little
(a seeded hand tremor), so no two are the same. `python -m scripts.record_drawings` draws them on the real canvas.
"""

from __future__ import annotations

import random

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
STYLES = ("outline", "filled", "thick", "thin", "off-centre", "small")

# Per garment: a list of pieces; each is (closed, points). Closed pieces can be coloured in.
GARMENTS = {
    0: [
        (
            True,
            [
                (110, 40),
                (62, 58),
                (30, 110),
                (62, 124),
                (78, 100),
                (78, 242),
                (202, 242),
                (202, 100),
                (218, 124),
                (250, 110),
                (218, 58),
                (170, 40),
                (156, 56),
                (140, 60),
                (124, 56),
            ],
        )
    ],
    1: [(True, [(92, 28), (188, 28), (198, 252), (156, 252), (140, 96), (124, 252), (82, 252)])],
    2: [
        (
            True,
            [
                (110, 34),
                (68, 44),
                (48, 84),
                (34, 242),
                (64, 246),
                (80, 112),
                (80, 248),
                (200, 248),
                (200, 112),
                (216, 246),
                (246, 242),
                (232, 84),
                (212, 44),
                (170, 34),
                (140, 52),
            ],
        )
    ],
    3: [(True, [(116, 24), (164, 24), (170, 62), (158, 112), (214, 252), (66, 252), (122, 112), (110, 62)])],
    4: [
        (
            True,
            [
                (108, 24),
                (66, 34),
                (46, 72),
                (32, 256),
                (62, 258),
                (78, 110),
                (78, 258),
                (202, 258),
                (202, 110),
                (218, 258),
                (248, 256),
                (234, 72),
                (214, 34),
                (172, 24),
                (140, 78),
            ],
        ),
        (False, [(140, 78), (140, 256)]),
    ],
    5: [
        (True, [(28, 196), (120, 190), (200, 184), (252, 178), (254, 204), (28, 214)]),
        (False, [(52, 192), (92, 140), (132, 188)]),
        (False, [(110, 190), (150, 134), (190, 186)]),
        (False, [(196, 184), (214, 130), (246, 176)]),
    ],
    6: [
        (
            True,
            [
                (108, 30),
                (124, 52),
                (140, 40),
                (156, 52),
                (172, 30),
                (214, 44),
                (240, 232),
                (212, 236),
                (200, 112),
                (200, 252),
                (80, 252),
                (80, 112),
                (68, 236),
                (40, 232),
                (66, 44),
            ],
        ),
        (False, [(140, 44), (140, 250)]),
    ],
    7: [
        (True, [(26, 206), (30, 158), (84, 148), (144, 112), (178, 118), (204, 150), (252, 164), (256, 208)]),
        (False, [(110, 136), (126, 152)]),
        (False, [(132, 122), (148, 140)]),
    ],
    8: [
        (True, [(40, 112), (240, 112), (240, 250), (40, 250)]),
        (False, [(86, 112), (96, 70), (122, 48), (158, 48), (184, 70), (194, 112)]),
    ],
    9: [(True, [(150, 34), (226, 34), (234, 120), (256, 200), (254, 236), (34, 236), (36, 196), (90, 178), (136, 150)])],
}

# Five drawings per garment; the styles rotate so every style appears several times.
PLAN = (
    ("outline", "filled", "thick", "thin", "off-centre"),
    ("outline", "filled", "thick", "thin", "small"),
)


def wobble(points, rng: random.Random, amount: float = 4.0):
    return [(x + rng.uniform(-amount, amount), y + rng.uniform(-amount, amount)) for x, y in points]


def transform(points, scale: float, dx: float, dy: float):
    """Scale about the canvas's centre, then shift."""
    return [(140 + (x - 140) * scale + dx, 140 + (y - 140) * scale + dy) for x, y in points]


def colour_in(polygon, spacing: float):
    """Back-and-forth strokes that fill a polygon, one per run between its edges, as a person colours a shape in."""
    ys = [y for _, y in polygon]
    strokes = []
    y = min(ys) + spacing / 2
    while y < max(ys):
        crossings = []
        for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1]):
            if (y0 <= y < y1) or (y1 <= y < y0):
                crossings.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
        crossings.sort()
        for left, right in zip(crossings[::2], crossings[1::2]):
            if right - left > 2:
                strokes.append([(left, y), (right, y)])
        y += spacing
    return strokes


def strokes_for(label: int, style: str, seed: int) -> list[list]:
    """The strokes of one drawing, each [pen width, x0, y0, x1, y1, ...] in canvas pixels, as canvas.js records them."""
    rng = random.Random(seed)
    scale, dx, dy = 1.0, 0.0, 0.0
    if style == "off-centre":
        scale = 0.62
        dx, dy = rng.choice((-1, 1)) * 50, rng.choice((-1, 1)) * 48
    elif style == "small":
        scale = 0.36
    squash = rng.uniform(0.92, 1.06)
    pen = {"outline": 12, "filled": 14, "thick": 34, "thin": 5, "off-centre": 12, "small": 8}[style]
    strokes = []
    for closed, points in GARMENTS[label]:
        shape = [(140 + (x - 140) * squash, y) for x, y in points]
        shape = transform(wobble(shape, rng), scale, dx, dy)
        path = shape + shape[:1] if closed else shape
        strokes.append((pen, path))
        if closed and style in ("filled", "off-centre", "small"):
            spacing = pen * 0.9
            strokes += [(pen, wobble(line, rng, 1.5)) for line in colour_in(shape, spacing)]
    return [[width] + [round(min(278.0, max(2.0, v)), 1) for point in path for v in point] for width, path in strokes]


def drawings() -> list[dict]:
    """Every drawing of the set: name, label, class name, style, strokes."""
    out = []
    for label in range(10):
        for number, style in enumerate(PLAN[label % 2]):
            out.append({"name": f"{label}-{CLASS_NAMES[label].split('/')[0].lower().replace(' ', '-')}-{style}",
                        "label": label, "class_name": CLASS_NAMES[label], "style": style,
                        "strokes": strokes_for(label, style, seed=100 * label + number)})  # fmt: skip
    return out
