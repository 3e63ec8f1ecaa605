# gashell — two commands on a fresh Debian machine: `make run` and `make test`.
# Both install the system packages that are missing (as root), then build.

PACKAGES := libedit-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist tmux python3-venv libzmq3-dev libssl-dev
SWIFT    ?= swift

.PHONY: run test fuzz notebook-check kernel-check browser-check jupyter build release bench compare same-weights deps clean

run: deps release
	.build/release/gashell

# The transcripts' digits are OpenBLAS's: each CPU family's kernels round a product's sums in
# their own order. They were recorded with the kernels OpenBLAS 0.3.21 picks by itself for this
# machine's CPU (Cooperlake, AVX-512); an environment forcing others (OPENBLAS_CORETYPE=Haswell,
# which some machines here set) changes last digits, so the tests let OpenBLAS choose (an empty
# value is no choice). On another CPU family, re-record the transcripts (GASHELL_RECORD=1).
test fuzz notebook-check kernel-check browser-check: export OPENBLAS_CORETYPE =

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	scripts/tmux-check.sh .build/debug/gashell
	scripts/process-check.sh .build/debug/gashell
	$(MAKE) --no-print-directory notebook-check
	$(MAKE) --no-print-directory kernel-check
	$(MAKE) --no-print-directory browser-check

# The fuzzers at length (make test runs a seeded slice of each): 100,000 generated command lines
# through a Session, and 20,000 mutated safetensors and IDX files. FUZZ_SEED picks another stream.
FUZZ_SEED ?= 1
fuzz: deps
	$(SWIFT) build --build-tests
	GASHELL_FUZZ_LINES=100000 GASHELL_FUZZ_SEED=$(FUZZ_SEED) $(SWIFT) test --skip-build --filter SessionFuzzTests
	GASHELL_FUZZ_MUTATIONS=20000 GASHELL_FUZZ_SEED=$(FUZZ_SEED) $(SWIFT) test --skip-build --filter 'SafeTensorsFuzz|IDXFuzz'

# Lesson 02 as a notebook, checked by Jupyter's own validator (nbformat, from PyPI, in a
# venv under .build/: python3-venv above provides `python3 -m venv` on Debian). Needs the
# debug build that `make test` has just made.
VENV    ?= .build/venv
GASHELL ?= .build/debug/gashell
notebook-check:
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -c 'import nbformat' 2>/dev/null || $(VENV)/bin/pip install -q nbformat
	$(GASHELL) --quick --notebook /tmp/gashell-02-accumulation.ipynb lessons/02-accumulation.ga >/dev/null
	$(VENV)/bin/python scripts/validate-notebook.py /tmp/gashell-02-accumulation.ipynb

# The Jupyter kernel against real Jupyter clients, in the same venv (jupyter_client,
# jupyter_kernel_test and nbclient from PyPI, installed once): the protocol checks, cells,
# interrupts during a real `train`, bad messages, and lesson 02's notebook executed again.
# JUPYTER_PATH puts the kernelspec installed here before any other gashell a user installed.
JUPYTER_PACKAGES := jupyter_client jupyter_kernel_test nbclient nbformat
kernel-check:
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -c 'import jupyter_client, jupyter_kernel_test, nbclient, nbformat' 2>/dev/null \
	  || $(VENV)/bin/pip install -q $(JUPYTER_PACKAGES)
	$(GASHELL) kernel install --prefix $(VENV) >/dev/null
	cd Tests/Jupyter && JUPYTER_PATH=$(abspath $(VENV))/share/jupyter GASHELL=$(abspath $(GASHELL)) \
	  $(abspath $(VENV))/bin/python -m unittest test_protocol test_client test_notebooks

# A real browser: JupyterLab (PyPI) started headless on loopback, driven by Playwright (PyPI)
# with Debian's Chromium (Playwright's own browser download is never used), runs lesson 02's
# `backward` and `plot grad` cells and finds the SVG. The screenshot: .build/jupyterlab-lesson-02.png.
browser-check:
	@$(MAKE) --no-print-directory deps PACKAGES=chromium
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -c 'import jupyterlab, playwright' 2>/dev/null || $(VENV)/bin/pip install -q jupyterlab playwright
	$(GASHELL) kernel install --prefix $(VENV) >/dev/null
	cd Tests/Jupyter && PATH=$(abspath $(VENV))/bin:$$PATH JUPYTER_PATH=$(abspath $(VENV))/share/jupyter \
	  GASHELL=$(abspath $(GASHELL)) $(abspath $(VENV))/bin/python -m unittest test_browser

# JupyterLab (PyPI, into the same venv) with the kernel installed there, on the lessons as
# notebooks: each written once in quick mode into .build/lessons/ (again when its lesson changes).
# LAB_ARGS passes options on, e.g. LAB_ARGS='--no-browser --port 8890'.
LAB_LESSONS := .build/lessons
jupyter: deps release
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/python -c 'import jupyterlab' 2>/dev/null || $(VENV)/bin/pip install -q jupyterlab
	.build/release/gashell kernel install --prefix $(VENV)
	mkdir -p $(LAB_LESSONS)
	for f in lessons/*.ga; do n=$(LAB_LESSONS)/$$(basename $$f .ga).ipynb; \
	  test $$n -nt $$f || (cd $(LAB_LESSONS) && ../release/gashell --quick --notebook $$(basename $$n) ../../$$f >/dev/null) || exit 1; \
	done
	JUPYTER_PATH=$(abspath $(VENV))/share/jupyter $(VENV)/bin/jupyter lab --notebook-dir=$(LAB_LESSONS) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

bench: deps
	$(SWIFT) build -c release --product gabench
	.build/release/gabench

# COMPARE holds compare_torch.sh's options, e.g. COMPARE="--quick --no-cnn".
compare: deps
	$(SWIFT) build -c release --product gabench
	bench/compare_torch.sh $(COMPARE)

# gashell and PyTorch trained from the same initial weights, epoch by epoch (needs PyTorch and
# safetensors, which the project does not install: TORCH_PYTHON names a Python that has them).
# SAME_WEIGHTS holds same_weights.py's options, e.g. SAME_WEIGHTS="--model cnn" for the CNN.
TORCH_PYTHON ?= python3
same-weights: release
	$(TORCH_PYTHON) bench/same_weights.py .build/release/gashell $(SAME_WEIGHTS)

# Installs what is missing; without root it prints the command and stops.
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing system packages; run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf .build
