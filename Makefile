# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8501
# The app listens on this machine only; `make run ADDRESS=0.0.0.0` serves it to the network (see README).
ADDRESS ?= 127.0.0.1
DATASET := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

.PHONY: run test test-fast lint lock system-venv system-run system-test clean

run: $(VENV)/.runtime system-run
	$(PY) -m streamlit run server.py --server.address $(ADDRESS) --server.port $(PORT)

test: $(VENV)/.dev system-test lint
	$(PY) -m pytest $(PYTEST_ARGS)

# The quick loop while working: unit and page tests, without the browser tests and without any test that trains.
test-fast: $(VENV)/.dev system-run
	$(PY) -m pytest -m "not slow and not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Every package, direct or transitive, is installed at the version and with the hashes of the lock files.
$(VENV)/.runtime: requirements.lock | system-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

# Rewrites the lock files from requirements.txt and requirements-dev.txt (run after changing either).
lock:
	@test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet uv==0.13.9; }
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 --no-header --annotation-style line requirements.txt -o requirements.lock
	$(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 --no-header --annotation-style line requirements-dev.txt -o requirements-dev.lock

# Debian packages, installed only when missing (with root or password-less sudo; otherwise the exact
# apt-get line is printed): python3-venv before the virtual environment is made, the dataset (unless
# FMNIST_DATA_DIR points at it), a CJK font for the Chinese class names, and Chromium for the tests.
define apt_install
	missing=""; \
	for pkg in $(1); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$FMNIST_DATA_DIR" ]; then missing=$$(echo "$$missing" | sed 's/dataset-fashion-mnist//'); fi; \
	if [ -n "$$FMNIST_CHROMIUM" ]; then missing=$$(echo "$$missing" | sed 's/chromium//'); fi; \
	if [ -z "$$(echo $$missing)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "Missing Debian packages:$$missing"; \
	     echo "Install them with: sudo apt-get install$$missing"; \
	     echo "(or set FMNIST_DATA_DIR to a folder holding the four Fashion-MNIST .gz files)"; \
	     $(2); exit 0; fi; \
	echo "Installing Debian packages:$$missing"; \
	$$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing >/dev/null
endef

# A Python without a working venv module (Debian's python3 without python3-venv) needs the package.
system-venv:
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || ( $(call apt_install,python3-venv,exit 1) )

system-run:
	@$(call apt_install,dataset-fashion-mnist fonts-noto-cjk,[ -f $(DATASET) ] || [ -n "$$FMNIST_DATA_DIR" ] || exit 1)

system-test:
	@$(call apt_install,dataset-fashion-mnist fonts-noto-cjk chromium,[ -f $(DATASET) ] || [ -n "$$FMNIST_DATA_DIR" ] || exit 1)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
