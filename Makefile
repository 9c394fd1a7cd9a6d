# geo_service: two commands on a fresh Debian machine (as root, or with sudo for apt).
#   make demo   install what is missing, start the embedded PostGIS, load, score, render, serve
#   make test   the same set-up, then lint, type checks and the whole test suite
# Every install step is idempotent and quiet when everything is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
UV        := $(VENV)/bin/uv
GEO       := $(VENV)/bin/geo-service
STAMP     := $(VENV)/.installed
# QGIS headless (PyQGIS 3.22) for the GIS-client tests, without its desktop recommends
APT_LEAN  := python3-qgis qgis-providers
APT_PKGS  := postgresql-15 postgresql-15-postgis-3 chromium gdal-bin $(APT_LEAN)
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Another apt-get or dpkg running (an unattended upgrade) holds dpkg's lock: wait for it (up to
# 10 minutes) instead of failing at once.
APT_GET   := $(SUDO) apt-get -o DPkg::Lock::Timeout=600
PYTEST_ARGS ?=

.PHONY: help demo test deps apt venv npm dist docs docs-serve db lint typecheck pytest bench screenshots clean-db

help:
	@echo "make demo   - install, start PostGIS, load sample data, score, render maps, serve the API"
	@echo "              on http://127.0.0.1:$${GEO_SERVICE_PORT:-8000} (another port: GEO_SERVICE_PORT=8010 make demo)"
	@echo "make test   - install, start PostGIS, then ruff, mypy and the whole pytest suite"
	@echo "make notebooks - JupyterLab with the analyst notebooks on the embedded PostGIS (sample data scored)"
	@echo "              on port $${JUPYTER_PORT:-8888} (another: JUPYTER_PORT=8890 make notebooks)"
	@echo "make bench  - the performance report beside its peers (tipg, pandana) into bench.json"
	@echo "make docs   - build the documentation site (site/, --strict); make docs-serve serves it"
	@echo "make dist   - build the sdist and the wheel (with the web assets) into dist/"
	@echo "make messages - add new texts to the message catalogues (geo_service/locale), then translate them"

deps: apt venv npm

# Debian packages: apt-get update only when something is missing.
apt:
	@missing=""; lean=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" && continue; \
	  case " $(APT_LEAN) " in *" $$p "*) lean="$$lean $$p";; *) missing="$$missing $$p";; esac; \
	done; \
	if [ -n "$$missing$$lean" ]; then \
	  echo "installing Debian packages:$$missing$$lean"; \
	  $(APT_GET) update -qq >/dev/null; \
	  { [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq $$missing; } >/tmp/geo_service-apt.log 2>&1 \
	    || { tail -20 /tmp/geo_service-apt.log; exit 1; }; \
	  { [ -z "$$lean" ] || DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq --no-install-recommends $$lean; } >>/tmp/geo_service-apt.log 2>&1 \
	    || { tail -20 /tmp/geo_service-apt.log; exit 1; }; \
	fi

venv: $(STAMP)

# Python packages from PyPI, pinned by constraints.txt, installed by uv (itself from PyPI, into
# the venv): seconds where pip took one to two minutes on 2 cores. $(1) lists the extras
# (space-separated: "dev notebooks" installs .[dev,notebooks]); the install is checked
# afterwards (every requirement of each extra present), so a stamp is only written over a
# complete install. Bytecode is compiled at install: a command's imports then cost no compile,
# also where PYTHONDONTWRITEBYTECODE keeps Python from caching it.
comma := ,
empty :=
space := $(empty) $(empty)
define pip_install
$(UV) pip install -q --compile-bytecode --python $(PY) -c constraints.txt \
  -e ".[$(subst $(space),$(comma),$(strip $(1)))]" >/tmp/geo_service-pip.log 2>&1 \
  || { tail -20 /tmp/geo_service-pip.log; exit 1; }
$(PY) tools/extras_installed.py $(1)
$(PY) -m compileall -q -j 0 geo_service >/dev/null
endef

# The venv is rebuilt only when pyproject.toml or the constraints change.
$(STAMP): pyproject.toml constraints.txt
	@echo "installing Python packages into $(VENV) (pinned by constraints.txt)"
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt uv >/tmp/geo_service-pip.log 2>&1 \
	  || { tail -20 /tmp/geo_service-pip.log; exit 1; }
	@$(call pip_install,dev)
	@touch $(STAMP)

# Web assets from the npm registry, pinned by the lock: the maps' Leaflet, Bootstrap, Font Awesome
# and plugins, and Swagger UI for /docs. Install scripts are not run (none is needed). The files
# served (and the licences) are then copied into the package (geo_service/npm), where the
# service reads them, as the wheel's build hook (hatch_build.py) does.
WEB_STAMP := node_modules/.copied-into-package
npm: $(WEB_STAMP)

