"""gashell's kernel driven by a real jupyter_client: cells as scripts, errors, execution counts,
interrupts during a real `train`, rich output, and bad messages that must not kill it."""

import os
import re
import signal
import subprocess
import tempfile
import time
import unittest

from jupyter_client.session import Session

from kernel_client import Kernel, stdout, text

# A fresh model first: it closes any window an earlier test left open, which `load` would refuse.
SMALL = "model mlp 16\nload fashion train 512 test 128"


class OneKernel(unittest.TestCase):
    """Each class of tests shares one kernel process, started before its first test."""

    @classmethod
    def setUpClass(cls):
        cls.k = Kernel()

    @classmethod
    def tearDownClass(cls):
        cls.k.close()


class Cells(OneKernel):
    def test_the_first_error_stops_the_cell_and_the_session_goes_on(self):
        self.k.run(SMALL)
        reply, outputs = self.k.run("set batch 32\nfrobnicate\nset batch 8")
        self.assertEqual(reply["status"], "error")
        self.assertIn("unknown command 'frobnicate'", reply["evalue"])
        self.assertEqual(reply["traceback"], ["line 2: error: " + reply["evalue"]])
        self.assertEqual(stdout(outputs), "batch = 32\n")          # the third line never ran
        self.assertEqual([m["msg_type"] for m in outputs][-1], "error")
        reply, outputs = self.k.run("show settings")
        self.assertEqual(reply["status"], "ok")
        self.assertRegex(stdout(outputs), r"batch\s+32")

    def test_an_expected_error_is_shown_and_the_cell_goes_on(self):
        reply, outputs = self.k.run("! set batch 0\nset batch 64")
        self.assertEqual(reply["status"], "ok")
        self.assertIn("error: batch must be in", stdout(outputs))
        self.assertTrue(stdout(outputs).endswith("batch = 64\n"))

    def test_execution_count_counts_stored_cells_only(self):
        first, _ = self.k.run("help")
        n = first["execution_count"]
        silent, outputs = self.k.run("help", silent=True)
        self.assertEqual(silent["execution_count"], n)
        self.assertEqual(outputs, [])                              # silent: nothing broadcast
        unstored, outputs = self.k.run("help", store_history=False)
        self.assertEqual(unstored["execution_count"], n)
        self.assertNotIn("execute_input", [m["msg_type"] for m in outputs][:0])
        failed, _ = self.k.run("frobnicate")
        self.assertEqual(failed["execution_count"], n + 1)
        after, outputs = self.k.run("help")
        self.assertEqual(after["execution_count"], n + 2)
        self.assertEqual(outputs[0]["msg_type"], "execute_input")
        self.assertEqual(outputs[0]["content"]["execution_count"], n + 2)

    def test_completion_knows_the_models_parameter_names(self):
        self.k.run(SMALL)
        code = "set batch 16\nshow grad 4.b"
        msg_id = self.k.kc.complete(code, len(code))
        reply = self.k.reply(msg_id)["content"]
        self.assertEqual(reply["matches"], ["4.bias"])
        self.assertEqual((reply["cursor_start"], reply["cursor_end"]), (len(code) - 3, len(code)))
        # In the middle of a line, at a word's start: every command; after "!", the command.
        msg_id = self.k.kc.complete("! sav", 5)
        reply = self.k.reply(msg_id)["content"]
        self.assertEqual((reply["matches"], reply["cursor_start"]), (["save"], 2))

    def test_inspect_is_help_for_the_word_or_the_lines_command(self):
        msg_id = self.k.kc.inspect("set accumulate 4", 10)
        reply = self.k.reply(msg_id)["content"]
        self.assertTrue(reply["found"])
        self.assertTrue(reply["data"]["text/plain"].startswith("set SETTING VALUE — "))
        msg_id = self.k.kc.inspect("frobnicate", 3)
        self.assertFalse(self.k.reply(msg_id)["content"]["found"])

    def test_plots_are_svg_and_braille(self):
        self.k.run(SMALL + "\nset batch 16\nset accumulate 4")
        reply, outputs = self.k.run("backward\nbackward\nplot grad")
        self.assertEqual(reply["status"], "ok")
        displays = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(displays), 1)
        data = displays[0]["content"]["data"]
        self.assertTrue(data["image/svg+xml"].startswith("<svg") or "<svg" in data["image/svg+xml"][:200])
        self.assertIn("gradient norm", data["text/plain"])
        # The display comes after the two backward lines and before the counts below the plot.
        kinds = [m["msg_type"] for m in outputs if m["msg_type"] != "execute_input"]
        self.assertEqual(kinds, ["stream", "display_data", "stream"])

    def test_train_progress_is_one_display_per_epoch_that_ends_as_its_results(self):
        reply, _ = self.k.run("model mlp 512\nload fashion train 20000 test 500\nset batch 16\nset accumulate 1")
        self.assertEqual(reply["status"], "ok", reply)
        reply, outputs = self.k.run("train 1", timeout=120)
        self.assertEqual(reply["status"], "ok")
        first = [m for m in outputs if m["msg_type"] == "display_data"]
        updates = [m for m in outputs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(first), 1, "one display for the epoch")
        display_id = first[0]["content"]["transient"]["display_id"]
        self.assertIn("epoch 1", first[0]["content"]["data"]["text/plain"])
        self.assertGreaterEqual(len(updates), 1)
        self.assertTrue(all(u["content"]["transient"]["display_id"] == display_id for u in updates))
        self.assertTrue(updates[-1]["content"]["data"]["text/plain"].startswith("Test Results:\n Accuracy: "))
        self.assertRegex(text(outputs), r"^Epoch 1\n-+\nTest Results:\n Accuracy: [\d.]+%, Avg loss: [\d.]+\nsteps 1,250, ")

    def test_history_and_comm_info_are_empty(self):
        msg_id = self.k.kc.history()
        self.assertEqual(self.k.reply(msg_id)["content"], {"status": "ok", "history": []})
        msg_id = self.k.kc.comm_info()
        self.assertEqual(self.k.reply(msg_id)["content"], {"status": "ok", "comms": {}})


