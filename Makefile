# The two commands: `make run` starts the app, `make test` runs the tests (the whole suite; .ci/run).
# Both create .venv and install what they need first (see packaging/bootstrap.sh).
# `make test-fast` runs the tests that need no JACK or PostgreSQL server, no PyInstaller, no
# child process and no long run (the markers in pyproject.toml): over 80% of the suite in a
# few minutes, for the edit-test loop; `make test` remains the verdict.
# `make screenshots` regenerates docs/screenshots (the console pages and participant screens at
# 1280x720, the Study page's session length and cover design, the Sessions page's coverage) by
# running the GUI tests that photograph them; `make test` never writes there.
PY := .venv/bin/python
ARGS ?=
SCREENSHOT_DIR := docs/screenshots
# the GUI tests that take screenshots (tests/gui/conftest.py save_screenshot)
SCREENSHOT_TESTS = $(shell grep -l save_screenshot tests/gui/test_*.py)
FAST_MARKERS := not (jack or pg or build or subprocess or slow)

.PHONY: run test test-fast bench package clean translations screenshots

run:
	@bash packaging/bootstrap.sh run
	$(PY) main.py $(ARGS)

test:
	@bash packaging/bootstrap.sh test
	env -u STARLAB_SCREENSHOT_DIR QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

test-fast:
	@bash packaging/bootstrap.sh test
	env -u STARLAB_SCREENSHOT_DIR QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "$(FAST_MARKERS)" $(ARGS)

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
