# presence: developer and CI entry points (GNU make).
#
#   make setup   Debian packages, .venv, Python packages (fast when nothing changed)
#   make run     start the assistant
#   make test    run the tests (PYTEST_ARGS="-k foo -x" passes options to pytest) on virtual devices if needed
#   make bench   run the latency benchmarks
#   make lint    ruff, then mypy (the packages [tool.mypy] in pyproject.toml names)
#   make clean   remove caches and build output (make distclean also removes .venv)
#
# Variables: PYTHON (interpreter for the venv, >= 3.11), SKIP_APT=1 (do not check Debian
# packages), NO_TESTS_OK=1 (pytest's "no tests collected" counts as success), PYTEST_ARGS,
# ARGS (passed to `presence run` / `presence bench`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

# llama-cpp-python ships only as source and compiles for ~7 min on 2 cores; pip keeps the
# built wheel in its cache (~/.cache/pip), so later installs take seconds. Never pass
# --no-cache-dir. GGML_NATIVE=OFF builds for any x86-64, not just this CPU.
LLAMA_CPP_SPEC ?= llama-cpp-python==0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
NPROC := $(shell nproc 2>/dev/null || echo 2)

# pip on these machines lists local indexes that lack most packages; drop that warning only
# (pipefail keeps pip's own exit status).
PIP_QUIET := 2>&1 | { grep --line-buffered -v -E "^WARNING: Location 'file:///opt/pypi(-more)?/[^']*' is ignored" || true; }

PYTEST_ARGS ?=
ARGS ?=
NO_TESTS_OK ?=
SKIP_APT ?=

.PHONY: help setup apt-deps run test bench lint clean distclean

help:
	@sed -n 's/^#   make /  make /p' $(firstword $(MAKEFILE_LIST))

setup: apt-deps $(STAMP)

apt-deps:
ifeq ($(SKIP_APT),)
	@bash packaging/linux/apt-deps.sh
endif

$(VENV)/pyvenv.cfg:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "make: $(PYTHON) is older than 3.11; run make PYTHON=python3.11 (or newer)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { \
		echo "make: venv creation failed; on Debian install python3-venv" >&2; rm -rf $(VENV); exit 1; }
	$(PIP) install --upgrade pip wheel $(PIP_QUIET)

# Order: the project's pinned dependencies first, so that llama-cpp-python's loose
# requirements (numpy, jinja2, ...) are already satisfied and nothing is reinstalled.
$(STAMP): $(VENV)/pyvenv.cfg pyproject.toml requirements-nodeps.txt Makefile
	$(PIP) install -e '.[dev,server,ocr-fallback]' $(PIP_QUIET)
ifneq ($(strip $(LLAMA_CPP_SPEC)),)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$(NPROC) \
		$(PIP) install '$(LLAMA_CPP_SPEC)' $(PIP_QUIET)
endif
	$(PIP) install --no-deps -r requirements-nodeps.txt $(PIP_QUIET)
	@touch $@

run: setup
	$(VENV)/bin/presence run $(ARGS)

# Without a reachable X display or PulseAudio server, virtual ones are started for the run and
# stopped after it (.ci/with-virtual-devices.sh); ones already running (.ci/run's) are used as they are.
test: setup
	@rc=0; bash .ci/with-virtual-devices.sh $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ] && [ -n "$(NO_TESTS_OK)" ]; then \
		echo "make: pytest collected no tests (exit 5); NO_TESTS_OK is set, so this passes"; rc=0; \
	fi; \
	exit $$rc

bench: setup
	$(VENV)/bin/presence bench $(ARGS)

# mypy checks the installed names (presence.*), which the editable install maps onto app/ and
# models/ with an import hook mypy cannot follow: build/typecheck/presence links them instead.
TYPECHECK_TREE := build/typecheck

lint:
	@test -x $(VENV)/bin/ruff || { echo "make: $(VENV)/bin/ruff missing; run make setup" >&2; exit 1; }
	@test -x $(VENV)/bin/mypy || { echo "make: $(VENV)/bin/mypy missing; run make setup" >&2; exit 1; }
	$(VENV)/bin/ruff check app models tests
	@rm -rf $(TYPECHECK_TREE) && mkdir -p $(TYPECHECK_TREE)/presence
	@for f in app/*; do ln -s "$(CURDIR)/$$f" $(TYPECHECK_TREE)/presence/; done
	@ln -s "$(CURDIR)/models" $(TYPECHECK_TREE)/presence/models
	$(VENV)/bin/mypy

clean:
	rm -rf build dist .pytest_cache .ruff_cache .mypy_cache *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# --- desktop integration and bundle (packaging/README.md) ------------------------------------
#   make install-desktop    menu entry + icons for this user ($XDG_DATA_HOME, default ~/.local/share)
#   make uninstall-desktop  remove them again
#   make package            PyInstaller one-folder bundle in dist/presence/ (~1-2 min on 2 cores)
#
# PRESENCE_EXEC: what the menu entry launches (default: this checkout's venv; for the bundle
# use PRESENCE_EXEC=$$PWD/dist/presence/presence). PYI_ARGS: extra options for pyinstaller.
PRESENCE_EXEC ?= $(abspath $(VENV))/bin/presence
PYINSTALLER_VERSION ?= 6.22.3
PYINSTALLER_HOOKS_VERSION ?= 2026.9
PYINSTALLER_STAMP := $(VENV)/.pyinstaller-$(PYINSTALLER_VERSION)-$(PYINSTALLER_HOOKS_VERSION)
PYI_ARGS ?=

.PHONY: install-desktop uninstall-desktop package

install-desktop:
	@$(PYTHON) app/desktop.py install --exec "$(PRESENCE_EXEC)"

uninstall-desktop:
	@$(PYTHON) app/desktop.py uninstall

$(PYINSTALLER_STAMP): | $(VENV)/pyvenv.cfg
	$(PIP) install 'pyinstaller==$(PYINSTALLER_VERSION)' \
		'pyinstaller-hooks-contrib==$(PYINSTALLER_HOOKS_VERSION)' $(PIP_QUIET)
	@rm -f $(VENV)/.pyinstaller-*
	@touch $@

package: setup $(PYINSTALLER_STAMP)
	@start=$$(date +%s); \
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		$(PYI_ARGS) packaging/presence.spec; \
	echo "package: dist/presence/ built in $$(( $$(date +%s) - start )) s," \
		"$$(du -sh dist/presence | cut -f1) ($$(find dist/presence -type f | wc -l) files)"
