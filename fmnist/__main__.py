"""python -m fmnist: see fmnist/cli.py."""

import sys

from fmnist.cli import main

sys.exit(main())
