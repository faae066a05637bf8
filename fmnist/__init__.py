"""Fashion-MNIST Studio's core: data, preprocessing, models, training, evaluation, registry, plots.

Importing the package imports nothing heavy; TensorFlow loads only when a
model is built, trained, loaded or run.
"""
