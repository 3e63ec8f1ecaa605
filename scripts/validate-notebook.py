#!/usr/bin/env python3
"""Checks a notebook against the nbformat 4 JSON schema with Jupyter's own validator.

    scripts/validate-notebook.py FILE.ipynb

`make test` runs it on the notebook of lesson 02 (`gashell --notebook`), in a venv
under .build/venv with `nbformat` from PyPI. Exits 1 on the first problem.
"""
import json
import sys
import warnings

import nbformat


def main(path):
    # Warnings are errors: nbformat warns and repairs (missing or duplicate cell ids) where
    # Jupyter would silently rewrite the file; gashell must write it right the first time.
    warnings.simplefilter("error")
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)  # not nbformat.read: it upgrades and repairs before validating
    if raw.get("nbformat") != 4:
        sys.exit(f"{path}: nbformat {raw.get('nbformat')}, expected 4")
    notebook = nbformat.from_dict(raw)
    try:
        nbformat.validate(notebook)
    except (nbformat.ValidationError, Warning) as error:
        sys.exit(f"{path}: not a valid nbformat 4 notebook: {getattr(error, 'message', error)}")
    kinds = [cell.cell_type for cell in notebook.cells]
    print(f"{path}: valid nbformat 4.{raw['nbformat_minor']} notebook, {len(kinds)} cells"
          f" ({kinds.count('code')} code, {kinds.count('markdown')} markdown)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: validate-notebook.py FILE.ipynb")
    main(sys.argv[1])