class Interrupts(OneKernel):
    """A real model on the full training set: `train 20` takes minutes, so an interrupt lands in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reply, _ = cls.k.run("load fashion\nmodel mlp 512\nset batch 16\nset accumulate 4")
        assert reply["status"] == "ok", reply

    def interrupted_train(self, interrupt):
        self.assertEqual(self.k.run("reset")[0]["status"], "ok")   # epoch 1, batch 1, no window open
        msg_id = self.k.send("train 20\nshow settings")
        # Well inside epoch 1: a quiet machine trains the full epoch in about 1.5 s.
        time.sleep(0.4)
        # The heartbeat and the control channel answer while the cell trains.
        self.assertTrue(self.k.kc.hb_channel.is_beating())
        started = time.monotonic()
        interrupt()
        reply = self.k.reply(msg_id, timeout=10)["content"]
        self.assertLess(time.monotonic() - started, 5)
        outputs = self.k.outputs_until_idle(msg_id)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "Interrupted")
        self.assertIn("interrupted", reply["evalue"])
        self.assertEqual(reply["traceback"], ["line 1: interrupted — the cell stops here"])
        shown = text(outputs)
        self.assertTrue(shown.splitlines()[-1].startswith("interrupted at epoch 1, batch "), shown)   # no `show settings`
        m = re.search(r"interrupted at epoch (\d+), batch (\d+) of 3,750: (?:(\d) of 4 micro-batches accumulated, "
                      r"not yet stepped|no micro-batch pending); ([\d,]+) steps? taken", shown)
        self.assertIsNotNone(m, shown)
        return int(m.group(2)), int(m.group(3) or 0), int(m.group(4).replace(",", ""))

    def check_consistent(self, batch, pending, steps):
        # Every micro-batch before the cursor was stepped or is pending in the open window.
        self.assertEqual(batch - 1, 4 * steps + pending)
        reply, outputs = self.k.run("train 1 steps")
        self.assertEqual(reply["status"], "ok")
        self.assertIn(f"took 1 step; now at epoch 1, batch {batch + 4 - pending}", stdout(outputs))

    def test_1_interrupt_request_stops_train_at_a_micro_batch(self):
        batch, pending, steps = self.interrupted_train(lambda: self.k.km.interrupt_kernel())
        self.check_consistent(batch, pending, steps)

    def test_2_sigint_does_the_same(self):
        pid = self.k.km.provisioner.process.pid
        batch, pending, steps = self.interrupted_train(lambda: os.kill(pid, signal.SIGINT))
        self.check_consistent(batch, pending, steps)


class BadMessages(OneKernel):
    def still_answers(self):
        reply, outputs = self.k.run("help help")
        self.assertEqual(reply["status"], "ok")
        self.assertIn("help [COMMAND]", stdout(outputs))

    def test_a_wrong_signature_is_ignored(self):
        forger = Session(key=b"not the key", session=self.k.kc.session.session)
        forger.send(self.k.kc.shell_channel.socket, forger.msg("execute_request", content={
            "code": "set batch 7", "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True}))
        self.assertTrue(self.k.no_shell_reply_within(1.0))
        reply, outputs = self.k.run("show settings")
        self.assertNotRegex(stdout(outputs), r"batch\s+7\b")           # the forged cell never ran
        self.still_answers()

    def test_an_unknown_message_type_is_ignored(self):
        session = self.k.kc.session
        session.send(self.k.kc.shell_channel.socket, session.msg("frobnicate_request", content={}))
        self.assertTrue(self.k.no_shell_reply_within(1.0))
        self.still_answers()

    def test_malformed_frames_are_ignored(self):
        socket, session = self.k.kc.shell_channel.socket, self.k.kc.session
        bad = [b"{not json", b"{}", b"{}", b"{}"]
        socket.send_multipart([b"<IDS|MSG>", session.sign(bad)] + bad)     # signed, but not JSON
        socket.send_multipart([b"<IDS|MSG>", b"", b"{}"])                # too few frames
        socket.send_multipart([b"no delimiter at all"])
        header = [b'{"msg_id": "x", "msg_type": "kernel_info_request"}', b"[]", b"{}", b"{}"]   # a list for a parent
        socket.send_multipart([b"<IDS|MSG>", session.sign(header)] + header)
        self.assertTrue(self.k.no_shell_reply_within(1.0))
        self.still_answers()


class Shutdown(unittest.TestCase):
    def test_shutdown_echoes_restart_and_the_kernel_exits(self):
        k = Kernel()
        msg_id = k.kc.shutdown(restart=True)
        reply = k.kc.get_control_msg(timeout=10)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"], {"status": "ok", "restart": True})
        process = k.km.provisioner.process
        process.wait(timeout=10)
        self.assertEqual(process.returncode, 0)
        k.kc.stop_channels()
        k.km.cleanup_resources()

    def test_quit_ends_the_kernel(self):
        k = Kernel()
        reply, _ = k.run("quit")
        self.assertEqual(reply["status"], "ok")
        k.km.provisioner.process.wait(timeout=10)
        k.kc.stop_channels()
        k.km.cleanup_resources()


class Installation(unittest.TestCase):
    def test_install_writes_a_kernelspec_jupyter_lists_and_uninstall_removes_it(self):
        from jupyter_client.kernelspec import KernelSpecManager
        gashell = os.environ.get("GASHELL", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug", "gashell"))
        with tempfile.TemporaryDirectory() as prefix:
            out = subprocess.run([gashell, "kernel", "install", "--prefix", prefix], check=True, capture_output=True, text=True).stdout
            folder = os.path.join(prefix, "share", "jupyter", "kernels", "gashell")
            self.assertEqual(out, f"installed kernelspec gashell in {folder}\n")
            spec = KernelSpecManager(kernel_dirs=[os.path.dirname(folder)]).get_kernel_spec("gashell")
            self.assertEqual(spec.argv[1:], ["kernel", "-f", "{connection_file}"])
            self.assertTrue(os.path.isabs(spec.argv[0]) and os.access(spec.argv[0], os.X_OK))
            self.assertEqual((spec.display_name, spec.language, spec.interrupt_mode), ("gashell", "gashell", "message"))
            subprocess.run([gashell, "kernel", "uninstall", "--prefix", prefix], check=True, capture_output=True)
            self.assertFalse(os.path.exists(folder))
            both = subprocess.run([gashell, "kernel", "install", "--user", "--prefix", prefix], capture_output=True, text=True)
            self.assertEqual(both.returncode, 64, both.stderr)   # a usage error: one place at most


class IPCTransport(unittest.TestCase):
    def test_a_kernel_on_ipc_sockets_runs_a_cell(self):
        from jupyter_client.manager import KernelManager
        with tempfile.TemporaryDirectory() as directory:
            km = KernelManager(kernel_name="gashell", transport="ipc", ip=os.path.join(directory, "kernel"))
            km.start_kernel()
            kc = km.client()
            kc.start_channels()
            try:
                kc.wait_for_ready(timeout=30)
                reply = kc.execute_interactive("help help", timeout=30, output_hook=lambda m: None)
                self.assertEqual(reply["content"]["status"], "ok")
            finally:
                kc.stop_channels()
                km.shutdown_kernel()


if __name__ == "__main__":
    unittest.main()
