"""A real browser: JupyterLab started headless on loopback, driven by Playwright with Debian's
Chromium. It opens lesson 02's notebook, runs its cells down to the first `plot grad`, and checks
that the `backward` cell printed its loss and that the plot is an SVG in the output area. The
screenshot is kept as .build/jupyterlab-lesson-02.png."""

import json
import os
import secrets
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

from playwright.sync_api import sync_playwright

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GASHELL = os.environ.get("GASHELL", os.path.join(ROOT, ".build", "debug", "gashell"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOT = os.path.join(ROOT, ".build", "jupyterlab-lesson-02.png")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLabInABrowser(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="gashell-lab-")
        self.notebook = "02-accumulation.ipynb"
        subprocess.run([GASHELL, "--quick", "--notebook", self.notebook, os.path.join(ROOT, "lessons/02-accumulation.ga")],
                       check=True, stdout=subprocess.DEVNULL, cwd=self.directory)
        # Open it as a learner would: the cells without their stored outputs.
        path = os.path.join(self.directory, self.notebook)
        with open(path) as f:
            nb = json.load(f)
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        with open(path, "w") as f:
            json.dump(nb, f)
        self.cells = nb["cells"]
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.log = open(os.path.join(self.directory, "lab.log"), "w")
        # A Lab of its own: no settings, workspace or runtime files of the user's read or written.
        private = {name: os.path.join(self.directory, ".lab", name) for name in
                   ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR")}
        self.lab = subprocess.Popen(
            ["jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.directory}", "--LabApp.news_url="],
            env={**os.environ, **private}, cwd=self.directory,
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or self.lab.poll() is not None:
                    raise AssertionError("JupyterLab did not start: " + open(os.path.join(self.directory, "lab.log")).read()[-2000:])
                time.sleep(0.5)

    def tearDown(self):
        self.lab.terminate()
        try:
            self.lab.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.lab.kill()
        self.log.close()

    def test_lesson_02_runs_backward_and_draws_plot_grad_as_svg(self):
        # Cells to run: everything up to and including the first `plot grad`.
        last = next(i for i, c in enumerate(self.cells) if c["cell_type"] == "code" and "".join(c["source"]).startswith("plot grad"))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{self.port}/lab/tree/{self.notebook}?token={self.token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            try:
                # The status bar says "gashell | Idle" once the kernel answered; Lab may start and
                # replace a kernel as it opens the notebook, so let that settle before typing.
                page.wait_for_function("document.querySelector('.jp-StatusBar-Component, #jp-main-statusbar')"
                                       " && document.body.innerText.includes('gashell | Idle')", timeout=60_000)
                time.sleep(2)
                for attempt in range(3):
                    page.locator(".jp-Notebook .jp-Cell").first.click()
                    page.keyboard.press("Escape")
                    for _ in range(last + 1):
                        page.keyboard.press("Shift+Enter")
                        time.sleep(0.1)
                    try:
                        svg = page.wait_for_selector(".jp-RenderedSVG img, .jp-RenderedSVG svg", timeout=60_000)
                        break
                    except Exception:
                        if attempt == 2:
                            raise
                svg.scroll_into_view_if_needed()
                page.wait_for_function("document.body.innerText.includes('gashell | Idle')", timeout=120_000)
                time.sleep(0.5)
            finally:
                page.screenshot(path=SCREENSHOT)   # kept, also when the check fails
            outputs = page.locator(".jp-OutputArea-output").all_inner_texts()
            browser.close()
        self.assertTrue(any("backward of loss" in o for o in outputs), outputs[:20])
        self.assertTrue(any("events: " in o and "backward" in o for o in outputs), "the counts below the plot")


if __name__ == "__main__":
    unittest.main()
