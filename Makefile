# Two commands on a fresh Debian/Ubuntu machine with Python 3.9+:
#   make demo   sets up .venv and trains the MNIST demo
#   make test   sets up .venv and runs the test suite
# Each installs what it needs: the pip packages into .venv, and Debian's
# graphviz (the `dot` binary) and python3-venv when missing and run as root.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: demo test bench setup system-deps clean

demo: setup
	$(PY) demos/mnist.py

test: setup
	$(PY) -m ruff check .
	$(PY) -m mypy autograd_lite nn
	$(PY) -m pytest -q

bench: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

setup: system-deps $(STAMP)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { \
	  echo "autograd-lite needs Python 3.9 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)." \
	       "Run with PYTHON=python3.X make ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[demos,dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian packages: graphviz for `dot` (SVG rendering), python3-venv for venv.
system-deps:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	$(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1 || [ -x $(PY) ] || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
	      || { echo "apt-get install$$missing failed"; exit 1; }; \
	  else \
	    echo "Missing system packages:$$missing."; \
	    echo "Install them with:  sudo apt-get install$$missing   (macOS: brew install graphviz)"; \
	    exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info
