"""A gashell kernel started by jupyter_client, and one cell run to its `idle`: the reply and
every iopub message it caused, in order."""

import time
from queue import Empty

from jupyter_client.manager import start_new_kernel


class Kernel:
    def __init__(self, **kwargs):
        self.km, self.kc = start_new_kernel(kernel_name="gashell", startup_timeout=30, **kwargs)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def send(self, code, **options):
        return self.kc.execute(code, **options)

    def outputs_until_idle(self, msg_id, timeout=60):
        """The iopub messages of request `msg_id` up to its `idle` status, statuses left out."""
        outputs, deadline = [], time.monotonic() + timeout
        while True:
            msg = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status":
                if msg["content"]["execution_state"] == "idle":
                    return outputs
                continue
            outputs.append(msg)

    def reply(self, msg_id, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def run(self, code, timeout=60, **options):
        """(execute_reply content, iopub messages) for one cell."""
        msg_id = self.send(code, **options)
        reply = self.reply(msg_id, timeout)
        return reply["content"], self.outputs_until_idle(msg_id, timeout)

    def no_shell_reply_within(self, seconds):
        try:
            msg = self.kc.get_shell_msg(timeout=seconds)
        except Empty:
            return True
        raise AssertionError(f"unexpected reply {msg['msg_type']}")


def stdout(outputs):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")


def text(outputs):
    """What the cell shows as text, as a notebook would store it: streams, and each display's
    last state (an update replaces the display with the same id)."""
    parts, displays = [], {}
    for m in outputs:
        kind, content = m["msg_type"], m["content"]
        if kind == "stream":
            parts.append(content["text"])
        elif kind == "display_data":
            display_id = content.get("transient", {}).get("display_id")
            parts.append(content["data"]["text/plain"])
            if display_id:
                displays[display_id] = len(parts) - 1
        elif kind == "update_display_data":
            parts[displays[content["transient"]["display_id"]]] = content["data"]["text/plain"]
    return "".join(parts)
