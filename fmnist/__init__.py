"""Fashion-MNIST Studio's core: data, model, runs, registry, inside (a look into the model), export, charts, cli, bench.

Importing the package imports nothing heavy; TensorFlow loads only when a
model is built, trained, loaded or run.
"""

import logging

# A library's loggers stay silent until the program that uses it sets up logging (fmnist.logs.configure,
# which the app and the training child call); without this, Python would print stray warnings with
# their tracebacks to stderr of the command line, which promises one clear line per error.
logging.getLogger("fmnist").addHandler(logging.NullHandler())
