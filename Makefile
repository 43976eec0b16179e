# tinbao — two commands: `make up` (the whole system with demo data) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
KAFKA_LIBS := deploy/kafka/target/kafka-libs/.complete

.PHONY: up down status test test-fast reliability bench bench-quick go-toolchain lint format install kafka-libs clean help

help:
	@echo "make up      start PostgreSQL, Kafka, the three services and the web console (http://127.0.0.1:8080) with demo data"
	@echo "make down    stop everything 'make up' started"
	@echo "make test    run the whole test suite against a real Kafka and PostgreSQL"
	@echo "make lint    ruff check + format check"
	@echo "make reliability  fault injection (kill, freeze, restart everything) with its table"
	@echo "make bench   throughput, latency and growth figures (bench-quick: under 3 minutes)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "tinbao needs Python >= 3.11 (found: $$($(PYTHON) --version))."; exit 1; }
	@echo "==> Python packages (first time: about a minute)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -U pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(KAFKA_LIBS): deploy/kafka/pom.xml
	@command -v java >/dev/null || { echo "Java 17+ is needed for Kafka: apt-get install -y openjdk-17-jre-headless"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed to fetch the Kafka jars: apt-get install -y maven"; exit 1; }
	@echo "==> Kafka jars from Maven Central (first time: about a minute)"
	@mvn -q -B -f deploy/kafka/pom.xml package
	@touch $(KAFKA_LIBS)

kafka-libs: $(KAFKA_LIBS)

PROMTOOL := .run/tools/usr/bin/promtool
$(PROMTOOL):
	@bash deploy/tools.sh

# The web console's browser tests drive Debian's Chromium (Playwright's own browser downloads
# are not used). As root it is installed here; otherwise the instruction is printed.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "The browser tests need Chromium at $(CHROMIUM). Install it, then run make test again:"; \
	  echo "  sudo apt-get install -y --no-install-recommends chromium"; exit 1; fi
	@command -v apt-get >/dev/null || { echo "The browser tests need Chromium at $(CHROMIUM) (Debian's chromium package)."; exit 1; }
	@echo "==> Chromium for the web console's browser tests (Debian package, first time: about a minute)"
	@apt-get update -qq
	@DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
	@$(CHROMIUM) --version 2>/dev/null | head -1

up: $(STAMP) $(KAFKA_LIBS)
	@$(PY) -m deploy.local.stack up

down:
	@if [ -x $(PY) ]; then $(PY) -m deploy.local.stack down; else echo "nothing to stop"; fi

status: $(STAMP)
	@$(PY) -m deploy.local.stack status

lint: $(STAMP)
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(STAMP)
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

test: $(STAMP) $(KAFKA_LIBS) $(PROMTOOL) $(CHROMIUM) lint
	@echo "==> Test suite (starts its own PostgreSQL and Kafka on free loopback ports)"
	@$(PY) -m pytest

reliability: $(STAMP) $(KAFKA_LIBS)
	@echo "==> Fault injection, long form: a 30 s stream of tips per scenario"
	@TINBAO_RELIABILITY_SECONDS=$${TINBAO_RELIABILITY_SECONDS:-30} $(PY) -m pytest tests/reliability -q

# The benchmark's load generator is Go (standard library only): a Python client would spend
# more CPU per request than intake does. As root Go is installed from Debian if missing.
go-toolchain:
	@command -v go >/dev/null || test -x /usr/local/go/bin/go || test -x /usr/lib/go/bin/go || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> Go for the benchmark's load generator (Debian package, first time)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go >/dev/null; \
	  else echo "The benchmark needs Go: sudo apt-get install -y golang-go"; exit 1; fi; }

bench: $(STAMP) $(KAFKA_LIBS) go-toolchain
	@$(PY) -m bench.run

bench-quick: $(STAMP) $(KAFKA_LIBS) go-toolchain
	@$(PY) -m bench.run --quick

test-fast: $(STAMP)
	@$(PY) -m pytest tests/unit

clean: down
	rm -rf .run deploy/kafka/target
