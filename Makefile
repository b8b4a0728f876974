# gongkai: the two commands of the README.
#   make site   installs what is missing, checks data/ and builds the example site into site/
#               and the user guide into guide-site/
#   make test   installs what is missing and runs the test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3
# The Debian packages: one list, src/gongkai/system/packages.txt (gongkai doctor checks the same
# list); each data line starts with the package's name.
PACKAGE_LIST := src/gongkai/system/packages.txt
APT_PACKAGES := $(shell sed -n 's/^\([a-z0-9][^ |]*\) *|.*/\1/p' $(PACKAGE_LIST))
# mkdocs-material prints its end-of-life notice in every build; gongkai's position on it is in
# the user guide (建立部门网站: MkDocs、ProperDocs 与 Zensical).
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test setup system check bench dist apt-packages clean

site: setup
	$(VENV)/bin/gongkai check data
	$(VENV)/bin/mkdocs build --strict --quiet
	$(VENV)/bin/mkdocs build --strict --quiet -f mkdocs.guide.yml
	@echo "网站已生成到 site/，用户指南已生成到 guide-site/"

test: setup
	$(VENV)/bin/ruff check src tests bench hooks
	$(VENV)/bin/mypy
	$(PY) -m pytest -n auto -p no:cacheprovider

check: setup
	$(VENV)/bin/gongkai check data

bench: setup
	$(PY) bench/check_speed.py

# The wheel and the source archive a department installs gongkai from (pip install dist/gongkai-*.whl).
dist: setup
	$(PY) -m build --no-isolation --outdir dist .

setup: system $(STAMP)

apt-packages:
	@echo $(APT_PACKAGES)

# System packages through apt, only those missing (CJK and print fonts, HarfBuzz subsetting, Pango;
# poppler and chromium for the tests that read the PDFs and open the built site offline), without the
# packages they only recommend (texlive-lang-chinese would bring a TeX system's documentation).
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf site guide-site dist .pytest_cache
