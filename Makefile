# Two commands on a fresh Debian machine:
#   make run    install the app and start it on the shipped data (http://localhost:8501)
#   make test   install everything, Chromium and Java from Debian's packages included, and run
#               all tests
# And: make run-spark   the same dashboard with every query run by Apache Spark (local mode)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run dev run-spark test install install-dev install-spark chromium java haproxy bench clean

# The dashboard listens on this machine only; `make run ADDRESS=0.0.0.0` serves the network
# (a briefing room's screens), where saving still needs a writer's sign-in (README, Who may write)
ADDRESS ?= 127.0.0.1
SERVE   := --browser.gatherUsageStats false --server.address $(ADDRESS)

run: install
	$(BIN)/python -m streamlit run app.py $(SERVE)

# for contributors: reruns the app when its code is saved (config.toml turns that off)
dev: install
	$(BIN)/python -m streamlit run app.py $(SERVE) --server.fileWatcherType auto --server.runOnSave true

run-spark: install-spark java
	PROXYLENS_ENGINE=spark $(BIN)/python -m streamlit run app.py $(SERVE)

# PROXYLENS_REQUIRE_SPARK, _HAPROXY: those tests fail, not skip, if Spark or HAProxy is missing
test: install-dev chromium java haproxy
	PROXYLENS_REQUIRE_SPARK=1 PROXYLENS_REQUIRE_HAPROXY=1 $(BIN)/python -m pytest

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev
install-spark: $(VENV)/.spark

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-spark.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.spark

$(VENV)/.spark: $(VENV)/.runtime requirements-spark.txt
	$(BIN)/python -m pip install --quiet -r requirements-spark.txt
	touch $@

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core fonts-liberation >/dev/null; }

# Spark's local mode runs on Java 17 or later, from Debian's packages.
java:
	@java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) mkdir -p /usr/share/man/man1 && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# Two app processes behind a load balancer (tests/test_two_processes.py), from Debian's packages.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq haproxy >/dev/null; }

bench: install-dev chromium java
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
