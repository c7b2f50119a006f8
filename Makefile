# The two commands: `make run` starts the app, `make test` runs the tests.
# Both create .venv and install what they need first (see packaging/bootstrap.sh).
PY := .venv/bin/python
ARGS ?=

.PHONY: run test bench package clean translations

run:
	@bash packaging/bootstrap.sh run
	$(PY) main.py $(ARGS)

test:
	@bash packaging/bootstrap.sh test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

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
	.venv/bin/pyside6-lupdate -no-obsolete gui/*.py gui/pages/*.py -ts gui/i18n/starlab_en.ts
	.venv/bin/pyside6-lrelease gui/i18n/starlab_en.ts -qm gui/i18n/starlab_en.qm
