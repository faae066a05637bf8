"""One fast path from images to class probabilities.

`model.predict` builds a data pipeline on every call, which costs far more
than the forward pass of a single picture. A `Predictor` traces the model's
forward pass once into a TensorFlow graph and calls that directly, so one
picture costs little more than its arithmetic and a batch runs in large chunks
(`python -m fmnist bench predict`, docs/benchmarks.md).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

_single_lock = threading.Lock()
_single_thread: ThreadPoolExecutor | None = None


def single_image_thread() -> ThreadPoolExecutor:
    """The one long-lived thread that runs every single-image forward pass of this process.

    TensorFlow sets up state of its own for each thread on that thread's first operation, and after a
    `keras.backend.clear_session()` (which Streamlit calls at the end of every script run) that set-up is paid
    again by every fresh thread; Streamlit runs every script run in a fresh thread. A thread that lives on pays it
    once, so a prediction after a clear_session stays quick (`python -m fmnist bench predict`).
    """
    global _single_thread
    with _single_lock:
        if _single_thread is None:
            _single_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fmnist-predict")
        return _single_thread


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 for stable probabilities that sum to 1."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def as_batch(images: np.ndarray) -> np.ndarray:
    """uint8 0..255 or float 0..1 images of shape (28, 28) or (N, 28, 28) -> float32 (N, 28, 28) in [0, 1]."""
    x = np.asarray(images)
    if x.ndim == 2:
        x = x[None]
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"Expected images of shape (28, 28) or (N, 28, 28), got {x.shape}.")
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    return np.ascontiguousarray(x, dtype=np.float32)


class Predictor:
    """Wraps a Keras model that outputs 10 logits; call it with images to get probabilities.

    A long-lived server also calls `compile_one()`: Streamlit calls `keras.backend.clear_session()` after every
    script run, which empties TensorFlow's kernel cache, and a plain traced function then rebuilds its kernels on
    the next call, many times slower than the call itself; an XLA-compiled one keeps its executable.
    """

    def __init__(self, model, chunk_size: int = 1024):
        import tensorflow as tf  # Imported lazily: TensorFlow is slow to start.

        self.model = model
        self.chunk_size = chunk_size
        self._forward = tf.function(
            lambda x: model(x, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28], tf.float32)],
            reduce_retracing=True,
        )
        self._forward_one = None  # The XLA-compiled pass of one image, once compile_one has made it.

    def compile_one(self) -> bool:
        """Compile the forward pass of a single image with XLA (once, a fraction of a second), which predict_one then uses;
        False, and predict_one keeps the plain traced function, if XLA cannot compile the model."""
        import tensorflow as tf

        forward = tf.function(
            lambda x: self.model(x, training=False),
            input_signature=[tf.TensorSpec([1, 28, 28], tf.float32)],
            jit_compile=True,
        )
        try:
            forward(np.zeros((1, 28, 28), np.float32))
        except tf.errors.OpError:
            return False
        self._forward_one = forward  # One assignment: a predict_one in another thread sees the old or the new.
        return True

    def logits(self, images: np.ndarray) -> np.ndarray:
        """Raw model outputs, float32 (N, 10)."""
        x = as_batch(images)
        parts = [self._forward(x[i : i + self.chunk_size]).numpy() for i in range(0, len(x), self.chunk_size)]
        return np.concatenate(parts) if parts else np.zeros((0, 10), np.float32)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities, float64 (N, 10), each row summing to 1."""
        return softmax(self.logits(images))

    def __call__(self, images: np.ndarray) -> np.ndarray:
        return self.probabilities(images)

    def predict_one(self, image: np.ndarray) -> np.ndarray:
        """Probabilities (10,) for a single (28, 28) image."""
        x = as_batch(image)
        forward = self._forward_one
        if forward is not None and len(x) == 1:
            return softmax(single_image_thread().submit(lambda: forward(x).numpy()).result())[0]
        return self.probabilities(x)[0]
