# Two commands on a fresh Debian/Ubuntu machine with Python 3.9+:
#   make demo   sets up .venv with what the demos need and trains the MNIST demo
#   make test   sets up .venv with the dev tools too and runs the test suite
#               (then its engine tests a second time in reference mode,
#               AUTOGRAD_LITE_REFERENCE=1)
# Also: make bench (prints the benchmark table), make bench-results (also
# rewrites benchmarks/results.md and the performance sections of the README
# and docs/performance.md), make
# test-pythons (the suite on the oldest and newest supported Pythons, each in
# its own .venv-3.X).
# Each installs what it needs: the pip packages into .venv, and Debian's
# graphviz (the `dot` binary) and python3-venv, and for the tests chromium and
# chromium-driver, when missing and run as root.

PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# One stamp per extra installed, named by pyproject.toml's checksum: an edit
# to it installs again. dev includes demos, so installing dev stamps both.
SUM        = $(shell cksum < pyproject.toml | cut -d' ' -f1)
DEMO_STAMP = $(VENV)/.installed-demos-$(SUM)
DEV_STAMP  = $(VENV)/.installed-dev-$(SUM)

.PHONY: demo test bench bench-results test-pythons setup demo-setup system-deps browser-deps \
        clean

demo: demo-setup
	$(PY) demos/mnist.py

# The engine, transform, nn and property tests again on the core alone, without
# the accelerator (autograd_lite/accelerator.py): the two must agree, bit for bit.
REFERENCE_TESTS = tests/engine/test_engine.py tests/transforms/test_functional.py \
                  tests/engine/test_properties.py tests/transforms/test_higher_order.py \
                  tests/pictures/test_explain.py tests/compat/test_lecture.py \
                  tests/compat/test_micrograd_compat.py tests/engine/test_reference_mode.py \
                  tests/engine/test_first_hour_edges.py \
                  $(wildcard tests/nn/test_nn_*.py)

test: setup
	$(PY) -m ruff check .
	$(PY) -m mypy autograd_lite nn
	$(PY) -m pytest -q -n auto
	AUTOGRAD_LITE_REFERENCE=1 $(PY) -m pytest -q -n auto $(REFERENCE_TESTS)

bench: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py

bench-results: setup
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) benchmarks/run.py --write --readme

# The suite on the oldest and newest Pythons the package supports, each in its
# own venv with the dev extra (torch is not installed: its tests skip). The
# interpreter of version X.Y is $(PYTHON_X_Y) when set (PYTHON_3_9=/path/to/
# python3.9), else pyenv's newest X.Y.*; OTHER_PYTHONS lists the versions.
PYENV_ROOT    ?= $(HOME)/.pyenv
OTHER_PYTHONS ?= 3.9 3.13
python_for     = $(or $(PYTHON_$(subst .,_,$(1))),$(lastword $(sort $(wildcard \
                 $(PYENV_ROOT)/versions/$(1).*/bin/python))))

# matplotlib 3.9 (the last for Python 3.9) calls pyparsing names that pyparsing
# 3.3 deprecates: a warning per formula drawn, not ours to fix.
# (pytest's -W names modules exactly.)
OLD_MATPLOTLIB_QUIET = -W "ignore::DeprecationWarning:matplotlib._mathtext" \
                       -W "ignore::DeprecationWarning:matplotlib._fontconfig_pattern" \
                       -W "ignore::DeprecationWarning:pyparsing.util"

# On the other Pythons the suite leaves out what checks tools and numbers
# rather than the language version (make test runs them on the main Python):
# the benchmark harness, the docs' type checks and notebook, and the demos'
# training runs. That keeps CI within ten minutes on two cores.
OTHER_PYTHONS_SKIP = --ignore=tests/benchmarks --ignore=tests/docs \
                     --ignore=tests/demos/test_demos_training.py

test-pythons: system-deps browser-deps
	@for pair in $(foreach v,$(OTHER_PYTHONS),$(v)=$(call python_for,$(v))); do \
	  v=$${pair%%=*}; py=$${pair#*=}; \
	  [ -n "$$py" ] && [ -x "$$py" ] || { echo "test-pythons: no Python $$v found" \
	    "(install it with pyenv, or set PYTHON_$$(echo $$v | tr . _)=/path/to/python$$v)"; exit 1; }; \
	  venv=.venv-$$v; stamp=$$venv/.installed-$$(cksum < pyproject.toml | cut -d' ' -f1); \
	  if [ ! -f $$stamp ]; then \
	    echo "== Python $$v: setting up $$venv"; \
	    $$py -m venv $$venv && $$venv/bin/python -m pip install -q --upgrade pip \
	      && $$venv/bin/python -m pip install -q -e ".[dev]" \
	      && rm -f $$venv/.installed-* && touch $$stamp || exit 1; \
	  fi; \
	  echo "== Python $$v: $$($$venv/bin/python -V)"; \
	  $$venv/bin/python -m pytest -q -n auto $(OTHER_PYTHONS_SKIP) $(OLD_MATPLOTLIB_QUIET) \
	    || exit 1; \
	done

# setup: the package with the dev extra (tests, linters, the notebook's
# kernel); demo-setup: with the demos extra only.
setup: system-deps browser-deps $(DEV_STAMP)

demo-setup: system-deps $(DEMO_STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { \
	  echo "autograd-lite needs Python 3.9 or newer; $(PYTHON) is $$($(PYTHON) -V 2>&1)." \
	       "Run with PYTHON=python3.X make ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(DEMO_STAMP): | $(PY)
	$(PY) -m pip install -q -e ".[demos]"
	@rm -f $(VENV)/.installed-demos-*
	@touch $@

$(DEV_STAMP): | $(PY)
	$(PY) -m pip install -q -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@ $(DEMO_STAMP)

# Debian packages: graphviz for `dot` (SVG rendering), python3-venv for venv;
# browser-deps: chromium and chromium-driver for the interactive page's
# browser tests, which make test needs and make demo does not (installed as
# root; without root they are optional: those tests skip).
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

browser-deps:
	@browser=""; \
	command -v chromium >/dev/null 2>&1 || browser="$$browser chromium"; \
	command -v chromedriver >/dev/null 2>&1 || browser="$$browser chromium-driver"; \
	if [ -n "$$browser" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian packages:$$browser"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$browser >/dev/null \
	      || { echo "apt-get install$$browser failed"; exit 1; }; \
	  else \
	    echo "Optional:$$browser not installed; the page's browser tests will skip."; \
	    echo "Install with:  sudo apt-get install$$browser"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .venv-3.* build *.egg-info
