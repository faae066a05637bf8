"""python -m fmnist bench drawings: how many held-out canvas drawings a model recognises, per class and per style.

The drawings (tests/data/drawings/: a PNG each, as the canvas sent it, and drawings.json with each one's class,
style and strokes; `python -m scripts.record_drawings` made them on the app's canvas) go through the same path
as a drawing on Predict: `drawing.decode_png`, then `preprocess.from_canvas`. Prints the right/wrong count per
class and per style and every confusion, then one JSON line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist.settings import PROJECT_DIR

NAME = "drawings"
HELP = "held-out canvas drawings recognised, per class and style, and the confusions"
FOLDER = PROJECT_DIR / "tests" / "data" / "drawings"


@dataclass(frozen=True)
class Drawing:
    """One drawing of the set, as the canvas sent it."""

    name: str
    label: int
    style: str
    rgba: np.ndarray  # (280, 280, 4) uint8, what preprocess.from_canvas takes
    paths: list  # the strokes the canvas recorded, [width, x0, y0, ...]


def load_set(folder: Path = FOLDER) -> list[Drawing]:
    """The drawings of `folder`, each PNG decoded and checked as the canvas's value is."""
    import base64

    from fmnist.data import drawing

    index = json.loads((Path(folder) / "drawings.json").read_text(encoding="utf-8"))
    out = []
    for entry in index:
        png = (Path(folder) / f"{entry['name']}.png").read_bytes()
        value = {"png": drawing.PNG_PREFIX + base64.b64encode(png).decode("ascii"), "strokes": len(entry["paths"]),
                 "paths": entry["paths"]}  # fmt: skip
        decoded = drawing.decode(value)
        out.append(Drawing(entry["name"], int(entry["label"]), entry["style"], decoded.rgba, decoded.paths))
    return out


def model_inputs(drawings: list[Drawing]) -> np.ndarray:
    """The (n, 28, 28) pictures the model sees, made as Predict makes them from the canvas."""
    from fmnist.data import preprocess

    return np.stack([preprocess.from_canvas(each.rgba) for each in drawings])


def score(predictor, drawings: list[Drawing]) -> dict:
    """Right/wrong per class and per style, and each miss (name, true class, predicted class, its probability)."""
    from fmnist.data.fashion_mnist import CLASS_NAMES

    probabilities = predictor(model_inputs(drawings))
    predicted = probabilities.argmax(1)
    labels = np.array([each.label for each in drawings])
    right = predicted == labels
    per_class = {CLASS_NAMES[c]: [int(right[labels == c].sum()), int((labels == c).sum())] for c in range(10)}
    styles = sorted({each.style for each in drawings})
    per_style = {s: [int(sum(r for r, d in zip(right, drawings) if d.style == s)), sum(d.style == s for d in drawings)]
                 for s in styles}  # fmt: skip
    misses = [{"name": d.name, "true": CLASS_NAMES[d.label], "predicted": CLASS_NAMES[p], "probability": round(float(q[p]), 3)}
              for d, p, q, r in zip(drawings, predicted, probabilities, right) if not r]  # fmt: skip
    return {"right": int(right.sum()), "total": len(drawings), "accuracy": round(float(right.mean()), 4),
            "per_class": per_class, "per_style": per_style, "misses": misses}  # fmt: skip


def add_arguments(parser) -> None:
    parser.add_argument("--model", action="append", help="registry name or path to a .weights.npz / .json file; "
                        "give it again to score several (default: the shipped model)")  # fmt: skip
    parser.add_argument("--folder", type=Path, default=FOLDER, help=f"the set of drawings (default: {FOLDER})")


def run(args, fail) -> int:
    """Score each model on the set; `fail(message)` reports a model or folder that cannot be read."""
    from fmnist import registry
    from fmnist.cli.models import load_model_arg
    from fmnist.model.predict import Predictor

    try:
        drawings = load_set(args.folder)
    except (OSError, ValueError, KeyError) as error:
        return fail(f"cannot read the drawings in {args.folder}: {error}")
    results = {}
    for name in args.model or [registry.DEFAULT_NAME]:
        try:
            predictor = Predictor(load_model_arg(name))
        except registry.RegistryError as error:
            return fail(str(error))
        result = results[name] = score(predictor, drawings)
        print(f"model {name}: {result['right']}/{result['total']} drawings right ({result['accuracy']:.1%})")
        print("  per class: " + ", ".join(f"{c} {r}/{n}" for c, (r, n) in result["per_class"].items()))
        print("  per style: " + ", ".join(f"{s} {r}/{n}" for s, (r, n) in result["per_style"].items()))
        for miss in result["misses"]:
            print(f"  {miss['name']}: {miss['true']} taken for {miss['predicted']} ({miss['probability']:.2f})")
    print(json.dumps({"drawings": len(drawings), "models": results}), flush=True)
    return 0
