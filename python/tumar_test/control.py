# SPDX-License-Identifier: LGPL-2.1-or-later
"""The emulator's control socket (tumar-emu --control): one request line,
one reply read until the emulator closes the connection.  The reply starts
"ok" or "error:"; docs/emulator.md gives the grammar."""

import json
import re
import socket


class ControlError(Exception):
    """The emulator refused a request (its "error: ..." line), or the
    socket could not be reached."""


class Control:
    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout

    def request(self, line):
        """Sends one request; returns the reply after "ok" (stripped)."""
        if "\n" in line:
            raise ValueError("a control request is one line")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(self.timeout)
                s.connect(self.path)
                s.sendall(line.encode() + b"\n")
                chunks = []
                while True:
                    b = s.recv(4096)
                    if not b:
                        break
                    chunks.append(b)
        except OSError as e:
            raise ControlError(f"control socket {self.path}: {e}") from e
        reply = b"".join(chunks).decode(errors="replace").strip()
        if reply == "ok" or reply.startswith("ok ") or reply.startswith("ok\n"):
            return reply[2:].strip()
        raise ControlError(f"{line!r}: {reply or 'no reply'}")

    def status(self):
        """The emulator's state as a dict: inserted, model, serial, apdus,
        vpcd (waiting|connecting|connected) and faults (a list)."""
        return json.loads(self.request("status --json"))

    def remove(self):
        """The card leaves the reader; the emulator runs on."""
        self.request("remove")

    def insert(self):
        self.request("insert")

    def fault(self, spec):
        """Arms a fault ("sw 2A 6F00 count=1", "delay 300 ins=46",
        "tear ins=D6 nth=2") and returns its ID."""
        reply = self.request("fault " + spec)
        m = re.match(r"fault (\d+) armed", reply)
        if not m:
            raise ControlError(f"fault {spec}: unexpected reply {reply!r}")
        return int(m.group(1))

    def faults(self):
        return self.status()["faults"]

    def clear_faults(self, fault_id=None):
        self.request("fault clear" + ("" if fault_id is None else f" {fault_id}"))
