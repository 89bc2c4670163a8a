# The course's commands. Each target sets itself up: it creates .venv and installs the
# exact pins of requirements.txt and this package on first use (fast when done).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# JupyterLab settings of the course (no "news" prompt, no update check): installed into the venv's
# own settings folder, never into the user's home
LAB_OVERRIDES := tools/jupyterlab/overrides.json
# (the notebooks' environment variables live in tools/course_files.py, read by conftest and regenerate)
# the venv's tools (ninja for the C++ kernel, jupyter, ruff) come first
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# JupyterLab refuses to run as root unless told to (containers, CI machines)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: setup lab lab-student lock check-nbgrader test test-portable notebooks translations student html html-student bench time-notebooks study-temporal clean

$(STAMP): requirements.txt pyproject.toml snn_helpers/csrc/if_kernel.cpp snn_helpers/csrc/recurrent_kernel.cpp $(LAB_OVERRIDES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp $(LAB_OVERRIDES) $(VENV)/share/jupyter/lab/settings/overrides.json
	@# build the fused engine's C++ kernel once (about 30 s); without a compiler it falls back to torch ops
	$(BIN)/python -c "from snn_helpers import kernel; print('fused engine on the CPU:', kernel.backend())"
	$(BIN)/python -c "from snn_helpers import recurrent_kernel as k; print('recurrent engine on the CPU:', k.backend())"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned packages

lab: $(STAMP)  ## JupyterLab on notebooks/ (with solutions), on 127.0.0.1 with a token
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=notebooks $(ALLOW_ROOT)

lab-student: $(STAMP)  ## JupyterLab on student/ (exercises blank): writes the copies that are missing, keeps yours
	$(BIN)/python tools/make_student.py --keep-existing
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser --ServerApp.root_dir=student $(ALLOW_ROOT)

test: $(STAMP)  ## unit tests, strict nbval over every notebook, ruff over code and notebooks
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

PORTABLE ?= default,avx2,avx2-1thread,sse42,1thread,4threads,no-kernel,unbuilt
test-portable: $(STAMP)  ## strict nbval under each CPU setting of docs/maintaining.md (PORTABLE=name,name to choose)
	$(BIN)/python tools/test_portable.py --settings $(PORTABLE)

lock:  ## recompile requirements.txt from requirements.in (pip-tools; docs/maintaining.md, "Bumping a pin")
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip-tools==7.6.2
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --no-emit-trusted-host requirements.in -o requirements.txt
	@# the CPU build's local version label (+cpu) would make the pin fail where the plain wheel is the CPU one
	sed -i 's/^torch==\(.*\)+cpu$$/torch==\1/' requirements.txt

check-nbgrader: $(STAMP)  ## nbgrader's generate_assignment takes every notebook as it is (own venv: .venv-nbgrader)
	test -x .venv-nbgrader/bin/nbgrader || ( $(PYTHON) -m venv .venv-nbgrader && \
		.venv-nbgrader/bin/python -m pip install --quiet --disable-pip-version-check nbgrader==0.9.6 )
	$(BIN)/python tools/check_nbgrader.py .venv-nbgrader/bin/nbgrader

notebooks: $(STAMP)  ## re-execute every notebook in place, deterministically; rebuild the Japanese edition
	$(BIN)/python tools/regenerate.py
	$(BIN)/python tools/translate.py build

translations: $(STAMP)  ## refresh locale/ja/*.po from the English notebooks, list the cells to translate
	$(BIN)/python tools/translate.py update
	$(BIN)/python tools/translate.py stale

student: $(STAMP)  ## student copies (solutions removed, outputs cleared) into student/
	$(BIN)/python tools/make_student.py

html: $(STAMP)  ## the course site into html/: works offline (equations as MathML, figures inside)
	$(BIN)/python tools/make_html.py
	$(BIN)/python tools/make_html.py --edition ja

html-student: $(STAMP)  ## the same site from the student copies (solutions out, no outputs) into html-student/
	$(BIN)/python tools/make_html.py --student
	$(BIN)/python tools/make_html.py --student --edition ja

bench: $(STAMP)  ## speed of a training step: this course's engines against snnTorch, SpikingJelly, Norse
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/bench_training_step.py
	$(BIN)/python benchmarks/bench_recurrent.py
	$(BIN)/python benchmarks/bench_ensemble.py

time-notebooks: $(STAMP)  ## seconds each notebook takes to execute (median of 3; run on an idle machine)
	$(BIN)/python benchmarks/time_notebooks.py

study-temporal: $(STAMP)  ## notebook 08's surrogate grid on notebook 12's temporal task (130 networks, about 25 s; docs/studies.md)
	$(BIN)/python tools/temporal_grid.py

clean:  ## remove .venv, generated copies and caches
	rm -rf $(VENV) .venv-nbgrader student html html-student build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
