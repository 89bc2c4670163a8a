# The course's commands. Each target is one line that calls tools/course.py, which does the work and
# runs without make too (Windows, or no make installed): `python tools/course.py help` lists the same
# commands. Every target sets itself up first: .venv with Python 3.11 and the exact pins of
# requirements.txt (a few minutes the first time, a second afterwards).
#
# PYTHON=/path/to/python3.11 names the Python that makes .venv (by default tools/course.py looks for
# one: the PATH, the Windows launcher, pyenv); python3, any version from 3.8 on, only runs the entry.
COURSE := python3 tools/course.py
.DEFAULT_GOAL := help

.PHONY: help setup lab lab-student test test-portable notebooks translations student html html-student \
    time-notebooks study-temporal study-memory bench check-nbgrader lock class-env hub-check nbgrader-round \
    binder-check measure-class browser-check audit clean

help:  ## list the targets
	@$(COURSE) help
setup:  ## create .venv with the pinned packages, build the C++ kernels, write the student copies
	$(COURSE) setup
lab:  ## JupyterLab on notebooks/ (with solutions)
	$(COURSE) lab
lab-student:  ## JupyterLab on student/ (exercises blank): writes the missing copies, keeps yours
	$(COURSE) lab-student
test:  ## unit tests, strict nbval over every notebook, ruff
	$(COURSE) test
test-portable:  ## strict nbval under each CPU setting (PORTABLE=name,name to choose)
	$(COURSE) test-portable $(if $(PORTABLE),--settings $(PORTABLE))
notebooks:  ## re-execute every notebook in place; rebuild the Japanese edition
	$(COURSE) notebooks
translations:  ## refresh locale/ja/*.po, list the cells to translate
	$(COURSE) translations
student:  ## rewrite every student copy (student/, student/ja)
	$(COURSE) student
html:  ## the offline course site into html/
	$(COURSE) html
html-student:  ## the site from the student copies into html-student/
	$(COURSE) html-student
time-notebooks:  ## seconds each notebook takes to execute
	$(COURSE) time-notebooks
study-temporal:  ## notebook 08's surrogate grid on notebook 12's task (docs/studies.md)
	$(COURSE) study-temporal
study-memory:  ## notebook 14's study: three networks against the delay (docs/studies.md)
	$(COURSE) study-memory
bench:  ## training-step speed against snnTorch, SpikingJelly, Norse
	$(COURSE) bench
check-nbgrader:  ## nbgrader's generate_assignment on every notebook (.venv-nbgrader)
	$(COURSE) check-nbgrader
lock:  ## recompile requirements.txt from requirements.in
	$(COURSE) lock
class-env:  ## teachers: .venv-class with jupyterhub, nbgitpuller, nbgrader
	$(COURSE) class-env
hub-check:  ## teachers: a real JupyterHub with three users (root)
	$(COURSE) hub-check
nbgrader-round:  ## teachers: nbgrader's whole round, grades asserted (root)
	$(COURSE) nbgrader-round
binder-check:  ## teachers: the repo2docker build without a container engine, then nbval
	$(COURSE) binder-check
measure-class:  ## teachers: memory and CPU seconds of each notebook, to size a hub
	$(COURSE) measure-class
browser-check:  ## the explorers in JupyterLab in Chromium (screenshots: OUT=DIR, default build/browser-check)
	$(COURSE) browser-check $(if $(OUT),--out $(OUT))
audit:  ## build the site, then axe-core, keyboard, MathML and search checks in Chromium (screenshots: build/site-audit)
	$(COURSE) audit
clean:  ## remove the venvs, html/ and caches (student/ stays)
	$(COURSE) clean
