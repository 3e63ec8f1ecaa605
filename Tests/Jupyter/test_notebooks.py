"""Each lesson exported as a notebook (`gashell --quick --notebook`) runs again in the kernel under
nbclient, cell by cell, and gives the outputs it stored: numbers to the digits; times, which
differ from run to run, as the transcript matcher treats them (`train * s (* samples/s)`)."""

import os
import re
import subprocess
import tempfile
import unittest

import nbformat
from nbclient import NotebookClient

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GASHELL = os.environ.get("GASHELL", os.path.join(ROOT, ".build", "debug", "gashell"))
# What differs from run to run, as Sources/Shell/Transcripts/Transcript+Times.swift lists it: the
# load time, each epoch's train and test times and samples/s, the `runs` table's times, profiles.
TIMES = [(re.compile(p), mask) for p, mask in [
    (r"\d[\d,]*(\.\d+)? s\b", "* s"), (r"[\d,]+ samples/s", "* samples/s"), (r" *\d+\.\ds\b", " *s"),
    (r" +[\d.]+ ms\b", " * ms"), (r" +[\d.,]+ µs\b", " * µs"),
    (r"(?m)^samples/s(?: +[\d,]+)+$", "samples/s *"),   # profile 64 16x4: a column per configuration
    # profile's measured memory moves by a page from run to run
    (r"grew [\d.]+ [KMG]?B while profiling", "grew * while profiling"),
    (r"(?m)^peak RSS growth(?: +[\d.]+ [KMG]?B)+$", "peak RSS growth *"),
]]


def shown(cell):
    """A code cell's text as the notebook shows it: its streams and displays, in order, with the
    blank lines at its end trimmed as gashell's notebook writer trims them; times masked."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("display_data", "execute_result"):
            parts.append(output["data"].get("text/plain", ""))
        elif output["output_type"] == "error":
            parts.append("error: " + output["evalue"] + "\n")
    text = "".join(parts).rstrip("\n")
    for pattern, mask in TIMES:
        text = pattern.sub(mask, text)
    return text


def export(lesson, directory):
    path = os.path.join(directory, os.path.basename(lesson).replace(".ga", ".ipynb"))
    subprocess.run([GASHELL, "--quick", "--notebook", path, os.path.join(ROOT, lesson)],
                   check=True, stdout=subprocess.DEVNULL, cwd=directory)
    return path


class LessonNotebooks(unittest.TestCase):
    def check_runs_again(self, lesson):
        with tempfile.TemporaryDirectory(prefix="gashell-nb-") as directory:
            stored = nbformat.read(export(lesson, directory), as_version=4)
            self.assertEqual(stored.metadata.kernelspec.name, "gashell")
            self.assertEqual(stored.metadata.language_info.file_extension, ".ga")
            code = [c for c in stored.cells if c.cell_type == "code"]
            self.assertEqual(code[0].source, "set quick on", "a --quick notebook says so first")
            executed = nbformat.from_dict(nbformat.from_dict(stored))   # a copy, run in the kernel
            NotebookClient(executed, kernel_name="gashell", timeout=300,
                           resources={"metadata": {"path": directory}}).execute()
            nbformat.validate(executed)
            for before, after in zip(stored.cells, executed.cells):
                if before.cell_type != "code":
                    continue
                with self.subTest(cell=before.source):
                    self.assertEqual(shown(after), shown(before))
            plots = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs
                     if o["output_type"] == "display_data" and "image/svg+xml" in o["data"]]
            return executed, plots

    def test_lesson_02_accumulation_draws_its_plots_as_svg(self):
        _, plots = self.check_runs_again("lessons/02-accumulation.ga")
        self.assertGreaterEqual(len(plots), 2, "plot grad and plot test are drawn as SVG")


def _lesson_test(lesson):
    def test(self):
        self.check_runs_again(lesson)
    return test


# Every other lesson, one test each: exported in quick mode, run again, the same outputs.
for _lesson in sorted(os.listdir(os.path.join(ROOT, "lessons"))):
    if _lesson.endswith(".ga") and not _lesson.startswith("02-"):
        setattr(LessonNotebooks, "test_lesson_" + _lesson[:-3].replace("-", "_"), _lesson_test("lessons/" + _lesson))


if __name__ == "__main__":
    unittest.main()
