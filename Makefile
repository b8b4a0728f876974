# gongkai: the two commands of the README.
#   make site   installs what is missing, checks data/ and builds the site into site/
#   make test   installs what is missing and runs the test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium
# The print fonts of the 公文 theme (content/guide/pdf.md): Fandol 仿宋/黑体/楷体/宋体 come with
# texlive-lang-chinese, AR PL KaitiM GB with fonts-arphic-gkai00mp. Installed without the packages
# they only recommend (a TeX system's documentation, other languages' fonts).
FONT_PACKAGES := texlive-lang-chinese fonts-arphic-gkai00mp

.PHONY: site test setup system check bench clean

site: setup
	$(VENV)/bin/gongkai check data
	$(VENV)/bin/mkdocs build --strict --quiet
	@echo "网站已生成到 site/"

test: setup
	$(VENV)/bin/ruff check src tests bench hooks
	$(VENV)/bin/mypy
	$(PY) -m pytest -n auto -p no:cacheprovider

check: setup
	$(VENV)/bin/gongkai check data

bench: setup
	$(PY) bench/check_speed.py

setup: system $(STAMP)

# System packages through apt, only those missing (CJK fonts, HarfBuzz subsetting, Pango,
# poppler; chromium for the tests that open the built site offline; the print fonts).
system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	fonts=""; for p in $(FONT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || fonts="$$fonts $$p"; done; \
	if [ -n "$$missing$$fonts" ]; then \
	  echo "安装系统软件包：$$missing$$fonts"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq || exit 1; \
	  if [ -n "$$missing" ]; then DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing || exit 1; fi; \
	  if [ -n "$$fonts" ]; then DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$fonts || exit 1; fi; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf site .pytest_cache
