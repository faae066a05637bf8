"""`python -m fmnist.tutorial`: the tutorial's own recipe (kept under this name; the code is fmnist.bench.tutorial)."""

from fmnist.bench.tutorial import main

if __name__ == "__main__":
    main()
