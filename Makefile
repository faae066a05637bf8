# Two commands do all set-up on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8501
DATASET := /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz

.PHONY: run test e2e system-run system-test clean

run: $(VENV)/.runtime system-run
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev system-test
	$(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian packages: the dataset (unless FMNIST_DATA_DIR points at it) and a CJK font for
# the Chinese class names; the tests also need Chromium. Installed only when missing.
define apt_install
	@missing=""; \
	for pkg in $(1); do dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "ok installed" || missing="$$missing $$pkg"; done; \
	if [ -n "$$FMNIST_DATA_DIR" ]; then missing=$$(echo "$$missing" | sed 's/dataset-fashion-mnist//'); fi; \
	if [ -z "$$(echo $$missing)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	elif command -v apt-get >/dev/null && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	else echo "Missing Debian packages:$$missing"; \
	     echo "Install them with: sudo apt-get install$$missing"; \
	     echo "(or set FMNIST_DATA_DIR to a folder holding the four Fashion-MNIST .gz files)"; \
	     [ -f $(DATASET) ] || [ -n "$$FMNIST_DATA_DIR" ] || exit 1; exit 0; fi; \
	echo "Installing Debian packages:$$missing"; \
	$$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing >/dev/null
endef

system-run:
	$(call apt_install,dataset-fashion-mnist fonts-noto-cjk)

system-test:
	$(call apt_install,dataset-fashion-mnist fonts-noto-cjk chromium)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
