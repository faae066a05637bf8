"""Convert models saved in the old format (`NAME.keras` + `NAME.json`) to weights + architecture settings.

    .venv/bin/python scripts/convert_keras_models.py models/*.keras

Only for files you trust (your own): the old `.keras` archive is read once with
Keras's `safe_mode`, after checking the sha256 its metadata records. The
architecture is rebuilt with `fmnist.models.build`, given the old weights, checked
to give the same outputs, and written as `NAME.weights.npz` + `NAME.json` with the
same metadata (the test accuracy stays true: the weights are the same numbers).
The old files are left in place; delete them once you are satisfied.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fmnist import atomic, registry
from fmnist.model import architectures


def convert(path: Path) -> Path:
    metadata = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    digest = atomic.file_sha256(path)
    if digest != metadata.get("sha256"):
        raise SystemExit(f"{path}: does not match the sha256 in its metadata; not converted.")
    import keras
    import numpy as np

    old = keras.saving.load_model(path, compile=False, safe_mode=True)
    model = architectures.build(metadata["architecture"])
    model.set_weights(old.get_weights())
    x = np.random.default_rng(0).random((64, 28, 28), dtype=np.float32)
    if not np.array_equal(model.predict(x, verbose=0), old.predict(x, verbose=0)):
        raise SystemExit(f"{path}: the rebuilt model does not give the same outputs; not converted.")
    record = {key: value for key, value in metadata.items() if key != "sha256"}
    record["converted_from"] = {"file": path.name, "sha256": digest}
    target = path.parent / f"{path.stem}{registry.WEIGHTS_SUFFIX}"
    registry.write_pair(model, target, record)
    return target


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for argument in sys.argv[1:]:
        print(f"{argument} -> {convert(Path(argument))}")
