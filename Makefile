# The two commands: `make run` starts the app, `make test` runs the tests.
# Both create .venv and install what they need first (see packaging/bootstrap.sh).
# `make screenshots` regenerates docs/screenshots (the console pages and participant screens at
# 1280x720) by running the GUI tests that photograph them; `make test` never writes there.
PY := .venv/bin/python
ARGS ?=
SCREENSHOT_DIR := docs/screenshots
# the GUI tests that take screenshots (tests/gui/conftest.py save_screenshot)
SCREENSHOT_TESTS = $(shell grep -l save_screenshot tests/gui/test_*.py)

.PHONY: run test bench package clean translations screenshots

run:
	@bash packaging/bootstrap.sh run
	$(PY) main.py $(ARGS)

test:
	@bash packaging/bootstrap.sh test
	env -u STARLAB_SCREENSHOT_DIR QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

screenshots:
	@bash packaging/bootstrap.sh test
	STARLAB_SCREENSHOT_DIR=$(SCREENSHOT_DIR) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -p no:cacheprovider $(SCREENSHOT_TESTS) $(ARGS)
	@echo "screenshots written to $(SCREENSHOT_DIR):" && ls $(SCREENSHOT_DIR)

bench:
	@bash packaging/bootstrap.sh test
	QT_QPA_PLATFORM=offscreen $(PY) -m bench $(ARGS)

package:
	@bash packaging/bootstrap.sh package
	bash packaging/build.sh

clean:
	rm -rf .venv build dist .pytest_cache

translations:
	@bash packaging/bootstrap.sh run
	.venv/bin/pyside6-lupdate -no-obsolete $(shell find gui -name '*.py' | sort) -ts gui/i18n/starlab_en.ts
	.venv/bin/pyside6-lrelease gui/i18n/starlab_en.ts -qm gui/i18n/starlab_en.qm
