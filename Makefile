# The course's commands. `make help` lists them.
# `make book` and `make test` each do all the set-up a fresh clone needs.

# The course's Python, exactly: requirements/*.txt pin and hash every
# package for this version alone (torch's one hash is its cp311 wheel's), so
# any other version, older or newer, stops with a message saying so.
PYTHON_VERSION := 3.11
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The extra index in the locks is unreachable on some machines; fail fast there.
PIP_INSTALL := $(BIN)/pip install --retries 0 --disable-pip-version-check
INSTALLED := $(VENV)/.installed
# What the chapters read besides their own cells: the helper package and
# the data it loads (the step benchmark).
HELPERS := $(wildcard book/mlpcourse/*.py book/mlpcourse/pages/*.py book/data/*)
CHAPTERS := book/scratch_mlp book/pytorch_mlp book/going_further
JUPYTER_CACHE := _build/.jupyter_cache
# Every package, pinned and hashed (README.md, "Requirements: pinned,
# locked, hashed"): the learner's packages, and on top of them what builds
# and tests the book.
LOCKS := requirements/build.txt requirements/learner.txt
UV := uv==0.13.9
TORCH_INDEX := https://download.pytorch.org/whl/cpu
SPHINX_AUTOBUILD := sphinx-autobuild==2025.8.25

.PHONY: help venv book test unit test-busy screenshots check-python check-chromium lint notebooks bench lab serve lock clean

help:
	@echo "make book       set up .venv, execute the chapters, build the HTML into _build/html"
	@echo "make test       set up, build the book, then lint, unit, nbval, build and page tests"
	@echo "make unit       the helper package's unit tests alone: seconds, no build needed"
	@echo "make test-busy  make test with one core kept busy: no test may depend on timing"
	@echo "make screenshots  save every page at every width, and A4 PDFs, to look at"
	@echo "make lint       ruff: style, and listings that fit the page's width"
	@echo "make notebooks  re-execute the chapters into their reference .ipynb files"
	@echo "make bench      time the builds, the chapters, the boundary and the training"
	@echo "make lab        open the chapters in JupyterLab"
	@echo "make serve      live preview: rebuild and reload on a change to a chapter or mlpcourse"
	@echo "make lock       resolve requirements/*.in again into the pinned, hashed requirements/*.txt"
	@echo "make check-python  stop unless the Python make uses is $(PYTHON_VERSION), the locks' one"
	@echo "make clean      remove _build (keeps .venv)"

venv: $(INSTALLED)

# Python $(PYTHON_VERSION) and no other: the one that makes .venv, or that made it.
# It runs before every install, and alone as `make check-python`.
GOAL = make $(or $(filter-out check-python,$(MAKECMDGOALS)),book)
CHECK_PYTHON = if test -x $(BIN)/python; then python=$(BIN)/python; \
	  fix="Remove .venv and make it again: rm -rf $(VENV) && $(GOAL)"; \
	else python="$(PYTHON)"; fix="Install python$(PYTHON_VERSION), or name one:"; \
	  fix="$$fix $(GOAL) PYTHON=/path/to/python$(PYTHON_VERSION)"; fi; \
	found=$$($$python -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null); \
	case "$$found" in $(PYTHON_VERSION).*) ;; *) \
	  echo "The course needs Python $(PYTHON_VERSION) exactly (requirements/*.txt are" \
	    "locked for $(PYTHON_VERSION) alone), but $${python:-python3} is" \
	    "$${found:+Python }$${found:-not found}. $$fix"; exit 1;; esac
check-python:
	@$(CHECK_PYTHON)

$(INSTALLED): requirements/build.txt
	@$(CHECK_PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements/build.txt
	touch $@

# The jupyter cache hashes code cells only, and Sphinx re-reads a chapter only
# when its own file changes. So a change to the helper package, its data (or
# the installed packages) clears both, and the chapters execute again.
_build/.helpers-stamp: $(HELPERS) $(INSTALLED)
	rm -rf $(JUPYTER_CACHE) _build/.doctrees
	mkdir -p _build
	touch $@

# Sphinx copies static files and re-renders pages only when a page's source
# changed, so an edit to the site's own CSS, script, templates, extension or
# configuration alone would never reach _build/html. Such an edit renders
# every page again; the executed notebooks still come from the cache.
SITE := $(wildcard book/_ext/*.py book/_static/* book/_templates/*) \
	_config.yml _toc.yml
_build/.site-stamp: $(SITE)
	rm -rf _build/html _build/.doctrees
	mkdir -p _build
	touch $@

book: $(INSTALLED) _build/.helpers-stamp _build/.site-stamp
	$(BIN)/jupyter-book build --warningiserror --nitpick --keep-going .
	@echo "The book is in _build/html/index.html"

# The page tests open the built site in Debian's Chromium.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

test: check-chromium book lint
	$(BIN)/python -m pytest

# The unit tests of the helper package: one file per module,
# tests/test_<module>.py, run on one core in a few seconds.
MODULES = $(notdir $(wildcard book/mlpcourse/*.py book/mlpcourse/pages/*.py))
UNIT_TESTS = $(wildcard $(patsubst %.py,tests/test_%.py,$(MODULES)))
unit: $(INSTALLED)
	$(BIN)/python -m pytest -o addopts="" -p no:nbval -q $(UNIT_TESTS)

# make test while another process keeps one core busy, as on a loaded CI
# machine: how a kernel splits a cell's printing, or how fast a page's script
# answers, must decide no test. After `make clean` the build runs loaded too.
test-busy:
	yes > /dev/null & busy=$$!; trap "kill $$busy" EXIT; \
	  $(MAKE) --no-print-directory test

# Screenshots of every page at every width, and the chapters' A4 PDFs, in
# _build/screenshots/: for a person to look at after a change to the site.
screenshots: check-chromium book
	SCREENSHOTS=1 $(BIN)/python -m pytest tests/test_devices.py tests/test_site.py

check-chromium:
	@test -x "$(CHROMIUM)" || { echo "make test needs Chromium at $(CHROMIUM)" \
	  "for the page tests: apt-get install -y chromium (or set CHROMIUM=/path)"; exit 1; }

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check book/mlpcourse book/_ext tests scripts

# The executed .ipynb beside each chapter is nbval's reference and Colab's copy.
notebooks: $(INSTALLED)
	$(BIN)/python scripts/refresh_notebooks.py $(addsuffix .md,$(CHAPTERS))

# Timings: cold and warm builds, chapter execution, boundary and training speed.
bench: $(INSTALLED)
	$(BIN)/python scripts/bench.py

lab: $(INSTALLED)
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) book/

# A live preview for authors, on http://127.0.0.1:8000: a change to a chapter
# or to the helper package rebuilds the book and reloads the page (before
# each build, the helpers stamp clears the cache if mlpcourse changed).
# sphinx-autobuild needs a conf.py: it is generated from _config.yml each
# time, ignored by git, and never edited; it does not add book/_ext (the
# local extension) to the path, so PYTHONPATH does.
serve: $(INSTALLED)
	$(BIN)/python -c "import sphinx_autobuild" 2>/dev/null || $(PIP_INSTALL) "$(SPHINX_AUTOBUILD)"
	$(BIN)/jupyter-book config sphinx . >/dev/null
	PYTHONPATH=book/_ext $(BIN)/sphinx-autobuild . _build/html -d _build/.doctrees \
	  --ignore ".venv/*" --ignore "_build/*" --ignore ".git/*" --ignore "conf.py" \
	  --pre-build "make --no-print-directory _build/.helpers-stamp"

# Resolve the top-level pins in requirements/*.in again, from PyPI, into
# locks with every package pinned and hashed, for Python $(PYTHON_VERSION) on Linux
# x86_64. The build is resolved first and the learner's lock within it, so
# a learner gets the very versions the book was built and tested with.
# torch's CPU wheel comes from PyTorch's CPU index, or from a folder of
# wheels where pip is configured with one (PIP_FIND_LINKS).
# Each lock starts with PyTorch's CPU index and a requirement that only
# another Python or system can see: there, pip stops at it at once, with a
# message naming Python $(PYTHON_VERSION), and never tries the hashes below.
GUARD_NAME = python-$(subst .,-,$(PYTHON_VERSION))-required
GUARD_NOTE = \# The next line stops pip, naming Python $(PYTHON_VERSION), on any other Python or system.
GUARD = $(GUARD_NAME) @ file:///This%20lock%20is%20for%20Python%20$(PYTHON_VERSION)%20on%20Linux%20x86_64%20only%20-%20see%20README.md/$(GUARD_NAME).tar.gz \
	; python_version != "$(PYTHON_VERSION)" or sys_platform != "linux" or platform_machine != "x86_64"
TORCH_WHEELS = $(if $(PIP_FIND_LINKS),--find-links $(PIP_FIND_LINKS),--extra-index-url $(TORCH_INDEX))
LOCK = cd requirements && ../$(BIN)/uv pip compile --quiet --generate-hashes \
	--python-version $(PYTHON_VERSION) --python-platform x86_64-manylinux_2_28 \
	--index-strategy unsafe-best-match --custom-compile-command "make lock" $(TORCH_WHEELS)
lock: $(INSTALLED)
	test -x $(BIN)/uv || $(PIP_INSTALL) "$(UV)"
	$(LOCK) build.in > build.txt
	$(LOCK) learner.in -c build.txt > learner.txt
	sed -i -e '1i --extra-index-url $(TORCH_INDEX)' -e '1i $(GUARD_NOTE)' -e '1i $(GUARD)' $(LOCKS)

clean:
	rm -rf _build conf.py
