# Two commands: `make run` serves the dashboard on the demo CRM; `make test` runs every test.
# Both create .venv from requirements.txt when it is missing or older than requirements.txt.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO := var/demo.duckdb
PORT ?= 8501

.PHONY: run test demo chromium services clean-demo

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

$(DEMO): | $(STAMP)
	$(PY) -m data_layer.demo --size S --url duckdb:///$(DEMO)

demo: $(DEMO)

run: $(STAMP) $(DEMO)
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Browser tests drive Debian's Chromium; CJK fonts make the Chinese screenshots legible.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: $(STAMP) chromium
	$(PY) -m pytest -n 2 --durations=25

clean-demo:
	rm -f $(DEMO) $(DEMO).wal
