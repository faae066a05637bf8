"""python -m fmnist: the command line of fmnist.cli."""

import gc
import sys

from fmnist.cli import main

status = main()
# A command that imported TensorFlow leaves a great many objects behind; the garbage collections the interpreter
# runs while it shuts down would walk them all and delay the exit (`python -m fmnist bench` counts it in every
# whole-process time). Frozen objects are left out of every later collection; the memory goes back with the process.
gc.freeze()
sys.exit(status)
