"""jupyter_kernel_test's protocol checks against the installed gashell kernel: kernel_info,
execute, errors, completion, inspection, is_complete and display_data, each message checked
against the protocol's schema."""

import tempfile
import unittest

import jupyter_kernel_test

# gashell has no `echo`: a file name is the one thing it prints back as typed.
HELLO = tempfile.mkdtemp(prefix="gashell-kernel-") + "/hello, world.ipynb"


class GashellKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "gashell"
    language_name = "gashell"
    file_extension = ".ga"

    code_hello_world = f'save notebook "{HELLO}"'
    code_generate_error = "frobnicate"

    completion_samples = [
        {"text": "sh", "matches": {"show"}},
        {"text": "set ba", "matches": {"batch"}},
        {"text": "plot ", "matches": {"loss", "test", "grad", "lr"}},
        {"text": "help\nset optimizer a", "matches": {"adam", "adamw"}},
    ]
    complete_code_samples = ["help", "set batch 16\nset accumulate 4", "# a comment", "", "! set batch 0"]
    invalid_code_samples = ['load weights "unclosed.safetensors', "help\nsave weights 'a b"]

    code_inspect_sample = "train"

    code_display_data = [
        {"code": "load fashion train 256 test 64\nmodel mlp 16\nbackward\nplot grad", "mime": "image/svg+xml"},
        {"code": "plot grad", "mime": "text/plain"},
        {"code": "show image 0", "mime": "image/svg+xml"},
    ]


if __name__ == "__main__":
    unittest.main()