$(WEB_STAMP): node_modules/.installed geo_service/webassets.py $(STAMP)
	@$(PY) -m geo_service.webassets node_modules >/dev/null
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(APT_GET) update -qq >/dev/null; \
	  DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -qq nodejs npm >/dev/null; }
	@echo "installing web assets (maps, API docs) from the npm registry (package-lock.json)"
	@npm ci --silent --no-audit --no-fund --ignore-scripts >/tmp/geo_service-npm.log 2>&1 || { tail -20 /tmp/geo_service-npm.log; exit 1; }
	@touch $@

# The third-party ogctests suite (OGC API – Features core and filtering) in a venv of its own:
# it pins old httpx and pytest. Rebuilt only when its pinned list changes.
OGCTESTS_VENV  := .venv-ogctests
OGCTESTS_REQS  := tests/api/ogc/ogctests-requirements.txt
OGCTESTS_STAMP := $(OGCTESTS_VENV)/.installed
.PHONY: ogctests
ogctests: $(OGCTESTS_STAMP)

$(OGCTESTS_STAMP): $(OGCTESTS_REQS) $(STAMP)
	@echo "installing the ogctests suite into $(OGCTESTS_VENV) (pinned by $(OGCTESTS_REQS))"
	@[ -x $(OGCTESTS_VENV)/bin/python ] || python3 -m venv $(OGCTESTS_VENV)
	@$(UV) pip install -q --python $(OGCTESTS_VENV)/bin/python -r $(OGCTESTS_REQS) >/tmp/geo_service-pip.log 2>&1 \
	  || { tail -20 /tmp/geo_service-pip.log; exit 1; }
	@touch $@

# sdist and wheel in dist/ (the wheel carries the web assets: it works after `pip install`)
dist: npm
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m build --installer uv --outdir dist . >/tmp/geo_service-build.log 2>&1 \
	  || { tail -20 /tmp/geo_service-build.log; exit 1; }
	@ls -l dist/

db: deps
	@$(GEO) db start >/dev/null
	@$(GEO) db migrate >/dev/null

lint: venv
	@$(VENV)/bin/ruff check --quiet .
	@$(VENV)/bin/ruff format --check --quiet .

typecheck: venv
	@$(VENV)/bin/mypy --no-error-summary geo_service

# Modules run in parallel (pytest-xdist, one worker per core, at most 4), each module whole on
# one worker; tests/conftest.py starts the cluster and makes the templates once per run.
pytest: db ogctests
	@$(VENV)/bin/pytest -n auto --maxprocesses 4 --dist loadscope $(PYTEST_ARGS)

# mypy (half a minute on one core) and the documentation's strict build run beside the suite's
# start, which mostly waits on PostgreSQL.
test: deps lint
	@$(MAKE) --no-print-directory -j2 typecheck docs pytest

# The documentation site (MkDocs, Material theme) into site/, --strict: a broken link, a page
# missing from the nav or a failing reference generator (docs/hooks/reference.py) fails it.
DOCS_PORT ?= 8010
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs
docs: npm
	@$(MKDOCS) build --strict --quiet
	@echo "documentation built in site/ (open site/index.html, or serve it: make docs-serve)"

docs-serve: npm
	@$(MKDOCS) serve --strict -a 127.0.0.1:$(DOCS_PORT)

demo: db
	@$(GEO) demo

# The bench's peers (tipg, pandana: the [bench] extra) are installed on first use.
BENCH_STAMP := $(VENV)/.bench-installed
bench: db $(BENCH_STAMP)
	@$(GEO) bench --out bench.json

$(BENCH_STAMP): $(STAMP)
	@echo "installing the bench's peers (tipg, pandana) into $(VENV) (pinned by constraints.txt)"
	@$(call pip_install,dev bench)
	@touch $@

# Screenshots of every map at 1280x800 into docs/img/ (headless Chromium).
screenshots: db
	@$(PY) -m geo_service.maps.screenshots docs/img

clean-db:
	-@$(GEO) db stop

# JupyterLab on the embedded PostGIS (or DATABASE_URL) with the sample loaded and scored; the
# analyst notebooks are in notebooks/. The [notebooks] extra is installed on first use.
NB_STAMP  := $(VENV)/.notebooks-installed
NB_ROOT   := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
.PHONY: notebooks
notebooks: db $(NB_STAMP)
	@$(GEO) load-sample >/dev/null
	@$(GEO) score >/dev/null
	@$(GEO) waiting-list load-sample >/dev/null
	@DATABASE_URL="$${DATABASE_URL:-$$($(GEO) db url | tail -1)}" \
	  $(VENV)/bin/jupyter lab --no-browser --ip 127.0.0.1 --port "$${JUPYTER_PORT:-8888}" --notebook-dir notebooks $(NB_ROOT)

$(NB_STAMP): $(STAMP)
	@echo "installing JupyterLab into $(VENV) (pinned by constraints.txt)"
	@$(call pip_install,dev notebooks)
	@touch $@

# The message catalogue (geo_service/i18n): append new messages to every .po, check, prune.
.PHONY: messages messages-check messages-prune
messages: venv
	@$(PY) -m geo_service.i18n.check --add

messages-check: venv
	@$(PY) -m geo_service.i18n.check

messages-prune: venv
	@$(PY) -m geo_service.i18n.check --prune
