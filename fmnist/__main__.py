"""python -m fmnist: see fmnist/cli/."""

import gc
import sys

from fmnist.cli import main

status = main()
# A command that imported TensorFlow leaves some 400,000 objects behind; the garbage collections the interpreter
# runs while it shuts down walk them all, which takes about a second (`python -m fmnist bench` shows it in every
# whole-process time). Frozen objects are left out of every later collection; the memory goes back with the process.
gc.freeze()
sys.exit(status)
