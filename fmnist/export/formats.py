"""Take a model away: as a Keras file, a TFLite (LiteRT) flat buffer or a TensorFlow SavedModel.

`export(model, format, out)` writes one artifact; `to_bytes(model, format)` gives it as bytes for a
download button (a SavedModel is a folder, so its bytes are a zip of it). Every format takes the same
input as our models, (N, 28, 28) float32 images in [0, 1], and gives 10 logits; apply a softmax for
probabilities, as the tutorial's `probability_model` does.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from pathlib import Path

FORMATS = ("keras", "tflite", "savedmodel")
SUFFIXES = {"keras": ".keras", "tflite": ".tflite", "savedmodel": ".zip"}


class ExportError(Exception):
    """A model could not be exported; the message says why, for a person."""


def _inference_copy(model):
    """The model without its optimizer or compile settings: an export is for prediction."""
    import keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def export(model, format: str, out: Path) -> Path:
    """Write `model` to `out` in `format` ("keras", "tflite" or "savedmodel", a folder); return the path."""
    if format not in FORMATS:
        raise ExportError(f'Unknown export format "{format}"; choose one of: {", ".join(FORMATS)}.')
    out = Path(out)
    if format == "keras" and out.suffix != ".keras":
        raise ExportError(f"A Keras model file must end in .keras, not {out.name}.")
    if format == "savedmodel" and out.exists():
        raise ExportError(f"{out} already exists; a SavedModel is written into a new folder.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        model = _inference_copy(model)
        if format == "keras":
            model.save(out)
        elif format == "tflite":
            model.export(str(out), format="litert", verbose=False)
        else:
            model.export(str(out), format="tf_saved_model", verbose=False)
    except OSError as error:
        raise ExportError(f"{out} could not be written ({error.strerror or 'disk error'}).") from None
    return out


def to_bytes(model, format: str) -> bytes:
    """The exported artifact as bytes (a SavedModel folder as a zip), for a download."""
    with tempfile.TemporaryDirectory(prefix="fmnist-export-") as folder:
        target = Path(folder) / ("model" + (SUFFIXES[format] if format != "savedmodel" else ""))
        export(model, format, target)
        if format != "savedmodel":
            return target.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(target.rglob("*")):
                if path.is_file():
                    archive.write(path, Path("saved_model") / path.relative_to(target))
        return buffer.getvalue()


def tflite_logits(tflite_file: Path, images, batch_size: int = 1000):
    """Run a .tflite model with the LiteRT interpreter (as a phone would) on images (N, 28, 28) in [0, 1]; return logits."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(tflite_file))
    input_index = interpreter.get_input_details()[0]["index"]
    output_index = interpreter.get_output_details()[0]["index"]
    outputs = []
    images = np.asarray(images, dtype=np.float32)
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        interpreter.resize_tensor_input(input_index, batch.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(input_index, batch)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(output_index).copy())
    return np.concatenate(outputs)


def remove(path: Path) -> None:
    """Delete an exported file or SavedModel folder."""
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
